"""The equivariance check's rollouts and record: short rollouts of the input and of each
transformed input (the dataset's symmetries, ``Inputs.symmetries``) and full rollouts of the
rotated inputs for the basin orbit (whose first steps are those inputs' short rollouts), and
the gaps between them. The group is the profile's (``SymmetryGroup.of``); a group without
rotations about a guide axis (shear_flow's) has no basin orbit.

Layouts: histories ``[B, T, *S, C]``; rollouts ``[B, K_e, *S, C]`` (S the layout's spatial
axes, ``X, Y, Z`` for MHD, ``X, Y`` for shear_flow).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from physcheck import timing
from physcheck.diagnostics.basin import basin_label, basin_names
from physcheck.records import EquivarianceRecord
from physcheck.suite.inputs import Inputs
from physcheck.suite.runner import Runner
from physcheck.suite.variant import Variant

#: ``(short rollout of the input [B, K_e, *S, C], {transform: short rollout of the
#: transformed input}, {rotation: last frame [B, *S, C] of the rotated input's full
#: rollout})``
SymmetryRollouts = tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]


def symmetry_rollouts(
    inputs: Inputs,
    runner: Runner,
    name: str,
    base_frames: Callable[[], torch.Tensor | None] | None = None,
) -> SymmetryRollouts:
    """The equivariance rollouts of a model (``SymmetryRollouts``), rolled out by ``runner``
    or read from saved rollouts. ``base_frames()``: the base rollout's frames
    ``[B, K, *S, C]`` where the run already holds them (``None`` where not); the short
    rollout of the untransformed input is their first steps, not rolled out again."""
    group = inputs.symmetries
    n_short = min(inputs.diagnostics.equivariance_steps, inputs.window.n_steps)
    saved = inputs.saved(name)
    rotations = group.rotations if inputs.diagnostics.equivariance_orbit else ()
    if saved is not None:

        def read(variant: Variant, n_steps: int) -> torch.Tensor:
            return saved.frames(str(variant), inputs.trajectories, n_steps).to(inputs.device)

        return (
            read(Variant("equivariance", transform="identity"), n_short),
            {
                t.name: read(Variant("equivariance", transform=t.name), n_short)
                for t in group.transforms
            },
            {t.name: read(Variant("orbit", transform=t.name), 1)[:, 0] for t in rotations},
        )
    history = inputs.truth(inputs.n_history(name)).history
    n_steps, n_traj = inputs.window.n_steps, history.shape[0]

    def roll(
        starts: list[torch.Tensor],
        steps: int,
        on_step: Callable[[int, torch.Tensor], None] | None = None,
    ) -> torch.Tensor | None:
        with timing.variant("equivariance"):
            return runner.roll_out(
                name,
                torch.cat(starts),
                steps,
                rows=inputs.trajectories * len(starts),
                on_step=on_step,
                keep_frames=on_step is None,
            ).frames

    # The rotated inputs' full rollouts (the basin orbit) begin with their short rollouts:
    # those transforms are rolled out once, over the window, keeping the first ``n_short``
    # frames and the last. With batching, the input and its other transforms go as one batch
    # (row block j: input j), as do the rotated inputs; else one rollout each.
    batched = inputs.batching
    orbit_names = {t.name for t in rotations}
    short_only = [t for t in group.transforms if t.name not in orbit_names]
    held = base_frames() if base_frames is not None else None
    base = held[:, :n_short] if held is not None and held.shape[1] >= n_short else None
    starts = ([] if base is not None else [history]) + [
        group.apply(t, history) for t in short_only
    ]
    runner.say(
        f"equivariance of {name}: {len(starts)} rollouts of {n_short} steps"
        + (" (one batch)" if batched and starts else "")
        + (" (the input's own: the base rollout's first steps)" if base is not None else "")
    )
    short = (
        ([roll(starts, n_short)] if starts else [])
        if batched
        else [roll([x], n_short) for x in starts]
    )
    blocks = list(torch.split(torch.cat([f for f in short if f is not None]), n_traj)) if short else []
    if base is None:
        base = blocks.pop(0)
    moved = {t.name: block for t, block in zip(short_only, blocks, strict=True)}
    finals: dict[str, torch.Tensor] = {}
    turned = [(t.name, group.apply(t, history)) for t in rotations]
    if turned:
        runner.say(
            f"equivariance of {name}: the input turned by {', '.join(n for n, _ in turned)}, "
            f"rolled out over the window for its basins"
        )
    for part in [turned] if batched else [[x] for x in turned]:
        if not part:
            continue
        kept: list[torch.Tensor] = []
        last: dict[str, torch.Tensor] = {}

        def keep(
            step: int,
            frame: torch.Tensor,
            kept: list[torch.Tensor] = kept,
            last: dict[str, torch.Tensor] = last,
        ) -> None:
            if step <= n_short:
                kept.append(frame.clone())
            if step == n_steps:
                last["frame"] = frame.clone()

        roll([x for _, x in part], n_steps, keep)
        firsts = torch.split(torch.stack(kept, dim=1), n_traj)
        lasts = torch.split(last["frame"], n_traj)
        for (key, _), first, final in zip(part, firsts, lasts, strict=True):
            moved[key], finals[key] = first, final
    moved = {t.name: moved[t.name] for t in group.transforms}
    return base, moved, finals


def equivariance_record(
    inputs: Inputs,
    name: str,
    rollouts: Callable[[], SymmetryRollouts],
    base_basins: Callable[[], list[str]],
) -> EquivarianceRecord:
    """The equivariance gaps of a model from its ``rollouts()`` (one short rollout from the
    input and one from each transformed input, and full rollouts of the rotated inputs for
    the basin orbit); ``base_basins()``: the final basin of each trajectory's base rollout,
    which the rotated inputs' basins should be the rotations of."""
    truth = inputs.truth(inputs.n_history(name))
    diag, group = inputs.diagnostics, inputs.symmetries
    spatial = inputs.layout.spatial_axes
    base, moved_by, finals = rollouts()
    n_short = base.shape[1]
    gaps = []
    for transform in group.transforms:
        moved = moved_by[transform.name]
        expected = group.apply(transform, base)
        target = group.apply(transform, truth.truth[:, :n_short]).to(moved.dtype)
        variance = target.var(dim=spatial, unbiased=False)  # [B, K_e, C]
        squared = (moved - expected).square().mean(dim=spatial)
        gaps.append(torch.sqrt(squared / variance).to("cpu", torch.float64))
    record = EquivarianceRecord(
        transforms=[t.name for t in group.transforms],
        gap=torch.stack(gaps),
        keeps_distribution=[t.keeps_distribution for t in group.transforms],
        # the transformed inputs' steps (the input's own short rollout is the base rollout's
        # first steps where the run holds them, which a gate does)
        forward_passes=len(group.transforms) * n_short,
    )
    if diag.equivariance_orbit and group.rotations:
        basins = base_basins()
        record.base_basins = basins
        for transform in group.rotations:
            final = finals[transform.name]
            turned = group.apply(transform, truth.truth[:, -1]).to(final.dtype)
            amplification = final.var(dim=spatial, unbiased=False) / turned.var(
                dim=spatial, unbiased=False
            )
            labels = basin_names(
                basin_label(
                    amplification, layout=inputs.layout, tau=inputs.settings.thresholds.basin_tau
                ),
                layout=inputs.layout,
            )
            record.orbit[transform.name] = list(labels)
            record.expected[transform.name] = [group.basin(transform, b) for b in basins]
            # the rest of the window: its first ``n_short`` steps are the short rollout's
            record.forward_passes += inputs.window.n_steps - n_short
    return record


__all__ = ["SymmetryRollouts", "equivariance_record", "symmetry_rollouts"]
