"""Magnetic-field checks: div B against the truth's floor, the perpendicular spectrum."""

from __future__ import annotations

import math

from physcheck.checks.context import CheckContext, fmt, worst_step
from physcheck.checks.result import CheckResult


def solenoidality(ctx: CheckContext) -> list[CheckResult]:
    """divB ratio(pred) <= factor x divB ratio(truth), same operator, at every step."""
    factor = ctx.thresholds.solenoidality_factor
    out = []
    for i in range(len(ctx.trajectories)):
        pred, truth = ctx.base.divb[i], ctx.truth.divb[i]
        excess = ctx.measures.divb_excess[i]
        ok = bool((pred <= factor * truth).all())
        step = worst_step(excess)
        worst = float(excess[step - 1])
        if ok:
            msg = f"{ctx.prefix(i)}: div B ratio ({ctx.divergence_method}) at most {fmt(worst)} x truth's (step {step}; bound {fmt(factor)} x)"
        else:
            msg = (
                f"{ctx.prefix(i, step)}: div B ratio ({ctx.divergence_method}) {fmt(float(pred[step - 1]))} /length is "
                f"{fmt(worst)} x truth's ({fmt(float(truth[step - 1]))}): the prediction carries magnetic monopoles; "
                f"test the solenoidal-projection hook{ctx.nonfinite_note(i)}"
            )
        out.append(ctx.result("solenoidality", i, ok, worst, factor, msg, step=step))
    return out


def spectrum(ctx: CheckContext) -> list[CheckResult]:
    """At the last step: slope within +-tol of truth's, low/high ratio within a factor, pile-up ratio bounded."""
    th = ctx.thresholds
    out = []
    for i in range(len(ctx.trajectories)):
        s = ctx.measures.spectrum(i)
        slope_ok = abs(s.slope_pred - s.slope_truth) <= th.spectrum_slope_tolerance
        lh_factor = s.low_high_pred / s.low_high_truth
        lh_ok = (
            abs(math.log10(lh_factor)) <= math.log10(th.spectrum_low_high_factor)
            if lh_factor > 0 and math.isfinite(lh_factor)
            else False
        )
        pile_ratio = s.pile_up_pred / s.pile_up_truth
        pile_ok = pile_ratio <= th.spectrum_pile_up_factor
        problems = []
        if not slope_ok:
            problems.append(
                f"slope {fmt(s.slope_pred)} vs truth's {fmt(s.slope_truth)} (tolerance +-{fmt(th.spectrum_slope_tolerance)})"
            )
        if not lh_ok:
            problems.append(
                f"low/high-n energy ratio {fmt(s.low_high_pred)} vs truth's {fmt(s.low_high_truth)} ({fmt(lh_factor)} x; allowed {fmt(th.spectrum_low_high_factor)} x)"
            )
        if not pile_ok:
            problems.append(
                f"high-n pile-up {fmt(s.pile_up_pred)} vs truth's {fmt(s.pile_up_truth)} ({fmt(pile_ratio)} x; allowed {fmt(th.spectrum_pile_up_factor)} x)"
            )
        value = f"slope {fmt(s.slope_pred)} (truth {fmt(s.slope_truth)}); low/high {fmt(s.low_high_pred)} (truth {fmt(s.low_high_truth)}); pile-up {fmt(s.pile_up_pred)} (truth {fmt(s.pile_up_truth)})"
        threshold = f"slope +-{fmt(th.spectrum_slope_tolerance)}; low/high {fmt(th.spectrum_low_high_factor)}x; pile-up {fmt(th.spectrum_pile_up_factor)}x"
        if problems:
            hint = (
                ": energy piles up at high n_perp (aliasing/grid-scale noise)"
                if not (pile_ok and lh_ok)
                else ""
            )
            msg = (
                f"{ctx.prefix(i, ctx.n_steps)}: perpendicular B spectrum "
                + "; ".join(problems)
                + hint
                + ctx.nonfinite_note(i)
            )
        else:
            msg = f"{ctx.prefix(i, ctx.n_steps)}: perpendicular B spectrum healthy: {value}"
        out.append(
            ctx.result("spectrum", i, not problems, value, threshold, msg, step=ctx.n_steps)
        )
    return out


__all__ = ["solenoidality", "spectrum"]
