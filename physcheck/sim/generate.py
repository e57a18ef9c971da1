"""Deterministic generation of MHD trajectories in The Well's layout.

Each trajectory starts from a random large-scale solenoidal velocity (rms ``Ms``) and
magnetic fluctuation (rms ``0.3 B0``) at uniform density, is spun up for ``spin_up``
time units under the static forcing, and then ``n_frames`` frames are saved every
``frame_interval``. Everything is fixed by the seeds, so the same command gives the
same files on the same machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from physcheck.data.writer import field_statistics, write_well_file
from physcheck.sim.solver import IsothermalMHD, SolverConfig

#: rms of the initial magnetic fluctuation, as a fraction of B0
B_FLUCTUATION = 0.3
#: spectral slope of the initial random fields' shell power (large scales)
INITIAL_SLOPE = -4.0


@dataclass(frozen=True)
class RunSettings:
    """Length and cadence of a generated run (time in solver units)."""

    n_frames: int = 100
    frame_interval: float = 0.5
    spin_up: float = 20.0


def _random_solenoidal(
    solver: IsothermalMHD, batch: int, rms: float, generator: torch.Generator
) -> torch.Tensor:
    g = solver.grid
    noise = torch.randn((batch, 3, g.n, g.n, g.n), generator=generator, dtype=torch.float64).to(
        device=g.device, dtype=g.dtype
    )
    n_mag = torch.sqrt(g.n_int[0] ** 2 + g.n_int[1] ** 2 + g.n_int[2] ** 2)
    amplitude = (
        torch.where(n_mag > 0, torch.clamp(n_mag, min=1.0) ** ((INITIAL_SLOPE - 2) / 2), 0.0)
        * g.dealias
    )
    field = g.ifft(g.project(g.fft(noise) * amplitude))
    norm = torch.sqrt((field**2).sum(1).mean(dim=(-3, -2, -1)))
    return field * (rms / norm)[:, None, None, None, None]


def initial_state(solver: IsothermalMHD, seeds: list[int]) -> torch.Tensor:
    """Well-layout initial frames ``[B, X, Y, Z, 7]`` for the given trajectory seeds."""
    cfg = solver.config
    frames = []
    for seed in seeds:
        gen = torch.Generator().manual_seed(seed)
        u = _random_solenoidal(solver, 1, cfg.Ms, gen)
        b = _random_solenoidal(solver, 1, B_FLUCTUATION * cfg.B0, gen)
        b[:, 0] += cfg.B0
        rho = torch.ones_like(u[:, 0])
        frames.append(solver.to_well(solver.from_grid(rho, u, b)))
    return torch.cat(frames)


def generate(
    config: SolverConfig,
    seeds: list[int],
    settings: RunSettings = RunSettings(),
    *,
    device: str = "cpu",
) -> np.ndarray:
    """Run one trajectory per seed (batched); returns float32 frames ``[B, T, X, Y, Z, 7]``."""
    solver = IsothermalMHD(config, device=device, dtype=torch.float64)
    state = solver.from_well(initial_state(solver, seeds))
    state = solver.advance(state, settings.spin_up)
    frames = []
    for i in range(settings.n_frames):
        if i > 0:
            state = solver.advance(state, settings.frame_interval)
        frames.append(solver.to_well(state).to(torch.float32).cpu().numpy())
    out = np.stack(frames, axis=1)
    if not np.isfinite(out).all():
        raise RuntimeError(
            "the reference solver produced non-finite values; lower the CFL number or raise nu/eta"
        )
    return out


def split_fields(frames: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Well-layout frames ``[..., 7]`` -> (t0 fields, t1 fields) dicts for the writer."""
    return {"density": frames[..., 0]}, {
        "magnetic_field": frames[..., 1:4],
        "velocity": frames[..., 4:7],
    }


def write_trajectories(
    path: Path,
    dataset_name: str,
    config: SolverConfig,
    seeds: list[int],
    settings: RunSettings,
    *,
    device: str = "cpu",
) -> tuple[Path, np.ndarray]:
    """Generate and write one file; returns its path and the frames."""
    frames = generate(config, seeds, settings, device=device)
    scalar_fields, vector_fields = split_fields(frames)
    solver_attrs = dict(
        config.to_attrs(),
        frame_interval=settings.frame_interval,
        spin_up=settings.spin_up,
        seeds=list(seeds),
    )
    write_well_file(
        path,
        dataset_name=dataset_name,
        scalar_fields=scalar_fields,
        vector_fields=vector_fields,
        times=np.arange(settings.n_frames) * settings.frame_interval,
        box_size=config.box_size,
        parameters={
            "Ma": config.Ma,
            "Ms": config.Ms,
            "B0": config.B0,
            "nu": config.nu,
            "eta": config.eta,
            "dt": settings.frame_interval,
            "box_size": config.box_size,
        },
        extra_attrs={"physcheck_solver": solver_attrs},
    )
    return path, frames


def statistics(frames: np.ndarray) -> dict[str, Any]:
    """``stats.yaml`` content of a split's frames."""
    return field_statistics(*split_fields(frames))


__all__ = ["RunSettings", "generate", "initial_state", "statistics", "write_trajectories"]
