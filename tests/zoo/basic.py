"""Small surrogates for the engine's and adapters' tests."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class LinearMix(nn.Module):
    """Deterministic: next = a * last + b * previous + conv(last) (a tiny random conv)."""

    def __init__(self, channels: int = 7, n_history: int = 2, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.n_history = n_history
        self.conv = nn.Conv3d(channels, channels, 3, padding=1, padding_mode="circular")
        nn.init.normal_(self.conv.weight, std=0.01)

    def step(self, history: torch.Tensor) -> torch.Tensor:
        last = history[:, -1]
        mixed = self.conv(last.permute(0, 4, 1, 2, 3)).permute(0, 2, 3, 4, 1)
        return 0.9 * last + 0.1 * history[:, 0] + mixed


class Stochastic:
    """Draws from torch's and numpy's global RNGs, like Walrus's patch jitter."""

    n_history = 1

    def step(self, history: torch.Tensor) -> torch.Tensor:
        jitter = torch.randn(()).item() + float(np.random.standard_normal())
        return history[:, -1] + 1e-3 * jitter


class NaNAt:
    """Persistence that turns trajectory ``trajectory`` NaN from step ``step`` on."""

    n_history = 1

    def __init__(self, step: int, trajectory: int = 0) -> None:
        self.at, self.trajectory, self.calls = step, trajectory, 0

    def step(self, history: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        out = history[:, -1].clone()
        if self.calls >= self.at:
            out[self.trajectory] = float("nan")
        return out
