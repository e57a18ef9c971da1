"""Rollouts on a Dask cluster (two local worker processes): the results equal a serial run's
(bit for bit with one row per forward pass, ``--physcheck-batch-rows 1``; with batching, the
verdicts, and the numbers of batch-invariant models), the records are cached on the
controller under the serial keys, and a bad or absent scheduler is one clear error."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.errors import ConfigError
from physcheck.jsonio import to_json_data
from physcheck.outputs.payloads import key_numbers
from physcheck.suite import Suite

distributed = pytest.importorskip("distributed", reason="install the dask extra: pip install 'physcheck[dask]'")
import dask  # noqa: E402  (with distributed)

MODELS = ["demo=demo", "noisy=tests.zoo:noise_sensitive_basin", "p=persistence"]
OPTIONS = {"trajectories": "0-1", "perturbations": "2", "window": "3:3:20", "threads": "1"}
#: one row per forward pass: every model is then batch-invariant (PyTorch's CPU convolution,
#: for one, takes another path for a batch of one row than for several)
EXACT = {**OPTIONS, "batch_rows": "1"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """The workers' thread count here too: a CPU convolution's summation order depends on it."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def dask_url(cluster: Any) -> str:
    return "dask://" + cluster.scheduler_address.removeprefix("tcp://")


@contextlib.contextmanager
def on_cluster(cluster: Any, file: dict[str, Any], cli: dict[str, Any]) -> Iterator[Suite]:
    """A suite whose rollouts run on ``cluster`` (its executor closed afterwards)."""
    from physcheck.executor import executor_for

    settings = build_settings(file, {**cli, "executor": dask_url(cluster)})
    executor = executor_for(settings)
    assert executor is not None
    try:
        yield Suite(settings, executor=executor)
    finally:
        executor.close()


def comparable(suite: Suite, name: str) -> str:
    results = [dataclasses.asdict(r) for r in suite.results(name)]
    numbers = dict(key_numbers(suite, name))
    numbers.pop("_meta", None)
    return json.dumps(to_json_data({"results": results, "numbers": numbers}), sort_keys=True)


@pytest.mark.slow  # a local Dask cluster: the batched-task test covers it in CI
def test_two_dask_workers_give_the_serial_results(cluster: Any, tmp_path: Any) -> None:
    serial = Suite(build_settings({"cache": False}, {"models": MODELS, **EXACT}))
    file = {"cache_dir": str(tmp_path / "cache")}
    with on_cluster(cluster, file, {"models": MODELS, **EXACT}) as remote:
        demo, steps_here = remote.model("demo"), []
        step = demo.step
        demo.step = lambda history: steps_here.append(1) or step(history)  # type: ignore[method-assign]
        for name in ("demo", "noisy", "p"):
            assert comparable(remote, name) == comparable(serial, name)
        # the controller stepped the model not once (equivariance included), and cached every
        # record under the serial keys
        assert remote.equivariance("demo").transforms and steps_here == []
        again = Suite(
            build_settings({"cache_dir": str(tmp_path / "cache")}, {"models": MODELS, **EXACT})
        )
        for name in ("demo", "noisy", "p"):
            assert comparable(again, name) == comparable(serial, name)
        assert sum(n for (m, v), n in again.rollout_counts.items()) == 0
        assert again.cache_hits[("demo", "noise1")] == 1


def test_batched_tasks_give_the_serial_verdicts(cluster: Any) -> None:
    """With batching, each task forwards its own rows: a batch-invariant model's numbers are
    the serial ones exactly, the demo's (a CPU convolution) to round-off, verdicts alike."""
    batched = {**OPTIONS, "batch": "on"}
    serial = Suite(build_settings({"cache": False}, {"models": MODELS, **batched}))
    with on_cluster(cluster, {"cache": False}, {"models": MODELS, **batched}) as remote:
        for name in ("noisy", "p"):
            assert comparable(remote, name) == comparable(serial, name)
        pairs = list(zip(serial.results("demo"), remote.results("demo"), strict=True))
        assert all((a.passed, a.skipped, a.step) == (b.passed, b.skipped, b.step) for a, b in pairs)
        for a, b in pairs:
            if a.value is not None and b.value is not None:
                assert b.value == pytest.approx(a.value, rel=1e-4, abs=1e-6), a.message


def test_the_worker_heap_is_tuned_only_where_a_fixed_trim_threshold_turned_glibc_off() -> None:
    from physcheck.executor import M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, tune_worker_heap

    calls: list[tuple[int, int]] = []

    def mallopt(parameter: int, value: int) -> int:
        calls.append((parameter, value))
        return 1

    assert not tune_worker_heap({}, mallopt) and calls == []
    assert tune_worker_heap({"MALLOC_TRIM_THRESHOLD_": "65536"}, mallopt)
    assert calls == [(M_MMAP_THRESHOLD, 32 * 2**20), (M_TRIM_THRESHOLD, 64 * 2**20)]
    assert not tune_worker_heap({"MALLOC_TRIM_THRESHOLD_": "65536"}, lambda p, v: 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_the_dask_workers_run_rollouts_on_a_tuned_heap(cluster: Any) -> None:
    """Dask's nanny fixes the trim threshold in its workers' environment, and the real
    ``mallopt`` there takes the adaptive thresholds' values."""
    from physcheck.executor import tune_worker_heap

    client = distributed.Client(cluster, set_as_default=False)
    try:
        assert set(client.run(tune_worker_heap).values()) == {True}
    finally:
        client.close()


def test_dask_through_pytest_writes_the_serial_json(cluster: Any, pytester: pytest.Pytester) -> None:
    common = [
        "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-no-snapshot", "--physcheck-no-cache",
        "--physcheck-model", "p=persistence", "--physcheck-model", "demo=demo",
        "--physcheck-window", "3:3:12", "--physcheck-trajectories", "0-1",
        "--physcheck-perturbations", "2", "--physcheck-threads", "1",
        "--physcheck-batch-rows", "1",
    ]  # fmt: skip
    serial = pytester.runpytest(*common, "--physcheck-json", "serial.json")
    remote = pytester.runpytest(
        *common, "--physcheck-executor", dask_url(cluster), "--physcheck-json", "dask.json"
    )
    assert serial.ret == remote.ret
    remote.stdout.fnmatch_lines(["*sending * tasks (demo: base+noise0+noise1 | float64 x 2 trajectories)*"])
    a, b = (json.loads((pytester.path / f).read_text()) for f in ("serial.json", "dask.json"))
    assert a == b


def test_a_bad_executor_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"use dask://HOST:PORT"):
        build_settings({}, {"executor": "tcp://localhost:8786"})
    from physcheck.executor import DaskExecutor, scheduler_address

    address = scheduler_address(build_settings({}, {"executor": "dask://127.0.0.1:9"}).executor or "")
    with pytest.raises(ConfigError, match=r"no Dask scheduler answers at tcp://127.0.0.1:9"):
        DaskExecutor(address, timeout="1s")


def test_perturbed_rollouts_stop_early_on_the_workers(cluster: Any) -> None:
    """``nan_at_frame``'s perturbed rollouts rejoin the base one at step 1 on every worker
    (one trajectory each): the serial results, and the serial run's rejoin steps."""
    options = {**EXACT, "window": "20:1:14", "checks": "basin_determinism,finite"}
    models = ["nan=tests.zoo:nan_at_frame"]
    serial = Suite(build_settings({"cache": False}, {"models": models, **options}))
    with on_cluster(cluster, {"cache": False}, {"models": models, **options}) as remote:
        assert comparable(remote, "nan") == comparable(serial, "nan")
        assert remote.rejoined == serial.rejoined == {("nan", "noise0"): 1, ("nan", "noise1"): 1}
        assert remote.rollout_counts == serial.rollout_counts
        assert remote.model("nan").rows_stepped == 0  # all on the workers


# -- faults ---------------------------------------------------------------------------------------
def test_an_address_without_host_or_port_is_a_usage_error(pytester: pytest.Pytester) -> None:
    from tests.reliability.test_catalogue import assert_usage_error, run

    for bad in ("dask://:", "dask://host", "dask://:8786", "dask://host:99999"):
        with pytest.raises(ConfigError, match="needs a host and a port"):
            build_settings({}, {"executor": bad})
    result = run(pytester, "--physcheck-model", "p=persistence", "--physcheck-executor", "dask://:")
    assert_usage_error(result, "bad executor 'dask://:'", "needs a host and a port")


def test_a_scheduler_without_workers_is_one_line_within_the_timeout(
    pytester: pytest.Pytester,
) -> None:
    import time

    from tests.reliability.test_catalogue import assert_usage_error, run

    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as empty:
        started = time.monotonic()
        result = run(
            pytester,
            "--physcheck-model",
            "p=persistence",
            "--physcheck-executor",
            dask_url(empty),
            "--physcheck-timeout",
            "2",
        )
        elapsed = time.monotonic() - started
    assert_usage_error(result, f"the scheduler at {empty.scheduler_address} has no workers")
    assert elapsed < 30, elapsed


def test_workers_lost_while_tasks_run_are_named() -> None:
    import time

    from physcheck.errors import RolloutError
    from physcheck.executor import DaskExecutor

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as small:
        executor = DaskExecutor(small.scheduler_address, wait=2)
        try:
            (worker,) = executor._workers()
            future = executor.client.submit(time.sleep, 60, pure=False)
            time.sleep(0.5)
            small.scale(0)  # the worker goes, its nanny with it
            with pytest.raises(RolloutError, match="every Dask worker .* was lost") as caught:
                executor._gather([future], "demo: base")
        finally:
            executor.close()
    assert worker in str(caught.value) and "\n" not in str(caught.value)


def _die() -> None:
    import os

    os._exit(1)  # the worker process dies; its nanny restarts it, and the task is retried


def test_a_task_that_kills_its_workers_names_them() -> None:
    from physcheck.errors import RolloutError
    from physcheck.executor import DaskExecutor

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as small:
        executor = DaskExecutor(small.scheduler_address, wait=10)
        try:
            (worker,) = executor._workers().values()
            future = executor.client.submit(_die, pure=False)
            with pytest.raises(RolloutError, match="Dask workers died while running demo: base") as caught:
                executor._gather([future], "demo: base")
        finally:
            executor.close()
    assert worker in str(caught.value) and "\n" not in str(caught.value)
