"""Small synthetic Well-format data sets for any profile, and replay models that break one of
its declared constraints.

``write_synthetic`` writes ``data/test/<dataset>.hdf5`` and ``stats.yaml`` on a tiny grid (a
few frames, 2 trajectories): every field a pattern of two plane waves translating at a velocity
of its own per trajectory, exactly on the periodic grid (so every field's mean is conserved).
Every scalar field (positive, bounded or neither) stays in ``[0.1, 0.9]``; vector fields are the
central-difference curl of a stream function (of a vector potential in 3D), so their
central-difference divergence is zero to rounding; tensors are symmetric.

The models (``tests.zoo.Replay`` matched on every channel, the profile found from the data as
a run finds it, the generic one where no profile knows the data):
``exact`` replays the truth; ``break_positivity`` dips the first positive field below 0 at its
minimum cell, ``break_bounds`` lifts the first bounded field past its range at its maximum
cell, ``break_budgets`` adds 3 % of its level to the first conserved field, and
``break_solenoidality`` adds a small gradient to the divergence-free field: each breaks one
constraint at every step and changes the state too little for any other check to see.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from physcheck.data.writer import field_statistics, write_stats, write_well_file
from physcheck.fields import FieldLayout
from physcheck.profiles import Profile, profile_for
from tests.zoo import Replay

N_TRAJ, N_TIME = 2, 14
#: first predicted frame 3, one history frame, 10 steps
WINDOW = "3:1:10"


def _wave(grid: list[np.ndarray], t: float, k: Sequence[int], c: np.ndarray, phase: float) -> np.ndarray:
    """``sin(2 pi sum_i k_i (x_i - c_i t) / N_i + phase)`` on the grid (cell units)."""
    arg = sum(2 * math.pi * ki * (x - ci * t) / x.shape[i] for i, (ki, x, ci) in enumerate(zip(k, grid, c, strict=True)))
    return np.sin(arg + phase)


def _pattern(grid: list[np.ndarray], t: float, c: np.ndarray, rng_phases: np.ndarray) -> np.ndarray:
    """Two plane waves (wavenumbers 1 along x and 1 along every axis), in ``[-1, 1]``."""
    dims = len(grid)
    first = _wave(grid, t, (1,) + (0,) * (dims - 1), c, rng_phases[0])
    second = _wave(grid, t, (1,) * dims, c, rng_phases[1])
    return 0.6 * first + 0.4 * second


def _central(field: np.ndarray, axis: int) -> np.ndarray:
    """The periodic central difference along ``axis`` (grid units)."""
    return (np.roll(field, -1, axis=axis) - np.roll(field, 1, axis=axis)) / 2


def _solenoidal(potentials: list[np.ndarray]) -> np.ndarray:
    """``[*S, D]``: the central-difference curl of a stream function (2D: one potential) or of a
    vector potential (3D: three); its central-difference divergence is 0 to rounding."""
    if len(potentials) == 1:
        psi = potentials[0]
        return np.stack([_central(psi, 1), -_central(psi, 0)], axis=-1)
    a = potentials
    return np.stack(
        [
            _central(a[2], 1) - _central(a[1], 2),
            _central(a[0], 2) - _central(a[2], 0),
            _central(a[1], 0) - _central(a[0], 1),
        ],
        axis=-1,
    )


def synthetic_fields(profile: Profile, shape: Sequence[int], seed: int = 0) -> dict[str, np.ndarray]:
    """Every field of ``profile`` on ``shape``: ``[B, T, *S]`` scalars, ``[B, T, *S, D]``
    vectors, ``[B, T, *S, D, D]`` tensors (float64)."""
    rng = np.random.default_rng(seed)
    dims = len(shape)
    grid = list(np.meshgrid(*(np.arange(n, dtype=np.float64) for n in shape), indexing="ij"))
    fields: dict[str, np.ndarray] = {}
    for spec in profile.fields:
        trajectories = []
        for _ in range(N_TRAJ):
            # half a cell per frame or so along each axis: persistence is far from the truth
            c = rng.choice([-1.0, 1.0], size=dims) * rng.uniform(0.4, 0.7, size=dims)
            n_patterns = {"scalar": 1, "tensor": 3}.get(spec.kind, 1 if dims == 2 else 3)
            phases = rng.uniform(0, 2 * math.pi, size=(n_patterns, 2))
            frames = []
            for t in range(N_TIME):
                patterns = [_pattern(grid, t, c, p) for p in phases]
                if spec.is_scalar:
                    frames.append(0.5 + 0.4 * patterns[0])
                elif spec.is_vector:
                    frames.append(_solenoidal([2.0 * p for p in patterns]))
                else:
                    frames.append(_symmetric(patterns, dims))
            trajectories.append(np.stack(frames))
        fields[spec.name] = np.stack(trajectories)
    return fields


def _symmetric(patterns: list[np.ndarray], dims: int) -> np.ndarray:
    """A symmetric tensor ``[*S, D, D]``: 1 + 0.3 g on the diagonal, 0.2 g off it."""
    out = np.empty((*patterns[0].shape, dims, dims))
    for i in range(dims):
        for j in range(i, dims):
            value = 1.0 + 0.3 * patterns[(i + j) % 3] if i == j else 0.2 * patterns[(i + j) % 3]
            out[..., i, j] = out[..., j, i] = value
    return out


def write_synthetic(
    root: Path,
    profile: Profile,
    shape: Sequence[int],
    *,
    dataset_name: str | None = None,
    boundaries: Mapping[str, str] | None = None,
    seed: int = 0,
) -> Path:
    """A Well dataset dir under ``root`` (``data/test/<name>.hdf5``, ``stats.yaml``) holding
    ``profile``'s fields on ``shape``, named ``dataset_name`` (the profile's first dataset name
    unless given), with ``boundaries`` (axis -> type; periodic elsewhere) on the profile's axes."""
    name = dataset_name or profile.dataset_names[0]
    fields = synthetic_fields(profile, shape, seed)
    kinds = {f.name: f.kind for f in profile.fields}
    scalars = {n: v for n, v in fields.items() if kinds[n] == "scalar"}
    vectors = {n: v for n, v in fields.items() if kinds[n] in ("vector", "pseudovector")}
    tensors = {n: v for n, v in fields.items() if kinds[n] == "tensor"}
    write_well_file(
        root / "data" / "test" / f"{name}.hdf5",
        dataset_name=name,
        scalar_fields=scalars,
        vector_fields=vectors,
        tensor_fields=tensors,
        times=np.arange(N_TIME, dtype=np.float32),
        box_size=[float(n) for n in shape],
        parameters={},
        boundaries=boundaries,
        axes=profile.axis_names,
        compression=None,
    )
    flat = {n: v.reshape(*v.shape[: 2 + len(shape)], -1) for n, v in tensors.items()}
    write_stats(root / "stats.yaml", field_statistics(scalars, {**vectors, **flat}))
    return root


class ProfileReplay(Replay):
    """``tests.zoo.Replay`` on any profile's data: the true next frame of the nearest true
    frame, matched on every channel; ``modify`` breaks nothing."""

    carry = False

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.profile = profile_for(data.name, data.field_names, generic=data.generic_profile())
        self.layout = FieldLayout.of(self.profile)

    def channels(self, field: str) -> list[int]:
        return [self.layout.index(c) for c in self.profile.field_channels(field)]

    def match(self, last: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        frames = self.frames[:, :-1].to(last.dtype)
        candidates = frames.flatten(2).flatten(0, 1)
        dist = torch.cdist(last.flatten(1)[None].double(), candidates[None].double())[0]
        best = torch.nan_to_num(dist, nan=math.inf).argmin(dim=1)
        traj, t = best // frames.shape[1], best % frames.shape[1]
        return traj, t, frames[traj, t]


def _cell(values: torch.Tensor, largest: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Per sample of ``values [B, *S]``: the flat index of its extreme cell, and the sample's
    values flattened ``[B, P]``."""
    flat = values.flatten(1)
    return (flat.argmax(dim=1) if largest else flat.argmin(dim=1)), flat


class BreakPositivity(ProfileReplay):
    """Sets the first positive field to -0.05 at its minimum cell, every step."""

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        c = self.channels(self.profile.positive[0])[0]
        where, flat = _cell(out[..., c], largest=False)
        flat[torch.arange(len(where)), where] = -0.05
        out[..., c] = flat.view(out[..., c].shape)
        return out


class BreakBounds(ProfileReplay):
    """Lifts the first bounded field at its maximum cell by 40 % of its range, every step."""

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        c = self.channels(self.profile.bounded[0])[0]
        where, flat = _cell(out[..., c], largest=True)
        span = flat.max(dim=1).values - flat.min(dim=1).values
        rows = torch.arange(len(where))
        flat[rows, where] += 0.4 * span
        out[..., c] = flat.view(out[..., c].shape)
        return out


class BreakBudgets(ProfileReplay):
    """Adds 3 % of its level (1) to the first conserved field: its integral drifts."""

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        out[..., self.channels(self.profile.conserved_fields[0])] += 0.03
        return out


class BreakSolenoidality(ProfileReplay):
    """Adds ``grad phi`` to the divergence-free field, ``phi = 0.02 prod_i cos(2 pi x_i /
    N_i)`` (grid units): a divergence the truth does not have, a change of ~1 % of the field."""

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        shape = out.shape[1:-1]
        axes = [torch.arange(n, dtype=out.dtype, device=out.device) for n in shape]
        grid = torch.meshgrid(*axes, indexing="ij")
        k = [2 * math.pi / n for n in shape]
        cosines = [torch.cos(ki * x) for ki, x in zip(k, grid, strict=True)]
        for i, c in enumerate(self.channels(self.profile.divergence_free[0])):
            term = -0.02 * k[i] * torch.sin(k[i] * grid[i])
            for j, cos in enumerate(cosines):
                if j != i:
                    term = term * cos
            out[..., c] += term
        return out


def exact(data: Any) -> Replay:
    return ProfileReplay(data)


def break_positivity(data: Any) -> Replay:
    return BreakPositivity(data)


def break_bounds(data: Any) -> Replay:
    return BreakBounds(data)


def break_budgets(data: Any) -> Replay:
    return BreakBudgets(data)


def break_solenoidality(data: Any) -> Replay:
    return BreakSolenoidality(data)


#: the model breaking each constraint check
BREAKERS = {
    "positivity": "break_positivity",
    "bounds": "break_bounds",
    "budgets": "break_budgets",
    "solenoidality": "break_solenoidality",
}
