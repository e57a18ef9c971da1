"""Variance blow-ups: where a trajectory's largest channel amplification first passes tau, the
channel that crossed first, and how fast it grows from there (``BlowUp``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class BlowUp:
    """A variance blow-up of one trajectory: ``onset`` (first step with some channel's
    amplification above tau; K + 1 if none), the ``channel`` that crossed first, the
    ``growth`` rate of log10 of the largest amplification per step from the onset on (NaN
    without a blow-up or with one step only) and the largest amplification at K."""

    onset: int
    channel: int | None
    growth: float
    final: float

    @property
    def happened(self) -> bool:
        return self.channel is not None


def blow_up_of(amplification: torch.Tensor, tau: float, n_steps: int) -> BlowUp:
    """The variance blow-up of one trajectory from its amplification ``[K, C]`` (``K =
    n_steps``) against ``tau`` (see ``BlowUp``)."""
    a = amplification
    largest = torch.nan_to_num(a, nan=math.inf).amax(dim=-1)  # [K]
    above = torch.nonzero(largest > tau).flatten()
    final = float(largest[-1])
    if above.numel() == 0:
        return BlowUp(n_steps + 1, None, math.nan, final)
    onset = int(above[0]) + 1
    channel = int(torch.nan_to_num(a[onset - 1], nan=math.inf).argmax())
    tail = torch.log10(largest[onset - 1 :])
    steps = torch.arange(onset, n_steps + 1, dtype=tail.dtype)
    finite = torch.isfinite(tail)
    growth = math.nan
    if int(finite.sum()) >= 2:
        x, y = steps[finite], tail[finite]
        xc = x - x.mean()
        growth = float(((y - y.mean()) * xc).sum() / (xc**2).sum())
    return BlowUp(onset, channel, growth, final)


__all__ = ["BlowUp", "blow_up_of"]
