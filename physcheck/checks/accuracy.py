"""Accuracy checks: the rollout stays finite, its VRMSE, its stability horizon."""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.result import CheckResult


def finite(ctx: CheckContext) -> list[CheckResult]:
    """No NaN/Inf up to K; reports the first bad step."""
    out = []
    for i in range(len(ctx.trajectories)):
        bad = int(ctx.base.first_nonfinite_step[i])
        if bad > ctx.n_steps:
            msg = f"{ctx.prefix(i)}: all {ctx.n_steps} steps finite"
            out.append(ctx.result("finite", i, True, bad, ctx.n_steps, msg))
        else:
            msg = f"{ctx.prefix(i, bad)}: first NaN/Inf in the prediction (finite up to step {bad - 1} of {ctx.n_steps})"
            out.append(ctx.result("finite", i, False, bad, ctx.n_steps, msg, step=bad))
    return out


def vrmse(ctx: CheckContext) -> list[CheckResult]:
    """Step-1 channel-mean VRMSE <= vrmse_step1 and the T a-b window mean <= vrmse_window."""
    th, m = ctx.thresholds, ctx.measures
    first, last = m.window
    out = []
    for i in range(len(ctx.trajectories)):
        step1 = float(m.vrmse_per_step[i, 0])
        ok1 = step1 <= th.vrmse_step1
        window: float | None = None
        if m.window_vrmse is not None and m.window_vrmse_channels is not None:
            window = float(m.window_vrmse[i])
            ok_window = window <= th.vrmse_window
            worst_c = int(torch.nan_to_num(m.window_vrmse_channels[i], nan=math.inf).argmax())
            window_text = f"T {first}-{last} mean {fmt(window)} (bound {fmt(th.vrmse_window)}; worst channel {ctx.layout.short_name(worst_c)})"
        else:
            ok_window = True
            window_text = (
                f"no T {first}-{th.vrmse_window_last} window in a {ctx.n_steps}-step rollout"
            )
        passed = ok1 and ok_window
        value = window if (ok1 and window is not None) else step1
        msg = f"{ctx.prefix(i)}: step-1 VRMSE {fmt(step1)} (bound {fmt(th.vrmse_step1)}), {window_text}{ctx.nonfinite_note(i)}"
        threshold = th.vrmse_window if (ok1 and window is not None) else th.vrmse_step1
        out.append(ctx.result("vrmse", i, passed, value, threshold, msg, step=None if ok1 else 1))
    return out


def stability_horizon(ctx: CheckContext) -> list[CheckResult]:
    """The first step whose channel-mean VRMSE exceeds the threshold lies beyond K (or a set step)."""
    th = ctx.thresholds
    horizons = ctx.measures.horizons
    out = []
    for i in range(len(ctx.trajectories)):
        h = int(horizons[i])
        bound = th.stability_min_horizon
        passed = h > ctx.n_steps if bound is None else h >= bound
        needed = f"> K = {ctx.n_steps}" if bound is None else f">= {bound}"
        if h > ctx.n_steps:
            msg = f"{ctx.prefix(i)}: channel-mean VRMSE stays <= {fmt(th.stability_threshold)} for all {ctx.n_steps} steps"
        else:
            c = int(torch.nan_to_num(ctx.base.vrmse[i, h - 1], nan=math.inf).argmax())
            msg = (
                f"{ctx.prefix(i, h)}: channel-mean VRMSE {fmt(float(ctx.base.vrmse[i, h - 1].mean()))} exceeds "
                f"{fmt(th.stability_threshold)} (worse than predicting the spatial mean); horizon {h}, needed {needed}; "
                f"worst channel {ctx.layout.short_name(c)} (VRMSE {fmt(float(ctx.base.vrmse[i, h - 1, c]))})"
                f"{ctx.nonfinite_note(i)}"
            )
        out.append(
            ctx.result(
                "stability_horizon",
                i,
                passed,
                h,
                bound if bound is not None else ctx.n_steps,
                msg,
                step=None if h > ctx.n_steps else h,
            )
        )
    return out


__all__ = ["finite", "stability_horizon", "vrmse"]
