"""The equivariance check: the model commutes with the dataset's symmetries.

With the guide field along x, MHD_64 is symmetric under rotations about x, reflections of
y and z (B a pseudo-vector) and periodic translations; a surrogate whose response to a
rotated input is not the rotated response has learned a preferred direction, which is the
diagnostic paper's mechanism (zero-shot Walrus blows up in exactly one of B_y, B_z,
depending on the input slice). Judged at step 1, where it is cheap and precedes any blow-up;
reported over a short rollout and, for the rotations, over the window's basins.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.result import CheckResult


def equivariance(ctx: CheckContext) -> list[CheckResult]:
    """For every symmetry T: the step-1 gap ``VRMSE(model(T h), T model(h))`` at most
    ``equivariance_tolerance`` x the truth's step-1 change (the persistence VRMSE at step 1);
    and the basins of the rotated inputs follow the rotation (no split orbit)."""
    if ctx.equivariance is None:
        return ctx.skipped("equivariance", ctx.equivariance_skip or "no equivariance rollouts")
    rec, th, m = ctx.equivariance, ctx.thresholds, ctx.measures
    gaps = rec.gap_mean()  # [S, B, K_e]
    change = m.persistence_per_step[:, 0]  # [B] the truth's step-1 change
    error = m.vrmse_per_step[:, 0]  # [B] the model's step-1 error
    out = []
    for i in range(len(ctx.trajectories)):
        step1 = gaps[:, i, 0]
        relative = step1 / change[i]
        worst = int(torch.nan_to_num(relative, nan=math.inf).argmax())
        value = float(relative[worst])
        ok = bool((relative <= th.equivariance_tolerance).all())
        name = rec.transforms[worst]
        late = float(gaps[worst, i, -1])
        split = [
            f"{t}: {rec.orbit[t][i]} (an equivariant model: {rec.expected[t][i]})"
            for t in rec.orbit
            if rec.orbit[t][i] != rec.expected[t][i]
        ]
        cost = f"{rec.forward_passes} extra model steps per trajectory"
        against_error = (
            f"{fmt(float(step1[worst] / error[i]))} x the model's step-1 error ({fmt(float(error[i]))})"
            if float(error[i]) > 0
            else "the model's step-1 error is 0"
        )
        detail = (
            f"step-1 gap {fmt(float(step1[worst]))} under {name} = {fmt(value)} x the truth's step-1 change "
            f"({fmt(float(change[i]))}), {against_error}; {fmt(late)} at step {rec.n_steps}"
        )
        if split:
            ok = False
            orbit = (
                f"; the symmetry orbit splits into basins (unturned input: {rec.base_basins[i]}; "
                + "; ".join(split)
                + "): the basin is chosen by the input's orientation, not by the physics"
            )
        else:
            orbit = (
                f"; rotated inputs end in the rotated basin ({rec.base_basins[i]})"
                if rec.orbit
                else ""
            )
        if ok:
            msg = f"{ctx.prefix(i)}: equivariant: largest {detail}{orbit} ({cost})"
        else:
            bad = [
                f"{t} {fmt(float(r))}"
                for t, r in zip(rec.transforms, relative, strict=True)
                if not float(r) <= th.equivariance_tolerance
            ]
            which = f"; beyond {fmt(th.equivariance_tolerance)}: {', '.join(bad)}" if bad else ""
            msg = (
                f"{ctx.prefix(i, 1)}: not equivariant: {detail}{which}{orbit}: the model treats "
                f"directions the physics does not distinguish differently ({cost})"
            )
        out.append(
            ctx.result(
                "equivariance", i, ok, value, th.equivariance_tolerance, msg, step=None if ok else 1
            )
        )
    return out


__all__ = ["equivariance"]
