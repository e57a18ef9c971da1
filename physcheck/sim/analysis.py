"""Measurements of the reference dynamics: perturbation growth (chaos) and its rate.

States are Well layout ``[B, X, Y, Z, 7]``; distances are the channel mean of
``rms_S(a - b) / std_S(a)`` (dimensionless), the same normalisation as a channel-mean VRMSE.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from physcheck.sim.solver import SolverConfig, advance_frame, solver_for


def relative_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Channel mean of ``rms_S(a - b) / std_S(a)``, ``[B]``."""
    dims = (1, 2, 3)
    return ((a - b).pow(2).mean(dim=dims).sqrt() / a.std(dim=dims)).mean(dim=-1)


def perturb(
    state: torch.Tensor, config: SolverConfig, eps: float, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(base, perturbed)`` float64 states whose per-channel relative rms difference is ``eps``.

    The perturbation is Gaussian noise restricted to what the solver resolves (the 2/3-rule
    modes, solenoidal in B): ``base`` is ``state`` seen through the solver's variables and
    ``perturbed - base`` has ``std_S = eps * std_S(base)`` in every channel.
    """
    solver = solver_for(config, state.device)
    x = state.to(torch.float64)
    base = solver.to_well(solver.from_well(x))
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(x.shape, generator=generator, dtype=torch.float64).to(x.device)
    std = base.std(dim=(1, 2, 3), keepdim=True)
    delta = solver.to_well(solver.from_well(base + 1e-3 * eps * std * noise)) - base
    delta = delta * (eps * std / delta.std(dim=(1, 2, 3), keepdim=True))
    return base, base + delta


def perturbation_growth(
    state: torch.Tensor,
    config: SolverConfig,
    seeds: Sequence[int],
    frame_index: int,
    n_frames: int,
    *,
    eps: float = 1e-6,
    seed: int = 0,
) -> np.ndarray:
    """Growth of an ``eps`` relative perturbation of saved frame ``frame_index`` over the next
    ``n_frames`` frames: ``[n_frames, B]``, the distance (:func:`relative_distance`) between the
    perturbed and unperturbed runs divided by ``eps``. Both runs see the same forcing."""
    a, b = perturb(state, config, eps, seed=seed)
    growth = []
    for k in range(frame_index + 1, frame_index + n_frames + 1):
        a = advance_frame(a, config, list(seeds), k)
        b = advance_frame(b, config, list(seeds), k)
        growth.append((relative_distance(a, b) / eps).cpu().numpy())
    return np.stack(growth)


def lyapunov_rate(growth: np.ndarray, *, lo: float = 3.0, hi: float = 1e4) -> np.ndarray:
    """Finite-time Lyapunov exponent per frame interval, ``[B]``: the least-squares slope of
    ``ln growth`` against the frame number over the frames whose growth lies in ``[lo, hi]``
    (past the initial transient, before saturation); NaN where fewer than 3 frames qualify."""
    frames = np.arange(1, growth.shape[0] + 1)
    rates = []
    for column in growth.T:
        keep = (column >= lo) & (column <= hi)
        if keep.sum() < 3:
            rates.append(math.nan)
            continue
        rates.append(float(np.polyfit(frames[keep], np.log(column[keep]), 1)[0]))
    return np.array(rates)


__all__ = ["lyapunov_rate", "perturb", "perturbation_growth", "relative_distance"]
