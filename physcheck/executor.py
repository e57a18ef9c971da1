"""Rollouts on a Dask cluster: ``--physcheck-executor dask://HOST:PORT``.

The controller (the pytest session, or ``physcheck run``) keeps the suite; each rollout a
model's checks need is one task per (model, trajectory, variant), sent to the Dask scheduler
at ``HOST:PORT``. A task builds the suite of its one trajectory on the worker (same
settings, same data path: the workers share the controller's file system), computes the
variant's record there (``Suite.compute_variant``: a perturbed rollout runs in one batch
with the base rows it is compared with) and returns it as plain tensors. The controller
joins the trajectories' records in order, caches them under the keys a serial run uses, and
runs the checks: the results equal a serial run's wherever the model's step is
batch-invariant. Tasks ask for a ``GPU`` resource when the workers advertise one (start them
with ``--resources GPU=1``, one per GPU); equivariance rollouts stay on the controller.

pytest-xdist remains the way to use the GPUs of one node; Dask is for more than one.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from physcheck.config import Settings
from physcheck.errors import ConfigError, OptionalDependencyError
from physcheck.records import DiagnosticRecord
from physcheck.suite import Suite

SCHEME = "dask://"
#: worker-side suites (one per settings, root and trajectory), kept between tasks
_WORKER_SUITES: dict[tuple[str, str, int], Suite] = {}
#: worker-side models (a checkpoint loads once per worker process)
_WORKER_MODELS: dict[tuple[str, str], Any] = {}


def scheduler_address(url: str) -> str:
    """``dask://HOST:PORT`` -> ``tcp://HOST:PORT``; ``ConfigError`` saying how to write it."""
    if not url.startswith(SCHEME) or not url[len(SCHEME) :].strip():
        raise ConfigError(
            f"bad executor {url!r}: use dask://HOST:PORT (the address of a Dask scheduler)"
        )
    return "tcp://" + url[len(SCHEME) :].strip()


def rollout_task(
    settings: Settings, rootdir: str, name: str, trajectory: int, variant: str
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """On a worker: the record of one variant of one model on one trajectory, as the cache
    stores it (``DiagnosticRecord.to_cache``: tensors and JSON metadata, no pickle)."""
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
    return suite.compute_variant(name, variant).to_cache()


class DaskExecutor:
    """Sends a suite's rollouts to the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(self, address: str, *, progress: Any = None, timeout: str = "10s") -> None:
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

    def _resources(self, suite: Suite) -> dict[str, float] | None:
        """``{"GPU": 1}`` when the workers advertise GPUs and the run may use them."""
        if suite.settings.device == "cpu":
            return None
        workers = self.client.scheduler_info().get("workers", {}).values()
        has_gpu = any("GPU" in (w.get("resources") or {}) for w in workers)
        return {"GPU": 1} if has_gpu else None

    def compute(self, suite: Suite, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        """Each variant's record over the suite's trajectories, one task per (trajectory,
        variant), joined in the suite's trajectory order."""
        rootdir = str(Path(suite.rootdir).resolve())
        resources = self._resources(suite)
        run = uuid.uuid4().hex[:8]
        tasks = list(itertools.product(variants, suite.trajectories))
        self._say(
            f"sending {len(tasks)} rollouts of {name} ({', '.join(variants)} x "
            f"{len(suite.trajectories)} trajectories) to {self.address}"
        )
        started = time.perf_counter()
        futures = [
            self.client.submit(
                rollout_task,
                suite.settings,
                rootdir,
                name,
                trajectory,
                variant,
                key=f"physcheck-{name}-{variant}-traj{trajectory}-{run}",
                resources=resources,
                pure=False,
            )
            for variant, trajectory in tasks
        ]
        parts = self.client.gather(futures)
        self._say(f"{len(tasks)} rollouts of {name} done in {time.perf_counter() - started:.1f} s")
        by_variant: dict[str, list[DiagnosticRecord]] = {v: [] for v in variants}
        for (variant, _), (tensors, meta) in zip(tasks, parts, strict=True):
            by_variant[variant].append(DiagnosticRecord.from_cache(tensors, meta))
        for variant in variants:
            suite.rollout_counts[(name, variant)] += 1
        return {v: DiagnosticRecord.concat(records) for v, records in by_variant.items()}

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    def close(self) -> None:
        self.client.close()


def executor_for(settings: Settings, *, progress: Any = None) -> DaskExecutor | None:
    """The executor the settings name (``None``: rollouts run in this process)."""
    if not settings.executor:
        return None
    return DaskExecutor(scheduler_address(settings.executor), progress=progress)


__all__ = ["DaskExecutor", "executor_for", "rollout_task", "scheduler_address"]
