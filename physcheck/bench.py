"""How long gating one checkpoint takes, and where the time goes (``physcheck bench``).

``bench(settings, model)`` gates one model with the run's settings under a
``physcheck.timing.PhaseTimer`` and returns a ``Bench``: the wall time split into exclusive
phases (model loading and preflight, the model's forward passes per variant, diagnostics,
data reading, cache I/O, checks, outputs, and physcheck's remaining own work), which add up to
the wall time; steps per second; physcheck's own share (everything but the model's forward
passes and loading); and the projected gate time for a test split of N trajectories on D
devices. ``measure_scaling(settings, model, workers, serial)`` gates the same model again on a
local Dask cluster of one-thread worker processes and gives the measured scaling efficiency
the projection can use instead of an assumed one.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from physcheck.timing import MODEL_FORWARD, PhaseTimer, phase, timed

if TYPE_CHECKING:
    from physcheck.config import Settings

#: the phase of everything physcheck does that no named phase covers
OTHER = "physcheck (other)"
LOADING = "model loading and preflight"
#: trajectories of The Well's MHD_64 test split as its files hold them (10 files of 5; the
#: card says 10 per file, users count 5, the_well issues #58 and #80)
MHD64_TEST_TRAJECTORIES = 50


@dataclass
class Bench:
    """One benchmarked gate: ``seconds`` and ``counts`` per phase, the measured ``wall``
    seconds, the model, its ``trajectories`` and ``steps`` (K), and the settings' summary."""

    model: str
    wall: float
    seconds: dict[str, float]
    counts: dict[str, int]
    trajectories: int
    steps: int
    device: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def model_seconds(self) -> float:
        """The model's own time: its forward passes of every variant, and its loading."""
        forward = sum(s for name, s in self.seconds.items() if name.startswith(MODEL_FORWARD))
        return forward + self.seconds.get("model loading", 0.0)

    @property
    def physcheck_share(self) -> float:
        """Physcheck's own share of the wall time (everything but the model's time)."""
        return max(0.0, 1.0 - self.model_seconds / self.wall) if self.wall > 0 else math.nan

    @property
    def forward_calls(self) -> int:
        return sum(c for name, c in self.counts.items() if name.startswith(MODEL_FORWARD))

    @property
    def steps_per_second(self) -> float:
        """Model forward calls (each a step of a batch of rows) per second of wall time."""
        return self.forward_calls / self.wall if self.wall > 0 else math.nan

    def projected_minutes(self, test_trajectories: int, devices: int, efficiency: float = 1.0) -> float:
        """Minutes to gate ``test_trajectories`` on ``devices`` devices: the fixed cost (model
        loading and preflight) once per device, the rest scaled by trajectories, divided over
        the devices at ``efficiency`` (1: ideal; one device is itself, at 1)."""
        efficiency = efficiency if devices > 1 else 1.0
        fixed = self.fixed_seconds
        per_trajectory = (self.wall - fixed) / max(self.trajectories, 1)
        return (fixed + per_trajectory * test_trajectories / (devices * efficiency)) / 60.0

    @property
    def fixed_seconds(self) -> float:
        """The once-per-device cost: model loading and preflight."""
        return self.seconds.get(LOADING, 0.0) + self.seconds.get("model loading", 0.0)

    def rows(self) -> list[tuple[str, float, float, int]]:
        """``(phase, seconds, share of the wall, entries)``, model phases first, largest first."""
        order = sorted(self.seconds, key=lambda n: (not n.startswith(MODEL_FORWARD), -self.seconds[n]))
        return [(n, self.seconds[n], self.seconds[n] / self.wall, self.counts.get(n, 0)) for n in order]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "wall_seconds": self.wall,
            "phases": {n: {"seconds": s, "share": f, "entries": c} for n, s, f, c in self.rows()},
            "phases_sum_seconds": sum(self.seconds.values()),
            "physcheck_share": self.physcheck_share,
            "model_seconds": self.model_seconds,
            "forward_calls": self.forward_calls,
            "steps_per_second": self.steps_per_second,
            "trajectories": self.trajectories,
            "steps": self.steps,
            "device": self.device,
            "settings": self.settings,
        }


def bench(
    settings: Settings,
    model: str,
    *,
    rootdir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    outputs: Path | None = None,
) -> Bench:
    """Gate ``model`` (a configured model's name) once with ``settings`` and time it by phase.
    The results JSON is written to ``outputs`` (default: a temporary folder) as part of the
    timed gate."""
    from physcheck.outputs.document import suite_document
    from physcheck.outputs.results import write_results
    from physcheck.suite import Suite

    timer = PhaseTimer()
    started = time.perf_counter()
    with timed(timer, OTHER):
        suite = Suite(settings, rootdir=rootdir or Path.cwd(), progress=progress)
        if suite.device.type == "cuda":  # asynchronous: phase boundaries wait for the GPU
            import torch

            timer.synchronize = torch.cuda.synchronize
        with phase(LOADING):
            with phase("model loading"):
                suite.model(model)
            suite.validate(model)
        suite.results(model)
        with phase("outputs"), tempfile.TemporaryDirectory(prefix="physcheck-bench-") as folder:
            document = suite_document(suite, [model])
            write_results((outputs or Path(folder)) / "results.json", document)
    wall = time.perf_counter() - started
    return Bench(
        model=model,
        wall=wall,
        seconds=dict(timer.seconds),
        counts=dict(timer.counts),
        trajectories=len(suite.trajectories),
        steps=suite.window.n_steps,
        device=str(suite.device),
        settings=settings.summary(),
    )


@dataclass
class Scaling:
    """A gate measured on ``workers`` Dask workers against the same gate run serially:
    ``wall`` seconds there (the cluster's start-up and the workers' imports left out, their
    model loading in),
    ``serial`` the one-process ``Bench``."""

    workers: int
    wall: float
    serial: Bench

    @property
    def efficiency(self) -> float:
        """``(serial wall - its fixed cost) / (workers x (wall - that fixed cost))``: 1 when
        the per-trajectory work divides perfectly over the workers; at most 1 as used."""
        fixed = self.serial.fixed_seconds
        parallel = self.workers * max(self.wall - fixed, 1e-9)
        return max(self.serial.wall - fixed, 0.0) / parallel

    def to_dict(self) -> dict[str, Any]:
        return {"workers": self.workers, "wall_seconds": self.wall, "efficiency": self.efficiency}


def measure_scaling(
    settings: Settings,
    model: str,
    workers: int,
    serial: Bench,
    *,
    rootdir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Scaling:
    """Gate ``model`` again with its rollouts on a local Dask cluster of ``workers`` worker
    processes (one torch thread each) and compare with the ``serial`` bench. Needs
    ``distributed`` (``pip install 'physcheck[dask]'``)."""
    from physcheck.errors import ConfigError

    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "--scaling needs Dask's distributed: pip install 'physcheck[dask]'"
        ) from None
    from physcheck.executor import executor_for
    from physcheck.outputs.document import suite_document
    from physcheck.outputs.results import write_results
    from physcheck.suite import Suite

    with distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = "dask://" + str(cluster.scheduler_address).removeprefix("tcp://")
        on_cluster = dataclasses.replace(settings, executor=address)
        executor = executor_for(on_cluster, progress=progress)
        assert executor is not None
        try:
            # a cluster outlives one gate: its workers have imported torch and physcheck before
            for module in ("torch", "physcheck.executor", "physcheck.suite"):
                executor.client.run(importlib.import_module, module)
            started = time.perf_counter()
            suite = Suite(on_cluster, rootdir=rootdir or Path.cwd(), progress=progress, executor=executor)
            suite.model(model)
            suite.validate(model)
            suite.results(model)
            with tempfile.TemporaryDirectory(prefix="physcheck-bench-") as folder:
                write_results(Path(folder) / "results.json", suite_document(suite, [model]))
            wall = time.perf_counter() - started
        finally:
            executor.close()
    return Scaling(workers=workers, wall=wall, serial=serial)


def table(
    result: Bench,
    *,
    test_trajectories: int,
    devices: list[int],
    efficiency: float,
    scaling: Scaling | None = None,
) -> str:
    """The breakdown as a Markdown table, with the totals, the measured scaling (where
    measured) and the projections at ``efficiency``."""
    lines = [
        f"physcheck bench: {result.model} on {result.device}, {result.trajectories} trajectories x "
        f"{result.steps} steps, wall {result.wall:.1f} s",
        "",
        "| phase | seconds | share | entries |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {n} | {s:.2f} | {f:.1%} | {c} |" for n, s, f, c in result.rows()]
    total = sum(result.seconds.values())
    lines += [
        f"| **sum of the phases** | {total:.2f} | {total / result.wall:.1%} | |",
        "",
        f"model forward calls: {result.forward_calls} ({result.steps_per_second:.2f} per second); "
        f"the model's time {result.model_seconds:.1f} s; physcheck's own share "
        f"{result.physcheck_share:.1%}",
    ]
    if scaling is not None:
        lines.append(
            f"measured scaling: the same gate on {scaling.workers} Dask worker processes (one "
            f"thread each) took {scaling.wall:.1f} s against {result.wall:.1f} s in one process: "
            f"efficiency {scaling.efficiency:.2f}"
        )
    for n in devices:
        minutes = result.projected_minutes(test_trajectories, n, efficiency)
        lines.append(
            f"projected gate of {test_trajectories} test trajectories on {n} device(s): "
            f"{minutes:.1f} min"
            + (
                f" (scaling efficiency {efficiency:.2g}"
                + (", measured" if scaling is not None else "")
                + ")"
                if n > 1
                else ""
            )
        )
    return "\n".join(lines)

__all__ = [
    "LOADING",
    "MHD64_TEST_TRAJECTORIES",
    "OTHER",
    "Bench",
    "Scaling",
    "bench",
    "measure_scaling",
    "table",
]
