"""physcheck's shear_flow data sets: recipes (pure data, torch-free at import) and their build.

A :class:`ShearFlowRecipe` fixes a set: the grid, the (Reynolds, Schmidt) points (one Well
file per point and split, as The Well stores ``shear_flow``), the initial conditions of each
point's trajectories (``(width, n_shear, n_blobs)``), the frames and the fixed substeps of the
solver (``physcheck.sim.shear_flow``). The initial conditions are deterministic (the card's
``init = default``), so a build needs no seeds. Sets:

- ``shear-flow-smoke``: 64 x 128, one point (Re 1e4, Sc 0.2), 3 trajectories of 40 frames;
  shipped under ``fixtures/shear-flow-smoke``.
- ``shear-flow``: 64 x 128 (the card's grid halved), Re 1e4 at Sc 0.2 and 1, 4 trajectories
  each, 120 frames: the default for the profile, built on first use (about a minute on two
  CPU cores) and checked against ``physcheck/manifests/shear-flow.json``.

The card's grid at 64 x 128 under-resolves its higher Reynolds numbers: a spectral solver's
fronts ring, and the truth's tracer leaves its initial range (by 80 % of it at Re 5e4 on
32 x 64). The smoke and default sets keep to initial conditions resolved at Re 1e4; the
``bounds`` check judges a model against the truth's own range, overshoot included.
- ``shear-flow-like``: 128 x 256, the card's (Re, Sc) grid, 200 frames at dt 0.1: on demand
  (``physcheck fixtures build shear-flow-like``).

``stats.yaml`` comes from the built split itself (these sets have only a test split).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the Well's shear_flow field names, as physcheck's fingerprints and manifests list them
FIELDS = (("t0_fields", "tracer", 1), ("t0_fields", "pressure", 1), ("t1_fields", "velocity", 2))
FRAME_INTERVAL = 0.1

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ShearFlowPoint:
    """One file: ``reynolds`` and ``schmidt``, and the initial condition of each trajectory,
    ``(width, n_shear, n_blobs)``."""

    reynolds: float
    schmidt: float
    shapes: tuple[tuple[float, int, int], ...]

    @property
    def label(self) -> str:
        """``Reynolds_5e+04_Schmidt_1``: the file-name part, as The Well names its files."""
        return f"Reynolds_{self.reynolds:.0e}_Schmidt_{self.schmidt:g}"


@dataclass(frozen=True)
class ShearFlowRecipe:
    """A shear_flow set: ``nx x ny`` grid, ``points``, ``n_frames`` saved frames at
    ``FRAME_INTERVAL``, ``substeps`` solver steps per frame; see the module docstring."""

    name: str
    nx: int
    ny: int
    points: tuple[ShearFlowPoint, ...]
    n_frames: int
    substeps: int
    build_on_first_use: bool = True
    description: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def trajectories(self) -> tuple[tuple[str, int], ...]:
        """``(split, trajectories per point)``: a test split only."""
        return (("test", len(self.points[0].shapes)),)

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.nx, self.ny)

    def file_name(self, point: ShearFlowPoint) -> str:
        return f"shear_flow_{point.label}.hdf5"

    def file_path(self, root: str | Path, point: ShearFlowPoint, split: str) -> Path:
        return Path(root) / "data" / split / self.file_name(point)

    def work(self, splits: Sequence[str]) -> int:
        """Progress units of a build: frame intervals over every trajectory."""
        n_traj = sum(len(p.shapes) for p in self.points)
        return len(splits) * n_traj * (self.n_frames - 1)

    def split_paths(self, root: str | Path, split: str) -> list[Path]:
        """The files of ``split`` under ``root`` (one per point)."""
        return [self.file_path(root, p, split) for p in self.points]

    def structure(self) -> dict[str, dict[str, Any]]:
        """``{"data/<split>/<file>": entry}``: every file's structural entry
        (``physcheck.datasets.recipe_manifest``)."""
        return {
            f"data/{split}/{self.file_name(p)}": self.manifest_entry(p, count)
            for split, count in self.trajectories
            for p in self.points
        }

    def manifest_entry(self, point: ShearFlowPoint, count: int) -> dict[str, Any]:
        """One file's structural entry."""
        return {
            "n_trajectories": count,
            "n_time": self.n_frames,
            "shape": [self.nx, self.ny],
            "dt": FRAME_INTERVAL,
            "fields": {
                group: [f for g, f, _ in FIELDS if g == group]
                for group in ("t0_fields", "t1_fields", "t2_fields")
            },
            "dtype": "float32",
            "parameters": {"Reynolds": point.reynolds, "Schmidt": point.schmidt},
        }

    def generate(
        self,
        root: Path,
        *,
        splits: Iterable[str] = ("test",),
        device: str = "cpu",
        on_frame: ProgressCallback | None = None,
    ) -> list[Path]:
        """Write every point's file of ``splits`` under ``root`` and ``root/stats.yaml``."""
        return build(self, root, splits=splits, device=device, on_frame=on_frame)


def _shapes(*triples: tuple[float, int, int]) -> tuple[tuple[float, int, int], ...]:
    return tuple(triples)


#: initial conditions resolved on 64 x 128 at Re 1e4: the tracer's maximum principle holds in
#: the truth to 0.7 % of its range at Sc 0.2 (18 % at Sc 1, where the fronts are sharper)
_RESOLVED = _shapes((1.0, 4, 3), (1.0, 4, 2), (2.0, 4, 3), (2.0, 4, 5))

SHEAR_FLOW_SMOKE = ShearFlowRecipe(
    name="shear-flow-smoke",
    nx=64,
    ny=128,
    points=(ShearFlowPoint(1e4, 0.2, _RESOLVED[:3]),),
    n_frames=40,
    substeps=16,
    description="64 x 128 shear flow, Re 1e4, Sc 0.2, 3 trajectories: shipped for fast tests.",
)
SHEAR_FLOW = ShearFlowRecipe(
    name="shear-flow",
    nx=64,
    ny=128,
    points=tuple(ShearFlowPoint(1e4, sc, _RESOLVED) for sc in (0.2, 1.0)),
    n_frames=120,
    substeps=16,
    description="64 x 128 shear flow, Re 1e4, Sc 0.2 and 1: the shear_flow profile's default.",
)
SHEAR_FLOW_LIKE = ShearFlowRecipe(
    name="shear-flow-like",
    nx=128,
    ny=256,
    points=tuple(
        ShearFlowPoint(re, sc, _shapes((0.5, 4, 3), (1.0, 2, 2), (0.25, 4, 5), (2.0, 2, 4)))
        for re in (1e4, 5e4, 1e5, 5e5)
        for sc in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
    ),
    n_frames=200,
    substeps=32,
    build_on_first_use=False,
    description="128 x 256 shear flow, the card's (Re, Sc) grid, 200 frames: build on demand.",
)

RECIPES: dict[str, ShearFlowRecipe] = {
    r.name: r for r in (SHEAR_FLOW_SMOKE, SHEAR_FLOW, SHEAR_FLOW_LIKE)
}


def build(
    recipe: ShearFlowRecipe,
    root: Path,
    *,
    splits: Iterable[str] = ("test",),
    device: str = "cpu",
    on_frame: ProgressCallback | None = None,
) -> list[Path]:
    """Generate ``splits`` of ``recipe`` under ``root`` (one Well file per point) and its
    ``stats.yaml``; ``on_frame(done, total)`` counts frame intervals."""
    import numpy as np
    import torch

    from physcheck.data.writer import field_statistics, write_stats, write_well_file
    from physcheck.sim.shear_flow import (
        BOX,
        Y_ORIGIN,
        PeriodicGrid2D,
        ShearFlowParameters,
        ShearFlowSolver,
        initial_condition,
    )

    splits = list(splits)
    total, done, written = recipe.work(splits), 0, []
    grid = PeriodicGrid2D(recipe.nx, recipe.ny, device=device)
    everything: dict[str, list[np.ndarray]] = {name: [] for _, name, _ in FIELDS}
    for split in splits:
        for point in recipe.points:
            frames: dict[str, list[np.ndarray]] = {name: [] for _, name, _ in FIELDS}
            for width, n_shear, n_blobs in point.shapes:
                parameters = ShearFlowParameters(
                    point.reynolds, point.schmidt, width, n_shear, n_blobs
                )
                velocity, tracer = initial_condition(grid, parameters)
                solver = ShearFlowSolver(grid, parameters, substeps=recipe.substeps)

                def tick(index: int) -> None:
                    nonlocal done
                    if index and on_frame is not None:
                        done += 1
                        on_frame(done, total)

                with torch.no_grad():
                    out = solver.frames(velocity[None], tracer[None], recipe.n_frames, tick)
                for name in frames:
                    frames[name].append(out[name][0].cpu().numpy().astype(np.float32))
            arrays = {name: np.stack(values) for name, values in frames.items()}
            for name, values in arrays.items():
                everything[name].append(values)
            path = recipe.file_path(root, point, split)
            write_well_file(
                path,
                dataset_name=recipe.name,
                scalar_fields={"tracer": arrays["tracer"], "pressure": arrays["pressure"]},
                vector_fields={"velocity": arrays["velocity"]},
                times=np.arange(recipe.n_frames) * FRAME_INTERVAL,
                box_size=BOX,
                origin=(0.0, Y_ORIGIN),
                parameters={"Reynolds": point.reynolds, "Schmidt": point.schmidt},
                extra_attrs={
                    "physcheck_solver": {
                        "solver": "physcheck.sim.shear_flow",
                        "grid": [recipe.nx, recipe.ny],
                        "substeps": recipe.substeps,
                        "initial_conditions": [list(s) for s in point.shapes],
                    }
                },
            )
            written.append(path)
    joined = {name: np.concatenate(values) for name, values in everything.items()}
    write_stats(
        Path(root) / "stats.yaml",
        field_statistics(
            {"tracer": joined["tracer"], "pressure": joined["pressure"]},
            {"velocity": joined["velocity"]},
        ),
    )
    return written


__all__ = [
    "FIELDS",
    "FRAME_INTERVAL",
    "RECIPES",
    "SHEAR_FLOW",
    "SHEAR_FLOW_LIKE",
    "SHEAR_FLOW_SMOKE",
    "ShearFlowPoint",
    "ShearFlowRecipe",
    "build",
]
