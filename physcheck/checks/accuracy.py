"""Accuracy checks: the rollout stays finite, bounded in VRMSE (``vrmse``,
``stability_horizon``), better than doing nothing (``skill``) and alive (``dynamics``).

VRMSE measures predictability, and a chaotic flow is unpredictable beyond a few eddy times:
a prediction with the truth's statistics that has decorrelated from it scores sqrt(2). So
``vrmse`` and ``stability_horizon`` gate on a decorrelation *ceiling* (blow-up), while the
predictability horizon (VRMSE <= 1) is reported, and ``skill`` asks for what a model must do
while it can still predict: beat the best trivial model (persistence, climatology or the
time-mean state, whichever is best at each step).
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt, worst_step
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


def per_trajectory_details(ctx: CheckContext, name: str, values: torch.Tensor) -> dict[str, float]:
    """``{"NAME:trajT": value}`` for each trajectory T: the numbers behind a model's median, so
    that a baseline comparison can pair them trajectory by trajectory."""
    return {
        f"{name}:traj{t}": float(v) for t, v in zip(ctx.trajectories, values.tolist(), strict=True)
    }


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
    details = per_trajectory_details(ctx, "step1", m.vrmse_per_step[:, 0])
    if m.window_vrmse is not None:
        details.update(per_trajectory_details(ctx, "window", m.window_vrmse))
    return [ctx.model_result("vrmse", passed, value, threshold, msg, step=step, details=details)]


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
            worst = worst_step(m.vrmse_per_step[i])
            msg = (
                f"{ctx.prefix(i, h)}: channel-mean VRMSE {fmt(float(m.vrmse_per_step[i, h - 1]))} exceeds the "
                f"ceiling {fmt(th.stability_threshold)} (beyond what decorrelation alone gives): stability horizon {h}, "
                f"needed {needed}; worst channel {ctx.layout.short_name(c)} "
                f"(VRMSE {fmt(float(ctx.base.vrmse[i, h - 1, c]))}); onset step {h} (first beyond the "
                f"ceiling), worst step {worst} (VRMSE {fmt(float(m.vrmse_per_step[i, worst - 1]))}); "
                f"{predictable}{ctx.nonfinite_note(i)}"
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


def _key(name: str) -> str:
    return name.replace("-", "_").replace(" ", "_")


def skill(ctx: CheckContext) -> list[CheckResult]:
    """Median over trajectories of (mean VRMSE over steps ``skill_first..skill_last``) / the
    same for the best trivial model <= ``skill_ratio``. The best trivial model's VRMSE is, per
    step, the minimum of persistence's (the last input frame held), climatology's (its spatial
    mean held) and the time-mean state's (the mean of the truth window's frames, held): a
    model must beat every way of doing nothing. Details carry the ratio to each baseline and
    which was best (smallest median window VRMSE); the message names it."""
    th, m = ctx.thresholds, ctx.measures
    first, last = m.skill_window
    ratios = {name: _median(r) for name, r in m.baseline_skills.items()}
    available = {n: r for n, r in ratios.items() if not math.isnan(r)}
    if not available or bool(torch.isnan(m.best_baseline_per_step).all()):
        reason = "no trivial baseline could be formed from the truth record"
        return [ctx.model_result("skill", True, None, None, f"{ctx.model}: skipped: {reason}", skipped=reason)]
    # the best baseline has the smallest VRMSE, i.e. the model's largest ratio to it
    best = max(available, key=lambda n: available[n])
    ratio = _median(m.baseline_skill)
    passed = ratio <= th.skill_ratio
    window = m.window_skill
    late = (
        f"; T {m.window[0]}-{m.window[1]} ratio to persistence's median {fmt(_median(window))} (reported)"
        if window is not None
        else ""
    )
    each = ", ".join(
        f"{name} {fmt(r)}" if not math.isnan(r) else f"{name} n/a (no history)"
        for name, r in ratios.items()
    )
    detail = (
        f"steps {first}-{last}: VRMSE / the best trivial model's median {fmt(ratio)} (bound "
        f"{fmt(th.skill_ratio)}; per trajectory: {_per_trajectory(ctx, m.baseline_skill)}); "
        f"ratio to each: {each}; best baseline: {best}{late}"
    )
    if passed:
        verdict = "beats every trivial model" if ratio < 1 else "within the skill bound"
        msg = f"{ctx.model}: {verdict} (the best one: {best}): {detail}"
    else:
        msg = (
            f"{ctx.model}: no better than the best trivial model, {best}: {detail}; "
            "the model does not predict the flow's evolution"
        )
    details = {"ratio_best": ratio}
    details.update({f"ratio_{_key(n)}": r for n, r in ratios.items()})
    details.update({f"best_is_{_key(n)}": float(n == best) for n in ratios})
    details.update(per_trajectory_details(ctx, "ratio_best", m.baseline_skill))
    return [ctx.model_result("skill", passed, ratio, th.skill_ratio, msg, details=details)]


def _frozen_from(ratio: torch.Tensor) -> int | None:
    """The step (1-based) from which ``ratio [K]`` stays at zero change to the end, if any."""
    moving = torch.nonzero(torch.nan_to_num(ratio, nan=1.0) > 1e-6).flatten()
    start = int(moving[-1]) + 2 if moving.numel() else 1
    return start if start <= ratio.numel() else None


def dynamics(ctx: CheckContext) -> list[CheckResult]:
    """Per block of ``dynamics_block`` consecutive steps and per channel, the median over the
    block's steps of rms(pred_k - pred_{k-1}) / rms(truth_k - truth_{k-1}) lies in
    ``[dynamics_low, dynamics_high]``: the rollout keeps evolving at the truth's rate in every
    part of the window. A freeze, an over-damping or an acceleration in any block fails, with
    the block named (a median over the whole window hides a freeze in its second half)."""
    th, m = ctx.thresholds, ctx.measures
    blocks = m.dynamics_blocks
    out = []
    for i in range(len(ctx.trajectories)):
        rates = m.dynamics_per_block[i]  # [n_blocks, C]
        finite = torch.nan_to_num(rates, nan=1.0)
        bad = (finite < th.dynamics_low) | (finite > th.dynamics_high)
        off = torch.abs(torch.log10(finite))
        flat = int(off.flatten().argmax())
        worst_block, worst = divmod(flat, rates.shape[1])
        value = float(rates[worst_block, worst])
        ok = not bool(bad.any())
        name = ctx.layout.short_name(worst)
        whole = ", ".join(
            f"{ctx.layout.short_name(c)} {fmt(float(r))}" for c, r in enumerate(m.dynamics[i])
        )

        def block_text(j: int) -> str:
            return f"steps {blocks[j][0]}-{blocks[j][1]}"

        step = None
        if ok:
            msg = (
                f"{ctx.prefix(i)}: evolves at the truth's rate in every block of "
                f"{th.dynamics_block} steps (block medians within {fmt(th.dynamics_low)}-"
                f"{fmt(th.dynamics_high)}; furthest: {name} {fmt(value)} in {block_text(worst_block)}; "
                f"median over the window per channel: {whole})"
            )
        else:
            first_block = int(torch.nonzero(bad.any(dim=1)).flatten()[0])
            worst_block = max(
                (j for j in range(len(blocks)) if bool(bad[j].any())),
                key=lambda j: float(off[j].max()),
            )
            worst = int(off[worst_block].argmax())
            value, name = float(rates[worst_block, worst]), ctx.layout.short_name(worst)
            ratio = m.change_ratio[i, :, worst]
            a, b = blocks[worst_block]
            block_steps = torch.nan_to_num(ratio[a - 1 : b], nan=math.inf)
            worst_step = a + int(
                (block_steps if value > 1 else -block_steps).argmax()
            )
            step = blocks[first_block][0]
            if value < th.dynamics_low:
                frozen = _frozen_from(ratio)
                what = (
                    f"frozen from step {frozen}"
                    if frozen is not None and frozen <= b
                    else "over-damped" + (" late in the window" if worst_block > 0 else "")
                )
                what += ": the prediction changes less than the truth does"
            else:
                what = "it accelerates: the prediction changes more than the truth does (noise, jitter or blow-up)"
            per_block = "; ".join(
                f"{block_text(j)} {fmt(float(rates[j, worst]))}" for j in range(len(blocks))
            )
            msg = (
                f"{ctx.prefix(i, step)}: {name} frame-to-frame change over {block_text(worst_block)} is "
                f"{fmt(value)} x the truth's (median over the block's steps; allowed "
                f"{fmt(th.dynamics_low)}-{fmt(th.dynamics_high)} in every block of {th.dynamics_block} "
                f"steps): {what}; onset: first block beyond the bound {block_text(first_block)}, "
                f"worst step {worst_step}; {name} per block: {per_block}; median over the window "
                f"per channel: {whole}{ctx.nonfinite_note(i)}"
            )
        details = {ctx.layout.short_name(c): float(r) for c, r in enumerate(m.dynamics[i])}
        details["worst_block_first_step"] = float(blocks[worst_block][0])
        details["worst_block_last_step"] = float(blocks[worst_block][1])
        out.append(
            ctx.result(
                "dynamics",
                i,
                ok,
                value,
                th.dynamics_high if not value < 1 else th.dynamics_low,
                msg,
                step=step,
                details=details,
            )
        )
    return out


__all__ = ["dynamics", "finite", "skill", "stability_horizon", "vrmse"]
