"""The equivariance check's rollouts and record: short rollouts of the input and of each
transformed input (the dataset's symmetries, ``Suite.symmetries``) and full rollouts of the
rotated inputs for the basin orbit, and the gaps between them.

Layouts: histories ``[B, T, X, Y, Z, C]``; rollouts ``[B, K_e, X, Y, Z, C]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch

from physcheck.diagnostics.basin import basin_label, basin_names
from physcheck.records import EquivarianceRecord

if TYPE_CHECKING:
    from physcheck.suite.core import Suite


def symmetry_rollouts(
    suite: Suite, name: str
) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """``(short rollout of the input [B, K_e, ...], {transform: short rollout of the
    transformed input}, {rotation: last frame [B, X, Y, Z, C] of the rotated input's full
    rollout})``, rolled out here or read from saved rollouts."""
    group = suite.symmetries
    n_short = min(suite.diagnostics.equivariance_steps, suite.window.n_steps)
    saved = suite.saved(name)
    rotations = group.rotations if suite.diagnostics.equivariance_orbit else ()
    if saved is not None:

        def read(variant: str, n_steps: int) -> torch.Tensor:
            return saved.frames(variant, suite.trajectories, n_steps).to(suite.device)

        return (
            read("equivariance:identity", n_short),
            {t.name: read(f"equivariance:{t.name}", n_short) for t in group.transforms},
            {t.name: read(f"orbit:{t.name}", 1)[:, 0] for t in rotations},
        )
    history = suite.truth(suite.n_history(name)).history
    n_steps, n_traj = suite.window.n_steps, history.shape[0]

    def roll(
        inputs: list[torch.Tensor],
        steps: int,
        on_step: Callable[[int, torch.Tensor], None] | None = None,
    ) -> torch.Tensor | None:
        return suite.roll_out(
            name,
            torch.cat(inputs),
            steps,
            rows=suite.trajectories * len(inputs),
            on_step=on_step,
            keep_frames=on_step is None,
        ).frames

    # with batching, the input and its transforms go as one batch (row block j: input j),
    # as do the rotated inputs' full rollouts; else one rollout each
    batched = suite.batching
    inputs = [history] + [group.apply(t, history) for t in group.transforms]
    suite._say(
        f"equivariance of {name}: {len(inputs)} rollouts of {n_short} steps"
        + (" (one batch)" if batched else "")
    )
    short = [roll(inputs, n_short)] if batched else [roll([x], n_short) for x in inputs]
    frames = torch.cat([f for f in short if f is not None])
    blocks = torch.split(frames, n_traj)
    base = blocks[0]
    moved = {t.name: block for t, block in zip(group.transforms, blocks[1:], strict=True)}
    finals: dict[str, torch.Tensor] = {}
    turned = [(t.name, group.apply(t, history)) for t in rotations]
    if turned:
        suite._say(
            f"equivariance of {name}: the basins of the input turned by "
            f"{', '.join(n for n, _ in turned)}"
        )
    for part in [turned] if batched else [[x] for x in turned]:
        if not part:
            continue
        last: dict[str, torch.Tensor] = {}

        def keep_last(
            step: int, frame: torch.Tensor, last: dict[str, torch.Tensor] = last
        ) -> None:
            if step == n_steps:
                last["frame"] = frame.clone()

        roll([x for _, x in part], n_steps, keep_last)
        for (key, _), block in zip(part, torch.split(last["frame"], n_traj), strict=True):
            finals[key] = block
    return base, moved, finals


def equivariance_record(suite: Suite, name: str) -> EquivarianceRecord:
    """The equivariance gaps of a model: one short rollout from the input
    and one from each transformed input, and full rollouts of the rotated inputs for the
    basin orbit."""
    truth = suite.truth(suite.n_history(name))
    diag, group = suite.diagnostics, suite.symmetries
    base, moved_by, finals = suite.equivariance_rollouts(name)
    n_short = base.shape[1]
    gaps = []
    for transform in group.transforms:
        moved = moved_by[transform.name]
        expected = group.apply(transform, base)
        target = group.apply(transform, truth.truth[:, :n_short]).to(moved.dtype)
        variance = target.var(dim=(-4, -3, -2), unbiased=False)  # [B, K_e, C]
        squared = (moved - expected).square().mean(dim=(-4, -3, -2))
        gaps.append(torch.sqrt(squared / variance).to("cpu", torch.float64))
    record = EquivarianceRecord(
        transforms=[t.name for t in group.transforms],
        gap=torch.stack(gaps),
        keeps_distribution=[t.keeps_distribution for t in group.transforms],
        forward_passes=(len(group.transforms) + 1) * n_short,
    )
    if diag.equivariance_orbit and group.rotations:
        base_basins = suite.measures(name).final_basins
        record.base_basins = base_basins
        for transform in group.rotations:
            final = finals[transform.name]
            turned = group.apply(transform, truth.truth[:, -1]).to(final.dtype)
            amplification = final.var(dim=(-4, -3, -2), unbiased=False) / turned.var(
                dim=(-4, -3, -2), unbiased=False
            )
            labels = basin_names(
                basin_label(
                    amplification, layout=suite.layout, tau=suite.settings.thresholds.basin_tau
                ),
                layout=suite.layout,
            )
            record.orbit[transform.name] = list(labels)
            record.expected[transform.name] = [group.basin(transform, b) for b in base_basins]
            record.forward_passes += suite.window.n_steps
    return record


__all__ = ["equivariance_record", "symmetry_rollouts"]
