"""Seeds and input noise of a rollout: the random generators seeded per rollout, and the
relative noise a perturbed rollout adds to its history, alike on every device and batch."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import torch


def noise_seed(seed: int, index: int) -> int:
    """The seed of the ``index``-th perturbed rollout of a run with base seed ``seed``."""
    return seed + 1 + index


def seed_everything(seed: int) -> None:
    """Seed torch (all devices), numpy's global RNG and ``random``: Walrus's patch jitter draws from both."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def relative_noise(
    history: torch.Tensor, eps: float, seed: int, rows: Sequence[int] | None = None
) -> torch.Tensor:
    """``eps * rms_S(channel) * N(0, 1)`` for ``history [B, T, *S, C]`` (rms over the spatial
    axes S of each frame).

    Each row draws from its own CPU generator in float64 (then moved), seeded by ``seed`` and
    the row's trajectory index (``rows``, default ``0..B-1``): the same seed gives the same
    perturbation of a trajectory on every device and dtype, whichever trajectories share its
    batch (a batched, a per-trajectory and a distributed run perturb alike).
    """
    rows = list(range(history.shape[0])) if rows is None else list(rows)
    draws = []
    for row in rows:
        gen = torch.Generator().manual_seed(seed * 1_000_003 + row)
        draws.append(torch.randn(history.shape[1:], generator=gen, dtype=torch.float64))
    z = torch.stack(draws).to(device=history.device, dtype=history.dtype)
    spatial = tuple(range(2 - history.ndim, -1))  # (-4, -3, -2) for [B, T, X, Y, Z, C]
    rms = torch.sqrt(torch.mean(history**2, dim=spatial, keepdim=True))
    return eps * rms * z


__all__ = ["noise_seed", "relative_noise", "seed_everything"]
