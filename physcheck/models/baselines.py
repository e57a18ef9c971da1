"""Trivial models every surrogate must beat: the "doing nothing" baselines.

- ``persistence``: the last input frame, forever (``step = history[:, -1]``). On a
  chaotic, decorrelating flow its VRMSE climbs past 1 within the window, and it fails
  ``skill`` (it is its own reference) and ``dynamics`` (it never changes).
- ``climatology``: the mean state, forever: each channel held at the spatial mean of the last
  input frame (mass and the guide field kept, every fluctuation gone). Its VRMSE is about 1
  by definition (predicting the spatial mean is what VRMSE 1 means); it fails
  ``channel_variance`` (a total collapse), ``dynamics`` and ``skill`` (it is one of the
  baselines ``skill`` takes the best of).

Both have ``n_history = 1``, accept any device and dtype and have no weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from physcheck.config.model_kinds import ModelTarget


class _Baseline:
    n_history = 1
    #: both baselines commute with every rotation, reflection and shift of the grid
    equivariant = True

    def __init__(self) -> None:
        self.dtype = torch.float32
        self.device = torch.device("cpu")

    def to(
        self, device: str | torch.device | None = None, dtype: torch.dtype | None = None
    ) -> _Baseline:
        if device is not None:
            self.device = torch.device(device)
        if dtype is not None:
            self.dtype = dtype
        return self

    def identity(self) -> str:
        return type(self).__name__


class Persistence(_Baseline):
    """Returns the last input frame: ``[B, T, *S, C] -> [B, *S, C]`` (``[B, T, X, Y, Z, C] ->
    [B, X, Y, Z, C]`` in 3D)."""

    def step(self, history: torch.Tensor) -> torch.Tensor:
        return history[:, -1].clone()


class Climatology(_Baseline):
    """Returns the last input frame's per-channel spatial mean, uniform in space (``[B, T, *S,
    C] -> [B, *S, C]``)."""

    def step(self, history: torch.Tensor) -> torch.Tensor:
        last = history[:, -1]
        spatial = tuple(range(1, last.ndim - 1))  # (1, 2, 3) of [B, X, Y, Z, C]
        return last.mean(dim=spatial, keepdim=True).expand_as(last).clone()


BASELINES: dict[str, type[Persistence] | type[Climatology]] = {
    "persistence": Persistence,
    "climatology": Climatology,
}



def from_spec(target: ModelTarget, **options: Any) -> Persistence | Climatology:
    """The ``persistence`` and ``climatology`` model kinds' loader (``options``: ``device``)."""
    baseline = BASELINES[target.kind]()
    baseline.to(device=options.get("device", "cpu"))
    return baseline


__all__ = ["BASELINES", "Climatology", "Persistence", "from_spec"]
