"""Whole-suite wall time per checkpoint: every check of the demo surrogate (base rollout,
float64 twin, five perturbed rollouts, equivariance), one variant at a time, batched, and on
two local Dask workers; the disk cache off.

The data set is the test session's (``PHYSCHECK_DATASET``: the 16^3 smoke set unless set;
``PHYSCHECK_DATASET=default`` for the 32^3 numbers in the README). Serial and batched runs use
``THREADS`` torch threads; each Dask worker uses one (``THREADS`` workers in all), so the three
use the same cores. ``extra_info`` holds the rollouts' share of forward passes and the verdicts,
which must not differ between the modes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.suite import Suite

THREADS = 2
MODES = ("serial", "batched", "dask")
#: each mode's verdicts, compared with the first mode's
VERDICTS: dict[str, list[tuple[str, int | None, str | None, bool, bool]]] = {}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed", reason="pip install 'physcheck[dask]'")
    with distributed.LocalCluster(
        n_workers=THREADS, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:  # warm: workers import physcheck once
            client.run(__import__, "physcheck.executor")
        yield cluster


def verdicts(suite: Suite) -> list[tuple[str, int | None, str | None, bool, bool]]:
    return [
        (r.check, r.trajectory, r.channel, r.passed, r.skipped is not None)
        for r in suite.results("demo")
    ]


@pytest.mark.parametrize("mode", MODES)
def test_suite_wall_time_per_checkpoint(benchmark: Any, request: Any, mode: str) -> None:
    benchmark.group = "suite-wall-time-demo-cpu"
    file: dict[str, Any] = {"cache": False}
    if mode != "dask":  # the workers batch as the device says (auto: not on the CPU)
        file["batch"] = mode == "batched"
    cli: dict[str, Any] = {"models": ["demo=demo"], "threads": "1" if mode == "dask" else str(THREADS)}
    executor = None
    if mode == "dask":
        from physcheck.executor import executor_for

        cluster = request.getfixturevalue("cluster")
        cli["executor"] = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        executor = executor_for(build_settings(file, cli))
    settings = build_settings(file, cli)
    before = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    outcome: dict[str, Any] = {}

    def run() -> None:
        suite = Suite(settings, executor=executor)
        start = time.perf_counter()
        outcome["verdicts"] = verdicts(suite)
        outcome["seconds"] = time.perf_counter() - start
        outcome["batches"] = len(suite.batches)

    try:
        benchmark.pedantic(run, rounds=1, iterations=1)
    finally:
        torch.set_num_threads(before)
        if executor is not None:
            executor.close()
    benchmark.extra_info["seconds"] = outcome["seconds"]
    benchmark.extra_info["failed_items"] = sum(
        1 for _, _, _, passed, skipped in outcome["verdicts"] if not passed and not skipped
    )
    benchmark.extra_info["trajectories_x_steps"] = settings.window.label
    assert outcome["verdicts"]
    # the modes must judge alike
    VERDICTS[mode] = outcome["verdicts"]
    if mode != MODES[0] and MODES[0] in VERDICTS:
        assert VERDICTS[mode] == VERDICTS[MODES[0]]
