"""What a rollout returns: its frames, where each trajectory first went non-finite, where the
loop stopped and where its following rows rejoined the rollout they follow."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class RolloutResult:
    """A finished rollout.

    ``frames``: ``[B, K, *S, C]`` predicted frames (``None`` with ``keep_frames=False``);
    ``first_nonfinite_step``: int64 ``[B]``, the first step with a NaN/Inf value per
    trajectory, K + 1 where every frame is finite; ``n_steps``: K; ``stopped_at``: the last
    step actually computed (< K when the ``stop`` policy ended the loop early; later frames
    are NaN); ``rejoined_at``: the step after which every following row (``leaders`` or
    ``follow`` of ``rollout``) repeated the rollout it follows, so that its later frames were
    copied, not computed (``None``: never).
    """

    frames: torch.Tensor | None
    first_nonfinite_step: torch.Tensor
    n_steps: int
    stopped_at: int
    rejoined_at: int | None = None

    @property
    def finite(self) -> torch.Tensor:
        """bool ``[B]``: every frame of the trajectory is finite."""
        return self.first_nonfinite_step > self.n_steps


def mark_nonfinite(
    first_bad: torch.Tensor, frame: torch.Tensor, step: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(first_bad, bad)`` after ``step``: ``bad [B]`` says which rows of ``frame
    [B, *S, C]`` hold NaN/Inf; ``first_bad [B]`` (initially K + 1) takes ``step`` where a
    row goes non-finite for the first time."""
    bad = ~torch.isfinite(frame).flatten(1).all(dim=1)
    first_bad = torch.where(bad & (first_bad > step), torch.full_like(first_bad, step), first_bad)
    return first_bad, bad


__all__ = ["RolloutResult", "mark_nonfinite"]
