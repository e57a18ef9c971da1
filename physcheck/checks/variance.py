"""Variance checks: each channel's variance against the truth's, and the B_y/B_z symmetry.

Amplifications ``a_c = var(pred_c) / var(truth_c)`` use the truth's variance floored at
``variance_floor`` x the channel's largest truth variance, so a constant truth channel gives
a large, named number instead of Inf, and a channel constant in both is 1 (agreement).

On density: physcheck judges each trajectory against *its own* truth. The diagnostic paper's
"truth-like rho ~ 0.86" is a mean over trajectories of mixed sonic Mach numbers (density
variance grows steeply with Ms), so its per-trajectory density variances of 0.02-0.05 are
not evidence of collapse, and physcheck never compares with a pooled number. A 50x drop of a
trajectory's density variance against its own truth is a collapse and fails.
"""

from __future__ import annotations

import math

import torch

import physcheck.diagnostics as d
from physcheck.checks.context import CheckContext, fmt, onset_text, worst_step
from physcheck.checks.result import CheckResult


def channel_variance(ctx: CheckContext) -> list[CheckResult]:
    """``variance_low <= a_c <= variance_high`` for every channel and step (a_c = var(pred)/var(truth))."""
    th, m = ctx.thresholds, ctx.measures
    perp = set(ctx.layout.perpendicular_magnetic) if ctx.layout.has_guide_field else set()
    amplification = m.amplification  # [B, K, C]
    out = []
    for i in range(len(ctx.trajectories)):
        for c in range(ctx.layout.n_channels):
            a = amplification[i, :, c]
            ok = bool(((a >= th.variance_low) & (a <= th.variance_high)).all())
            step = worst_step(torch.abs(torch.log10(a)))
            worst = float(a[step - 1])
            name = ctx.layout.short_name(c)
            pred_var, truth_var = (
                float(ctx.base.variance[i, step - 1, c]),
                float(ctx.truth.variance[i, step - 1, c]),
            )
            constant = bool(m.constant_truth[i, step - 1, c])
            truth_text = (
                f"the truth's {name} is constant there (variance {fmt(truth_var)}, floored)"
                if constant
                else f"truth ({fmt(truth_var)})"
            )
            if ok:
                msg = f"{ctx.prefix(i)}: {name} variance within {fmt(th.variance_low)}-{fmt(th.variance_high)} x truth's (extreme {fmt(worst)} x at step {step})"
            else:
                if math.isnan(worst):
                    what = "the prediction is not a number there"
                elif worst > th.variance_high:
                    what = "perpendicular basin blow-up" if c in perp else "variance blow-up"
                else:
                    what = "variance collapse (over-smoothing or energy drain)"
                beyond = ~((a >= th.variance_low) & (a <= th.variance_high))
                msg = (
                    f"{ctx.prefix(i, step)}: {name} variance {fmt(pred_var)} is {fmt(worst)} x {truth_text}: "
                    f"{what}; {onset_text(beyond, step)}{ctx.nonfinite_note(i)}"
                )
            out.append(
                ctx.result(
                    "channel_variance",
                    i,
                    ok,
                    worst,
                    th.variance_high if not worst < 1 else th.variance_low,
                    msg,
                    step=step,
                    channel=name,
                    details={"pred_variance": pred_var, "truth_variance": truth_var},
                )
            )
    return out


def perpendicular_symmetry(ctx: CheckContext) -> list[CheckResult]:
    """``|log10(a_By / a_Bz)| <= symmetry_log10`` at every step (truth's is 0 by construction)."""
    bound = ctx.thresholds.symmetry_log10
    amplification = ctx.measures.amplification
    first, second = (ctx.layout.short_name(c) for c in ctx.layout.perpendicular_magnetic)
    out = []
    for i in range(len(ctx.trajectories)):
        asym = d.perpendicular_asymmetry(amplification[i], layout=ctx.layout)  # [K]
        ok = bool((asym.abs() <= bound).all())
        step = worst_step(asym.abs())
        worst = float(asym[step - 1])
        if ok:
            msg = f"{ctx.prefix(i)}: {first}/{second} amplification symmetric (largest |log10 ratio| {fmt(abs(worst))} at step {step})"
        elif math.isnan(worst):
            msg = (
                f"{ctx.prefix(i, step)}: log10(a_{first} / a_{second}) is not a number: the "
                f"prediction's perpendicular field is not finite{ctx.nonfinite_note(i)}"
            )
        else:
            louder = first if worst > 0 else second
            msg = (
                f"{ctx.prefix(i, step)}: log10(a_{first} / a_{second}) = {fmt(worst)}: {louder} amplified "
                f"{fmt(10 ** abs(worst))} x more than the other perpendicular component "
                f"(basin {louder}); {onset_text(~(asym.abs() <= bound), step)}{ctx.nonfinite_note(i)}"
            )
        out.append(ctx.result("perpendicular_symmetry", i, ok, worst, bound, msg, step=step))
    return out


__all__ = ["channel_variance", "perpendicular_symmetry"]
