"""Rollouts on a Dask cluster: ``--physcheck-executor dask://HOST:PORT``.

The controller (the pytest session, or ``physcheck run``) keeps the suite; the rollouts a
model's checks need go to the Dask scheduler at ``HOST:PORT`` as tasks, one per model,
trajectory and group of variants (``Suite.task_groups``: the base with the perturbed
rollouts, as one batch; the float64 twin, which recomputes the base it is compared with;
the equivariance rollouts). A task builds the suite of its one trajectory on the worker
(same settings, same data path: the workers share the controller's file system), computes
there (``Suite.compute_group``) and returns plain tensors. The controller
joins the trajectories' records in order, caches them under the keys a serial run uses, and
runs the checks: the results equal a serial run's wherever the model's step is
batch-invariant and runs with the same thread count (PyTorch's CPU kernels sum in an order
that depends on both). Tasks ask for a ``GPU`` resource when the workers advertise one
(start them with ``--resources GPU=1``, one per GPU).

pytest-xdist remains the way to use the GPUs of one node; Dask is for more than one.

The heap: Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which turns off
glibc's adaptive mmap threshold, so every tensor over 128 KiB is mapped and unmapped again;
a rollout's per-step frames then cost about twice their time (the equivariance rollouts of a
32^3 trajectory: 6.3 s on a worker against 3.5 s in the controller). The first task on each
worker gives glibc back thresholds like the adaptive ones (``tune_worker_heap``).

Faults: the address must name a host and a port (a usage error otherwise); a scheduler
without workers is a usage error once ``--physcheck-timeout`` seconds pass without one
joining; while tasks run, a worker that dies with its nanny fails the model's rollouts with
the lost workers' names, and a cluster left without any worker for ``--physcheck-timeout``
seconds stops the wait (a task itself may run as long as its rollout takes).
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from physcheck.config import Settings
from physcheck.config.parsers import parse_executor
from physcheck.errors import ConfigError, OptionalDependencyError, RolloutError
from physcheck.records import DiagnosticRecord
from physcheck.suite import Suite

SCHEME = "dask://"
#: worker-side suites (one per settings, root and trajectory), kept between tasks
_WORKER_SUITES: dict[tuple[str, str, int], Suite] = {}
#: worker-side models (a checkpoint loads once per worker process)
_WORKER_MODELS: dict[tuple[str, str], Any] = {}


def scheduler_address(url: str) -> str:
    """``dask://HOST:PORT`` -> ``tcp://HOST:PORT``; ``ConfigError`` saying how to write it
    (the executor setting's own check, ``parse_executor``)."""
    text = parse_executor(url)
    if text is None:
        raise ConfigError("no executor given: use dask://HOST:PORT (a Dask scheduler's address)")
    return "tcp://" + text[len(SCHEME) :].strip()


#: glibc's ``mallopt`` parameters and the values the adaptive thresholds grow to on 64-bit
#: Linux (the mmap threshold's maximum, and twice it for trimming)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 2 * MMAP_THRESHOLD_BYTES
_HEAP_TUNED: list[bool] = []


def tune_worker_heap(
    environ: Mapping[str, str] = os.environ,
    mallopt: Callable[[int, int], int] | None = None,
) -> bool:
    """Where a fixed ``MALLOC_TRIM_THRESHOLD_`` (Dask's nanny sets 65536) has turned glibc's
    adaptive mmap threshold off, set the thresholds to the values it would grow to (mmap above
    32 MiB, trim above 64 MiB) with ``mallopt``; whether it did. Nothing elsewhere (no such
    variable, or not glibc)."""
    if "MALLOC_TRIM_THRESHOLD_" not in environ:
        return False
    if mallopt is None:
        if not sys.platform.startswith("linux"):
            return False
        try:
            mallopt = ctypes.CDLL("libc.so.6").mallopt
        except (OSError, AttributeError):
            return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )


def _worker_suite(settings: Settings, rootdir: str, name: str, trajectory: int) -> Suite:
    """On a worker: the suite of one trajectory (kept for the next task), with the model
    loaded once per worker process."""
    if not _HEAP_TUNED:
        _HEAP_TUNED.append(tune_worker_heap())
    key = (repr(settings), rootdir, trajectory)
    suite = _WORKER_SUITES.get(key)
    if suite is None:
        if settings.threads:
            torch.set_num_threads(settings.threads)
        local = replace(
            settings, trajectories=(trajectory,), use_cache=False, json_path=None, report_dir=None
        )
        suite = Suite(local, rootdir=rootdir)
        _WORKER_SUITES.clear()  # one trajectory's suite at a time: its frames can be large
        _WORKER_SUITES[key] = suite
    model_key = (repr(suite.model_entry(name)), str(suite.device))
    if model_key not in _WORKER_MODELS:
        _WORKER_MODELS[model_key] = suite.model(name)
    suite.provide_model(name, _WORKER_MODELS[model_key])
    return suite


def rollout_task(
    settings: Settings, rootdir: str, name: str, trajectory: int, variants: list[str]
) -> tuple[dict[str, tuple[dict[str, torch.Tensor], dict[str, Any]]], dict[str, int]]:
    """On a worker: the records of a group of variants (``Suite.task_groups``) of one model
    on one trajectory, as the cache stores them (tensors and JSON metadata, no pickle), and
    the step at which each perturbed rollout rejoined the base one (``Suite.rejoined``)."""
    suite = _worker_suite(settings, rootdir, name, trajectory)
    records = suite.compute_group(name, variants)
    rejoined = {v: step for (n, v), step in suite.rejoined.items() if n == name and v in variants}
    return {v: records[v].to_cache() for v in variants}, rejoined


def equivariance_task(
    settings: Settings, rootdir: str, name: str, trajectory: int
) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """On a worker: the equivariance rollouts of one model on one trajectory
    (``Suite.equivariance_rollouts``), on the CPU for the trip back."""
    suite = _worker_suite(settings, rootdir, name, trajectory)
    base, moved, finals = suite.equivariance_rollouts(name)
    return (
        base.cpu(),
        {k: v.cpu() for k, v in moved.items()},
        {k: v.cpu() for k, v in finals.items()},
    )


class DaskExecutor:
    """Sends a suite's rollouts to the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(
        self, address: str, *, progress: Any = None, timeout: str = "10s", wait: float = 60.0
    ) -> None:
        try:
            import distributed
        except ImportError as exc:
            raise OptionalDependencyError(
                "--physcheck-executor dask://... needs Dask's distributed scheduler: "
                "pip install 'physcheck[dask]'"
            ) from exc
        self.address = address
        self.progress = progress
        try:
            client_class: Any = distributed.Client  # untyped
            self.client: Any = client_class(address, timeout=timeout, set_as_default=False)
        except OSError as exc:
            raise ConfigError(
                f"no Dask scheduler answers at {address} ({exc}); start one (dask scheduler) "
                "and its workers, or leave out --physcheck-executor"
            ) from None
        self.wait = wait
        try:  # tasks sent to a scheduler without workers would wait forever
            self.client.wait_for_workers(1, timeout=wait)
        except (TimeoutError, OSError):
            self.client.close()
            raise ConfigError(
                f"the scheduler at {address} has no workers (none joined within {wait:g} s, "
                f"--physcheck-timeout): start them (dask worker {address})"
            ) from None

    def _workers(self) -> dict[str, str]:
        """The scheduler's workers now: address -> name."""
        workers = self.client.scheduler_info().get("workers", {})
        names = {str(a): str(w.get("name", a)) for a, w in workers.items()}
        return {a: n if n == a else f"{n} at {a}" for a, n in names.items()}

    def _gather(self, futures: list[Any], what: str) -> list[Any]:
        """The futures' results. Lost workers are named: a task whose worker died (with its
        nanny) fails its rollouts with the workers' names, and when no worker is left for
        ``self.wait`` seconds the run stops waiting, rather than hanging forever."""
        import distributed

        known = self._workers()
        alone_since: float | None = None
        while not all(f.done() for f in futures):
            if any(f.status == "error" for f in futures):
                break
            time.sleep(0.5)
            now = self._workers()
            known.update(now)
            if now:
                alone_since = None
                continue
            alone_since = alone_since if alone_since is not None else time.monotonic()
            if time.monotonic() - alone_since > self.wait:
                for future in futures:
                    future.cancel()
                lost = ", ".join(sorted(known.values())) or "?"
                raise RolloutError(
                    f"every Dask worker of {self.address} was lost while running {what} "
                    f"(lost: {lost}; none came back within {self.wait:g} s, --physcheck-timeout): "
                    "restart the workers and run again"
                )
        try:
            return list(self.client.gather(futures))
        except distributed.KilledWorker as exc:
            gone = sorted(set(known.values()) - set(self._workers().values()))
            raise RolloutError(
                f"Dask workers died while running {what} (lost: {', '.join(gone) or '?'}; "
                f"{exc}): a rollout that kills its worker (memory, a crash) fails on every "
                "retry; run it serially to see why"
            ) from None

    def _resources(self, suite: Suite) -> dict[str, float] | None:
        """``{"GPU": 1}`` when the workers advertise GPUs and the run may use them."""
        if suite.settings.device == "cpu":
            return None
        workers = self.client.scheduler_info().get("workers", {}).values()
        has_gpu = any("GPU" in (w.get("resources") or {}) for w in workers)
        return {"GPU": 1} if has_gpu else None

    def _submit(self, suite: Suite, function: Any, tasks: list[tuple[Any, ...]], what: str) -> list[Any]:
        """Run ``function(settings, rootdir, *task)`` for each task on the cluster; the results
        in order."""
        rootdir = str(Path(suite.rootdir).resolve())
        resources = self._resources(suite)
        run = uuid.uuid4().hex[:8]
        self._say(f"sending {len(tasks)} tasks ({what}) to {self.address}")
        started = time.perf_counter()
        futures = [
            self.client.submit(
                function,
                suite.settings,
                rootdir,
                *task,
                key=f"physcheck-{function.__name__}-{i}-{run}",
                resources=resources,
                pure=False,
            )
            for i, task in enumerate(tasks)
        ]
        results = self._gather(futures, what)
        self._say(f"{len(tasks)} tasks ({what}) done in {time.perf_counter() - started:.1f} s")
        return results

    def compute(self, suite: Suite, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        """Each variant's record over the suite's trajectories: one task per trajectory and
        group of variants (``Suite.task_groups``), joined in the suite's trajectory order."""
        groups = suite.task_groups(variants)
        tasks = [(name, t, g) for g in groups for t in suite.trajectories]
        what = f"{name}: {' | '.join('+'.join(g) for g in groups)} x {len(suite.trajectories)} trajectories"
        parts = self._submit(suite, rollout_task, tasks, what)
        by_variant: dict[str, list[DiagnosticRecord]] = {v: [] for v in variants}
        rejoined: dict[str, list[int]] = {v: [] for v in variants}
        for records, steps in parts:
            for variant, (tensors, meta) in records.items():
                if variant in by_variant:
                    by_variant[variant].append(DiagnosticRecord.from_cache(tensors, meta))
            for variant, step in steps.items():
                if variant in rejoined:
                    rejoined[variant].append(step)
        for variant in variants:
            suite.rollout_counts[(name, variant)] += 1
            # every trajectory's task copied it from some step on: the serial run would have
            # from the last of those steps (all its trajectories rejoined by then)
            if len(rejoined[variant]) == len(suite.trajectories):
                suite.rejoined[(name, variant)] = max(rejoined[variant])
        return {v: DiagnosticRecord.concat(records) for v, records in by_variant.items()}

    def equivariance_rollouts(
        self, suite: Suite, name: str
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """``Suite.equivariance_rollouts`` with one task per trajectory, joined in order."""
        tasks = [(name, t) for t in suite.trajectories]
        parts = self._submit(suite, equivariance_task, tasks, f"{name}: equivariance")
        device = suite.device
        base = torch.cat([p[0] for p in parts]).to(device)
        moved = {k: torch.cat([p[1][k] for p in parts]).to(device) for k in parts[0][1]}
        finals = {k: torch.cat([p[2][k] for p in parts]).to(device) for k in parts[0][2]}
        return base, moved, finals

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    def close(self) -> None:
        self.client.close()


def executor_for(settings: Settings, *, progress: Any = None) -> DaskExecutor | None:
    """The executor the settings name (``None``: rollouts run in this process)."""
    if not settings.executor:
        return None
    return DaskExecutor(
        scheduler_address(settings.executor), progress=progress, wait=settings.timeout
    )


__all__ = [
    "DaskExecutor",
    "equivariance_task",
    "executor_for",
    "rollout_task",
    "scheduler_address",
    "tune_worker_heap",
]
