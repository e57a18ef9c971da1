"""Positivity: every field the dataset's profile declares positive (``Profile.positive``: MHD's
density, a concentration, a pressure) keeps its spatial minimum above 0 wherever the truth's
does.

A negative density, concentration or pressure is unphysical (and makes a sound speed or a
logarithm undefined downstream), however small the VRMSE. The number judged is each positive
channel's spatial minimum per step (``minimum [B, K, C]`` of the records, in the channel's
units), at the steps where the truth's minimum is positive: a step where the truth itself
touches 0 is not judged. A NaN minimum is left to ``finite``, which names its first step.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.result import CheckResult


def positive_channels(ctx: CheckContext) -> list[int]:
    """The channel positions of the profile's positive fields (each component of a vector
    field), in the profile's field order."""
    profile = ctx.profile
    names = [c for f in profile.positive for c in profile.field_channels(f)]
    return [ctx.layout.index(name) for name in names]


def positivity(ctx: CheckContext) -> list[CheckResult]:
    """Each positive field's minimum ``> 0`` at every step where the truth's minimum is: a
    failure names the first step and field that went to or below 0. The value is the least
    ratio ``min(pred) / min(truth)`` over the judged steps and fields (dimensionless; passes
    above the threshold 0)."""
    channels = positive_channels(ctx)
    out = []
    for i in range(len(ctx.trajectories)):
        pred = ctx.base.minimum[i][:, channels]  # [K, P]
        truth = ctx.truth.minimum[i][:, channels]
        judged = truth > 0
        ratio = torch.where(judged, pred / truth, torch.full_like(pred, math.inf))
        ratio = torch.nan_to_num(ratio, nan=math.inf)  # NaN: ``finite``'s to report
        bad = judged & (pred <= 0)  # [K, P]
        value = float(ratio.min()) if ratio.numel() else math.inf
        if not bool(judged.any()):
            names = ", ".join(ctx.layout.short_name(c) for c in channels)
            msg = (
                f"{ctx.prefix(i)}: not judged: the truth's minimum of {names} is never above 0 "
                "in the window"
            )
            out.append(ctx.result("positivity", i, True, None, 0.0, msg))
            continue
        if bool(bad.any()):
            steps = torch.nonzero(bad.any(dim=1)).flatten()
            step = int(steps[0]) + 1
            column = int(torch.nonzero(bad[step - 1]).flatten()[0])
            c = channels[column]
            name = ctx.layout.short_name(c)
            others = [
                ctx.layout.short_name(channels[j])
                for j in range(len(channels))
                if j != column and bool(bad[:, j].any())
            ]
            also = f"; {', '.join(others)} also went to or below 0" if others else ""
            p_min, t_min = float(pred[step - 1, column]), float(truth[step - 1, column])
            n_bad, n_judged = int(bad[:, column].sum()), int(judged[:, column].sum())
            msg = (
                f"{ctx.prefix(i, step)}: {name} minimum {fmt(p_min)} <= 0 where the truth's is "
                f"{fmt(t_min)}: the field must stay positive (unphysical); at or below 0 at "
                f"{n_bad} of {n_judged} judged steps{also}{ctx.nonfinite_note(i)}"
            )
            details = {"pred_min": p_min, "truth_min": t_min}
            out.append(
                ctx.result("positivity", i, False, value, 0.0, msg, step=step, details=details)
            )
            continue
        flat = int(torch.argmin(ratio).item())
        step, column = divmod(flat, len(channels))
        name = ctx.layout.short_name(channels[column])
        p_min, t_min = float(pred[step, column]), float(truth[step, column])
        fields = ", ".join(ctx.layout.short_name(c) for c in channels)
        verb = "stays" if len(channels) == 1 else "stay"
        msg = (
            f"{ctx.prefix(i)}: {fields} {verb} positive wherever the truth's does (lowest minimum "
            f"{fmt(p_min)} against the truth's {fmt(t_min)}, {name} at step {step + 1})"
            f"{ctx.nonfinite_note(i)}"
        )
        details = {"pred_min": p_min, "truth_min": t_min}
        out.append(ctx.result("positivity", i, True, value, 0.0, msg, details=details))
    return out


__all__ = ["positive_channels", "positivity"]
