"""Rows of a rollout that follow another rollout, and the step since which they repeat it
(the early stop of perturbed rollouts): once a following row's window equals its leader's bit
for bit, its later frames are the leader's and need not be computed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from physcheck.errors import ArgumentError


def same_bits(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """bool ``[B]``: row ``i`` of ``a`` and of ``b`` (``[B, ...]``, one dtype) hold the same bits
    everywhere (NaNs included; ``0.0`` and ``-0.0`` differ)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return torch.zeros(a.shape[0], dtype=torch.bool, device=a.device)
    if a.is_floating_point():
        ints = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
        as_int = ints[a.element_size()]
        a, b = a.contiguous().view(as_int), b.contiguous().view(as_int)
    return (a == b).flatten(1).all(dim=1)


class Rejoin:
    """Which rows of a rollout follow another rollout, and since when they repeat it.

    A row *follows* a leader: another row of the same batch (``leaders``) or the row of the
    same index in a rollout already made (``follow(step) -> [B, *S, C]``, its frame at
    ``step``). Once a row's last ``n_history`` frames equal its leader's bit for bit, its
    window is the leader's, so (the model's step being a function of its window and of the
    seeded random generators, drawn alike by both) every later frame is the leader's. When
    every following row has rejoined, the engine stops computing them.
    """

    def __init__(
        self,
        n_rows: int,
        n_history: int,
        leaders: Sequence[int | None] | None,
        follow: Callable[[int], torch.Tensor] | None,
        device: torch.device,
    ) -> None:
        if leaders is not None and follow is not None:
            raise ArgumentError("give leaders or follow, not both")
        self.leaders = list(leaders) if leaders is not None else None
        if self.leaders is not None:
            if len(self.leaders) != n_rows:
                raise ArgumentError(f"leaders has {len(self.leaders)} entries for {n_rows} rows")
            for row, leader in enumerate(self.leaders):
                if leader is not None and (
                    not 0 <= leader < n_rows or self.leaders[leader] is not None
                ):
                    raise ArgumentError(
                        f"row {row} follows row {leader}, which is not a leading row of the batch"
                    )
        self.follow = follow
        self.n_history = n_history
        followers = (
            [r for r, leader in enumerate(self.leaders) if leader is not None]
            if self.leaders is not None
            else list(range(n_rows))
        )
        self.followers = torch.tensor(followers, dtype=torch.long, device=device)
        self.leader_of_followers = (
            torch.tensor([self.leaders[r] for r in followers], dtype=torch.long, device=device)
            if self.leaders is not None
            else None
        )
        self.equal_for = torch.zeros(len(followers), dtype=torch.long, device=device)
        self.rejoined_at: int | None = None

    @property
    def active(self) -> bool:
        """Whether any row follows another (and has not rejoined yet)."""
        return (self.leaders is not None or self.follow is not None) and self.rejoined_at is None

    def observe(self, step: int, frame: torch.Tensor) -> bool:
        """Count, after ``step``, how many steps each following row of ``frame [B, *S, C]``
        has equalled its leader; True once every one has for ``n_history`` steps running."""
        if not self.active or self.followers.numel() == 0:
            return False
        mine = frame.index_select(0, self.followers)
        if self.leader_of_followers is not None:
            theirs = frame.index_select(0, self.leader_of_followers)
        else:
            assert self.follow is not None
            # no cast: a leader kept in another precision never matches (its bits are not the
            # frames the rollout it stands for fed back)
            theirs = self.follow(step).to(device=frame.device)
        equal = same_bits(mine, theirs)
        self.equal_for = torch.where(equal, self.equal_for + 1, torch.zeros_like(self.equal_for))
        if bool((self.equal_for >= self.n_history).all()):
            self.rejoined_at = step
            return True
        return False

    def leading_rows(self) -> tuple[list[int], torch.Tensor]:
        """After rejoining: the rows still computed (the leaders) and, for every row of the
        batch, the position among them of the row whose frame it takes."""
        assert self.leaders is not None
        kept = [r for r, leader in enumerate(self.leaders) if leader is None]
        position = {r: i for i, r in enumerate(kept)}
        source = [
            position[r if leader is None else leader] for r, leader in enumerate(self.leaders)
        ]
        return kept, torch.tensor(source, dtype=torch.long)


__all__ = ["Rejoin", "same_bits"]
