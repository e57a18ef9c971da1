"""Deterministic generation of forced MHD trajectories in The Well's layout.

Per (Ma, Ms) point and split, the point's trajectories are integrated together (batched):
seeded initial states (:mod:`physcheck.sim.initial`), ``spinup_intervals`` frame intervals of
spin-up, then ``n_frames`` saved frames. **Every** interval, spin-up included, is one call of
:func:`physcheck.sim.solver.advance_frame` on the generator's float64 state, so the exact
oracle (the same function started from a saved float32 frame) takes identical steps with
identical forcing. Frames are stored as float32.

Files: ``<root>/data/<split>/<set>_Ma_<Ma>_Ms_<Ms>.hdf5`` (one per point and split), with The
Well's ``simulation_parameters`` as root attrs and a JSON attr ``physcheck_solver`` holding the
solver configuration, the per-trajectory seeds and the frame <-> forcing-interval map.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from physcheck.data.writer import write_well_file
from physcheck.errors import ArgumentError
from physcheck.sim.initial import initial_state
from physcheck.sim.recipes import DatasetRecipe, PointRecipe
from physcheck.sim.solver import SolverConfig, advance_frame, resample

#: name of the JSON root attribute with everything the oracle needs
SOLVER_ATTR = "physcheck_solver"
#: frame arrays above this many bytes are kept in a temporary memory map, not in RAM
MEMMAP_BYTES = 1 << 30

ProgressCallback = Callable[[int, int], None]


@dataclass
class Frames:
    """Saved frames of a batch of trajectories, stored per Well field (float32):
    ``density [B, T, X, Y, Z]``, ``magnetic_field`` and ``velocity`` ``[B, T, X, Y, Z, 3]``."""

    density: np.ndarray
    magnetic_field: np.ndarray
    velocity: np.ndarray

    @classmethod
    def allocate(cls, n_traj: int, n_frames: int, n: int, directory: Path | None = None) -> Frames:
        shape = (n_traj, n_frames, n, n, n)
        nbytes = 7 * 4 * int(np.prod(shape))
        if directory is None or nbytes <= MEMMAP_BYTES:
            return cls(
                np.empty(shape, np.float32),
                np.empty((*shape, 3), np.float32),
                np.empty((*shape, 3), np.float32),
            )
        open_map = np.lib.format.open_memmap
        return cls(
            open_map(directory / "density.npy", "w+", np.float32, shape),
            open_map(directory / "magnetic_field.npy", "w+", np.float32, (*shape, 3)),
            open_map(directory / "velocity.npy", "w+", np.float32, (*shape, 3)),
        )

    def store(self, index: int, state: torch.Tensor) -> None:
        """Store Well-layout states ``[B, X, Y, Z, 7]`` as frame ``index``."""
        f = state.to(torch.float32).cpu().numpy()
        self.density[:, index] = f[..., 0]
        self.magnetic_field[:, index] = f[..., 1:4]
        self.velocity[:, index] = f[..., 4:7]

    def well(self) -> np.ndarray:
        """All frames in Well layout ``[B, T, X, Y, Z, 7]`` (a copy in RAM)."""
        return np.concatenate(
            (self.density[..., None], self.magnetic_field, self.velocity), axis=-1
        )

    def fields(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """(t0 fields, t1 fields) for the writer."""
        return {"density": self.density}, {
            "magnetic_field": self.magnetic_field,
            "velocity": self.velocity,
        }


def run_trajectories(
    config: SolverConfig,
    seeds: Sequence[int],
    n_frames: int,
    *,
    device: torch.device | str = "cpu",
    frames: Frames | None = None,
    on_frame: ProgressCallback | None = None,
    progress_offset: int = 0,
    progress_total: int | None = None,
    coarse: SolverConfig | None = None,
    fine_spinup_intervals: int = 0,
) -> Frames:
    """Spin up and run the trajectories ``seeds`` (batched) and return their saved frames.

    Interval ``j`` (``0 <= j < spinup_intervals + n_frames - 1``) is
    ``advance_frame(state, config, seeds, frame_index=j - spinup_intervals + 1)``.
    With ``coarse`` (a config on a coarser grid with the same frame interval, forcing and
    spin-up length), the spin-up intervals before the last ``fine_spinup_intervals`` run on
    the coarse grid and the state is then interpolated (:func:`resample`). ``on_frame(done,
    total)`` is called after every interval (offsets let a caller count over several points).
    """
    seeds = [int(s) for s in seeds]
    spin = config.spinup_intervals
    n_intervals = spin + n_frames - 1
    total = progress_total if progress_total is not None else n_intervals
    out = frames or Frames.allocate(len(seeds), n_frames, config.n)
    first_fine = 1 - spin  # frame index of the first interval on the fine grid
    if coarse is not None:
        _check_coarse(config, coarse)
        first_fine = 1 - min(fine_spinup_intervals, spin)
        state = initial_state(coarse, seeds, device=device)
    else:
        state = initial_state(config, seeds, device=device)
    if spin == 0:
        out.store(0, state)
    for done, k in enumerate(range(1 - spin, n_frames), start=1):
        if coarse is not None and k < first_fine:
            state = advance_frame(state, coarse, seeds, k)
            if k == first_fine - 1:
                state = resample(state, coarse, config.n)
        else:
            state = advance_frame(state, config, seeds, k)
        if k >= 0:
            out.store(k, state)
        if on_frame is not None:
            on_frame(progress_offset + done, total)
    return out


def _check_coarse(config: SolverConfig, coarse: SolverConfig) -> None:
    same = ("frame_interval", "spinup_intervals", "forcing_amplitude", "forcing_correlation")
    for name in same:
        if getattr(config, name) != getattr(coarse, name):
            raise ArgumentError(f"the coarse spin-up config differs from the run in {name}")
    if coarse.n >= config.n:
        raise ArgumentError(f"the coarse spin-up grid ({coarse.n}) must be coarser than {config.n}")


def solver_record(config: SolverConfig, seeds: Sequence[int], **extra: Any) -> dict[str, Any]:
    """The ``physcheck_solver`` attribute: config fields, ``seeds`` (one per trajectory, in file
    order) and the frame -> forcing-interval rule."""
    return dict(
        config.to_attrs(),
        seeds=[int(s) for s in seeds],
        dt=config.dt,
        forcing_interval_of_frame="spinup_intervals + k - 1 for the step from frame k-1 to k",
        **extra,
    )


def read_solver_record(raw: str | dict[str, Any]) -> tuple[SolverConfig, list[int]]:
    """``(config, seeds)`` from a file's ``physcheck_solver`` attribute (JSON text or dict)."""
    record = json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)
    return SolverConfig.from_attrs(record), [int(s) for s in record.get("seeds", [])]


def write_point(
    path: Path,
    recipe: DatasetRecipe,
    point: PointRecipe,
    split: str,
    *,
    device: torch.device | str = "cpu",
    on_frame: ProgressCallback | None = None,
    progress_offset: int = 0,
    progress_total: int | None = None,
) -> Path:
    """Generate one point's trajectories of ``split`` and write them to ``path``."""
    config = recipe.config(point)
    seeds = recipe.seeds(point, split)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".frames-") as tmp:
        frames = Frames.allocate(len(seeds), recipe.n_frames, recipe.n, Path(tmp))
        coarse = None
        if recipe.coarse_spinup_n:
            coarse_recipe = recipe.coarse()
            coarse = coarse_recipe.config(coarse_recipe.point(point.Ma, point.Ms))
        run_trajectories(
            config,
            seeds,
            recipe.n_frames,
            device=device,
            frames=frames,
            on_frame=on_frame,
            progress_offset=progress_offset,
            progress_total=progress_total,
            coarse=coarse,
            fine_spinup_intervals=recipe.fine_spinup_intervals,
        )
        scalar_fields, vector_fields = frames.fields()
        record = solver_record(config, seeds, dataset=recipe.name, split=split)
        write_well_file(
            path,
            dataset_name=recipe.name,
            scalar_fields=scalar_fields,
            vector_fields=vector_fields,
            times=np.arange(recipe.n_frames) * point.frame_interval,
            box_size=recipe.box_size,
            parameters=recipe.simulation_parameters(point),
            extra_attrs={SOLVER_ATTR: record},
        )
    return path


def build(
    recipe: DatasetRecipe,
    root: Path,
    *,
    splits: Iterable[str] = ("test",),
    points: Iterable[PointRecipe] | None = None,
    device: torch.device | str = "cpu",
    on_frame: ProgressCallback | None = None,
) -> list[Path]:
    """Generate ``splits`` of ``recipe`` (every point unless ``points``) under ``root``;
    returns the written files. ``on_frame(done, total)`` counts intervals over all of them."""
    chosen = list(points) if points is not None else list(recipe.points)
    jobs = [(p, s) for s in splits for p in chosen]
    sizes = [recipe.spinup(p) + recipe.n_frames - 1 for p, _ in jobs]
    total = sum(sizes)
    written = []
    for i, (point, split) in enumerate(jobs):
        written.append(
            write_point(
                recipe.file_path(root, point, split),
                recipe,
                point,
                split,
                device=device,
                on_frame=on_frame,
                progress_offset=sum(sizes[:i]),
                progress_total=total,
            )
        )
    return written


def statistics(paths: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """``stats.yaml`` content (``mean/std/rms`` and their ``_delta`` versions per field, over
    trajectories, time and space; per component for vectors; deltas are frame-to-frame
    differences) of the given Well files, streamed trajectory by trajectory in float64."""
    import h5py

    sums: dict[str, dict[str, np.ndarray]] = {}
    counts: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        for path in paths:
            f = stack.enter_context(h5py.File(path, "r"))
            for group in ("t0_fields", "t1_fields"):
                for name in f[group].attrs["field_names"]:
                    data = f[group][name]
                    for b in range(data.shape[0]):
                        traj = np.asarray(data[b], dtype=np.float64)
                        axes = (0, 1, 2, 3)
                        for key, values in (("", traj), ("_delta", np.diff(traj, axis=0))):
                            acc = sums.setdefault(name + key, {})
                            acc["s1"] = acc.get("s1", 0.0) + values.sum(axis=axes)
                            acc["s2"] = acc.get("s2", 0.0) + (values**2).sum(axis=axes)
                            counts.setdefault(name, {}).setdefault(key, 0.0)
                            counts[name][key] += float(np.prod(values.shape[:4]))
    stats: dict[str, dict[str, Any]] = {
        k: {} for k in ("mean", "std", "rms", "mean_delta", "std_delta", "rms_delta")
    }
    for name in counts:
        for key in ("", "_delta"):
            acc, count = sums[name + key], counts[name][key]
            mean = acc["s1"] / count
            ms = acc["s2"] / count
            stats["mean" + key][name] = np.asarray(mean).tolist()
            stats["std" + key][name] = np.sqrt(np.maximum(ms - mean**2, 0.0)).tolist()
            stats["rms" + key][name] = np.sqrt(ms).tolist()
    return stats


__all__ = [
    "SOLVER_ATTR",
    "Frames",
    "build",
    "read_solver_record",
    "run_trajectories",
    "solver_record",
    "statistics",
    "write_point",
]
