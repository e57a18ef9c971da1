"""What the equivariance check measures: for each symmetry ``T`` of the dataset, how far
``model(T history)`` is from ``T(model(history))`` over a short rollout, and, over the full
window, whether the basins of the rotated inputs follow the rotation (a split orbit).

Layouts: ``gap [S, B, K_e, C]`` (S symmetries, B trajectories, K_e short-rollout steps, C
channels), each entry ``sqrt(mean_S (p_T - T p)^2 / var_S(T truth))`` (VRMSE-normalised, so
it compares with the model's step-1 error and the truth's step-1 change).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class EquivarianceRecord:
    """The equivariance gaps of one model (see the module docstring). ``orbit[name]``: the
    final basin of each trajectory rolled out from the input rotated by ``name``;
    ``expected[name]``: where the unrotated input's basin goes under that rotation (what an
    equivariant model gives). ``forward_passes``: the extra model steps per trajectory.
    ``keeps_distribution[s]``: whether transform ``s`` keeps the data's distribution (judged)
    or not (reported); all true when not given."""

    transforms: list[str]
    gap: torch.Tensor
    keeps_distribution: list[bool] = field(default_factory=list)
    orbit: dict[str, list[str]] = field(default_factory=dict)
    expected: dict[str, list[str]] = field(default_factory=dict)
    base_basins: list[str] = field(default_factory=list)
    forward_passes: int = 0

    def __post_init__(self) -> None:
        if not self.keeps_distribution:
            self.keeps_distribution = [True] * len(self.transforms)

    @property
    def judged(self) -> list[int]:
        """Indices of the transforms the check judges (those that keep the distribution)."""
        return [s for s, keeps in enumerate(self.keeps_distribution) if keeps]

    @property
    def reported(self) -> list[int]:
        """Indices of the transforms measured and reported only."""
        return [s for s, keeps in enumerate(self.keeps_distribution) if not keeps]

    @property
    def n_steps(self) -> int:
        return int(self.gap.shape[2])

    def gap_mean(self) -> torch.Tensor:
        """Channel-mean gap ``[S, B, K_e]``."""
        return self.gap.mean(dim=-1)


__all__ = ["EquivarianceRecord"]
