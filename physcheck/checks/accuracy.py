"""Accuracy checks: the rollout stays finite, bounded in VRMSE (``vrmse``,
``stability_horizon``), better than doing nothing (``skill``) and alive (``dynamics``).

VRMSE measures predictability, and a chaotic flow is unpredictable beyond a few eddy times:
a prediction with the truth's statistics that has decorrelated from it scores sqrt(2). So
``vrmse`` and ``stability_horizon`` gate on a decorrelation *ceiling* (blow-up), while the
predictability horizon (VRMSE <= 1) is reported, and ``skill`` asks for what a model must do
while it can still predict: beat persistence.
"""

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


def _median(values: torch.Tensor) -> float:
    """Median over trajectories (the lower middle value for an even count, as torch does); NaN
    counts as +Inf so a non-finite trajectory cannot hide."""
    return float(torch.nan_to_num(values, nan=math.inf).median())


def _per_trajectory(ctx: CheckContext, values: torch.Tensor) -> str:
    return ", ".join(f"traj {t} {fmt(float(v))}" for t, v in zip(ctx.trajectories, values, strict=True))


def vrmse(ctx: CheckContext) -> list[CheckResult]:
    """Median over trajectories: step-1 channel-mean VRMSE <= ``vrmse_step1`` and the T a-b
    window mean <= ``vrmse_window`` (the decorrelation ceiling)."""
    th, m = ctx.thresholds, ctx.measures
    first, last = m.window
    step1 = _median(m.vrmse_per_step[:, 0])
    ok1 = step1 <= th.vrmse_step1
    text = [f"step-1 VRMSE median {fmt(step1)} (bound {fmt(th.vrmse_step1)})"]
    window = None
    ok_window = True
    if m.window_vrmse is not None and m.window_vrmse_channels is not None:
        window = _median(m.window_vrmse)
        ok_window = window <= th.vrmse_window
        worst_c = int(
            torch.nan_to_num(m.window_vrmse_channels, nan=math.inf).median(dim=0).values.argmax()
        )
        text.append(
            f"T {first}-{last} median {fmt(window)} (ceiling {fmt(th.vrmse_window)}; a decorrelated "
            f"prediction with the truth's statistics scores 1.41; worst channel "
            f"{ctx.layout.short_name(worst_c)}; per trajectory: {_per_trajectory(ctx, m.window_vrmse)})"
        )
    else:
        text.append(f"no T {first}-{th.vrmse_window_last} window in a {ctx.n_steps}-step rollout")
    passed = ok1 and ok_window
    if not ok1:
        value, threshold, step = step1, th.vrmse_step1, 1
    elif window is not None:
        value, threshold, step = window, th.vrmse_window, None
    else:
        value, threshold, step = step1, th.vrmse_step1, None
    verdict = "" if passed else (
        ": the rollout has left the truth's statistics (blow-up), not only its trajectory"
        if not ok_window
        else ": the first step is already wrong"
    )
    msg = f"{ctx.model}: " + "; ".join(text) + verdict
    return [ctx.model_result("vrmse", passed, value, threshold, msg, step=step)]


def stability_horizon(ctx: CheckContext) -> list[CheckResult]:
    """The first step whose channel-mean VRMSE exceeds the ceiling ``stability_threshold``
    lies beyond K (or at or after ``stability_min_horizon``). The predictability horizon
    (VRMSE > 1) is reported, not judged."""
    th, m = ctx.thresholds, ctx.measures
    out = []
    for i in range(len(ctx.trajectories)):
        h = int(m.horizons[i])
        p = int(m.predictability_horizons[i])
        bound = th.stability_min_horizon
        passed = h > ctx.n_steps if bound is None else h >= bound
        needed = f"> K = {ctx.n_steps}" if bound is None else f">= {bound}"
        predictable = (
            f"predictable (VRMSE <= {fmt(th.predictability_threshold)}) for all {ctx.n_steps} steps"
            if p > ctx.n_steps
            else f"predictability horizon {p} (reported, not judged)"
        )
        if h > ctx.n_steps:
            msg = (
                f"{ctx.prefix(i)}: channel-mean VRMSE stays below the ceiling {fmt(th.stability_threshold)} "
                f"for all {ctx.n_steps} steps; {predictable}"
            )
        else:
            c = int(torch.nan_to_num(ctx.base.vrmse[i, h - 1], nan=math.inf).argmax())
            msg = (
                f"{ctx.prefix(i, h)}: channel-mean VRMSE {fmt(float(m.vrmse_per_step[i, h - 1]))} exceeds the "
                f"ceiling {fmt(th.stability_threshold)} (beyond what decorrelation alone gives): stability horizon {h}, "
                f"needed {needed}; worst channel {ctx.layout.short_name(c)} "
                f"(VRMSE {fmt(float(ctx.base.vrmse[i, h - 1, c]))}); {predictable}{ctx.nonfinite_note(i)}"
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


def skill(ctx: CheckContext) -> list[CheckResult]:
    """Median over trajectories of (mean VRMSE over steps ``skill_first..skill_last``) / the
    same for persistence <= ``skill_ratio``: the model beats holding its last input frame."""
    th, m = ctx.thresholds, ctx.measures
    first, last = m.skill_window
    if bool(torch.isnan(m.persistence_per_step).all()):
        return [
            ctx.model_result(
                "skill",
                True,
                None,
                None,
                f"{ctx.model}: skipped: no persistence baseline (the truth record has no history)",
                skipped="no persistence baseline (the truth record has no history)",
            )
        ]
    ratio = _median(m.skill)
    passed = ratio <= th.skill_ratio
    window = m.window_skill
    late = (
        f"; T {m.window[0]}-{m.window[1]} ratio median {fmt(_median(window))} (reported)"
        if window is not None
        else ""
    )
    detail = (
        f"steps {first}-{last}: VRMSE / persistence's median {fmt(ratio)} (bound {fmt(th.skill_ratio)}; "
        f"per trajectory: {_per_trajectory(ctx, m.skill)}){late}"
    )
    if passed:
        msg = f"{ctx.model}: beats persistence: {detail}"
    else:
        msg = (
            f"{ctx.model}: no better than holding the last input frame (persistence): {detail}; "
            "the model does not predict the flow's evolution"
        )
    return [ctx.model_result("skill", passed, ratio, th.skill_ratio, msg)]


def dynamics(ctx: CheckContext) -> list[CheckResult]:
    """Per channel, the median over steps of rms(pred_k - pred_{k-1}) / rms(truth_k -
    truth_{k-1}) lies in ``[dynamics_low, dynamics_high]``: the rollout keeps evolving at the
    truth's rate (a frozen or over-damped model falls below, a jittering one above)."""
    th, m = ctx.thresholds, ctx.measures
    out = []
    for i in range(len(ctx.trajectories)):
        rates = m.dynamics[i]  # [C]
        off = torch.abs(torch.log10(rates))
        worst = int(torch.nan_to_num(off, nan=math.inf).argmax())
        value = float(rates[worst])
        ok = bool(((rates >= th.dynamics_low) & (rates <= th.dynamics_high)).all())
        name = ctx.layout.short_name(worst)
        rates_text = ", ".join(
            f"{ctx.layout.short_name(c)} {fmt(float(r))}" for c, r in enumerate(rates)
        )
        if ok:
            msg = f"{ctx.prefix(i)}: evolves at the truth's rate (median change ratio per channel: {rates_text})"
        else:
            frozen = ~(m.change_ratio[i, :, worst] > 1e-6)
            first_frozen = torch.nonzero(frozen).flatten()
            if value < th.dynamics_low:
                what = (
                    f"frozen from step {int(first_frozen[0]) + 1}"
                    if first_frozen.numel() and bool(frozen[int(first_frozen[0]) :].all())
                    else "over-damped"
                )
                what += ": the prediction changes less than the truth does"
            else:
                what = "the prediction changes more than the truth does (noise, jitter or blow-up)"
            msg = (
                f"{ctx.prefix(i)}: {name} frame-to-frame change is {fmt(value)} x the truth's "
                f"(median over steps; allowed {fmt(th.dynamics_low)}-{fmt(th.dynamics_high)}): {what}; "
                f"all channels: {rates_text}{ctx.nonfinite_note(i)}"
            )
        out.append(
            ctx.result(
                "dynamics",
                i,
                ok,
                value,
                th.dynamics_high if not value < 1 else th.dynamics_low,
                msg,
                details={ctx.layout.short_name(c): float(r) for c, r in enumerate(rates)},
            )
        )
    return out


__all__ = ["dynamics", "finite", "skill", "stability_horizon", "vrmse"]
