"""Seeded initial states: uniform density, random large-scale solenoidal velocity and field.

Each trajectory's random numbers come from
``numpy.random.default_rng(SeedSequence([seed, INITIAL_STREAM]))`` (platform independent),
so the initial state depends only on the seed, the grid and the Mach numbers.
"""

from __future__ import annotations

import numpy as np
import torch

from physcheck.sim.forcing import INITIAL_STREAM
from physcheck.sim.solver import IsothermalMHD, SolverConfig, solver_for

#: rms |u| of the initial velocity as a fraction of Ms, rms |b| as a fraction of B0
VELOCITY_FRACTION = 1.0
FIELD_FRACTION = 0.3
#: shell power of the initial fields ~ n^INITIAL_SLOPE for 1 <= |n| (large scales)
INITIAL_SLOPE = -4.0


def _random_solenoidal(solver: IsothermalMHD, rng: np.random.Generator, rms: float) -> torch.Tensor:
    """One random solenoidal field ``[1, 3, X, Y, Z]`` (float64) with volume rms |v| = ``rms``."""
    g = solver.grid
    noise = torch.as_tensor(rng.standard_normal((1, 3, g.n, g.n, g.n))).to(
        device=g.device, dtype=g.dtype
    )
    n_mag = torch.sqrt((g.n_int**2).sum(0))
    amplitude = (
        torch.where(n_mag > 0, n_mag.clamp(min=1.0) ** ((INITIAL_SLOPE - 2) / 2), 0.0) * g.dealias
    )
    field = g.ifft(g.project(g.fft(noise) * amplitude))
    norm = torch.sqrt((field**2).sum(1).mean())
    return field * (rms / norm) if rms > 0 else torch.zeros_like(field)


def initial_state(
    config: SolverConfig, seeds: list[int], *, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Well-layout initial frames ``[B, X, Y, Z, 7]`` float64 for the given trajectory seeds."""
    solver = solver_for(config, device)
    frames = []
    for seed in seeds:
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), INITIAL_STREAM]))
        u = _random_solenoidal(solver, rng, VELOCITY_FRACTION * config.Ms)
        b = _random_solenoidal(solver, rng, FIELD_FRACTION * config.B0)
        b[:, 0] += config.B0
        rho = torch.ones_like(u[:, :1])
        frames.append(torch.cat((rho, b, u), dim=1).movedim(1, -1))
    return torch.cat(frames)


__all__ = ["initial_state"]
