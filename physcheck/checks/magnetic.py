"""Magnetic-field checks: div B (or the divergence of the profile's divergence-free field, an
incompressible flow's u) against the truth's floor, the perpendicular spectrum."""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt, onset_text, worst_step
from physcheck.checks.result import CheckResult


def solenoidality(ctx: CheckContext) -> list[CheckResult]:
    """At every step, under one operator, the prediction's div B ratio rms(div B)/<|B|> is at
    most ``solenoidality_factor`` x the truth's, and so is its absolute rms(div B) wherever the
    ratio is above the truth's. The ratio alone hides a violation that grows with |B| (a
    blow-up: ratio 2x and |B| 10x is 20x the truth's monopole content); a field that is more
    solenoidal than the truth relative to its size is not blamed for being large (the variance
    checks judge its size)."""
    factor = ctx.thresholds.solenoidality_factor
    m = ctx.measures
    out = []
    for i in range(len(ctx.trajectories)):
        ratio, absolute = m.divb_excess[i], m.divb_absolute_excess[i]
        nan_ratio = torch.nan_to_num(ratio, nan=math.inf)
        counted = torch.where(
            nan_ratio > 1, torch.nan_to_num(absolute, nan=math.inf), torch.zeros_like(absolute)
        )
        worse = torch.maximum(nan_ratio, counted)
        ok = bool((worse <= factor).all())
        step = worst_step(worse)
        worst = float(worse[step - 1])
        pred_ratio = float(ctx.base.divb[i, step - 1])
        truth_ratio = float(ctx.truth.divb[i, step - 1])
        pred_abs = pred_ratio * float(ctx.base.mean_abs_b[i, step - 1])
        truth_abs = truth_ratio * float(ctx.truth.mean_abs_b[i, step - 1])
        op = ctx.divergence_method
        sym = ctx.layout.solenoidal_symbol
        numbers = (
            f"ratio rms(div {sym})/<|{sym}|> {fmt(pred_ratio)} /length = {fmt(float(ratio[step - 1]))} x truth's "
            f"({fmt(truth_ratio)}), absolute rms(div {sym}) {fmt(pred_abs)} = {fmt(float(absolute[step - 1]))} x truth's "
            f"({fmt(truth_abs)})"
        )
        if ok:
            msg = f"{ctx.prefix(i)}: div {sym} ({op}) within {fmt(factor)} x truth's at every step (worst at step {step}: {numbers})"
        elif not math.isfinite(pred_ratio) or not math.isfinite(pred_abs):
            msg = (
                f"{ctx.prefix(i, step)}: div {sym} ({op}) of the prediction is not a finite number"
                f"{ctx.nonfinite_note(i)}"
            )
        else:
            spectral = float(ctx.base.divb_spectral[i, step - 1])
            if op == "central" and spectral < 1e-5 * max(truth_ratio, 1e-30) + 1e-6:
                advice = (
                    f": not {'monopoles' if sym == 'B' else 'a divergence'}: the field is solenoidal in "
                    f"the spectral sense (spectral div {sym} ratio "
                    f"{fmt(spectral)}), and the central operator measures its own truncation error, which "
                    "grows with small-scale energy (see the spectrum check); judge with "
                    "--physcheck-divergence spectral if the model projects its output spectrally"
                )
            elif sym == "B":
                advice = (
                    ": the prediction carries magnetic monopoles (div B the truth does not have); "
                    "try the solenoidal projection hook (+projection) to see whether it removes the instability"
                )
            else:
                advice = (
                    f": the prediction's {ctx.layout.solenoidal} has a divergence the truth does not "
                    "have (a compressible error in an incompressible field)"
                )
            msg = (
                f"{ctx.prefix(i, step)}: div {sym} ({op}) {numbers}{advice}; "
                f"{onset_text(~(worse <= factor), step)}{ctx.nonfinite_note(i)}"
            )
        out.append(ctx.result("solenoidality", i, ok, worst, factor, msg, step=step))
    return out


def _excess(value: float, low: float, high: float, scale: float) -> float:
    """How far ``value`` lies outside ``[low, high]``, in units of ``scale`` (0 inside; Inf for
    a value that is not a number)."""
    if not math.isfinite(value):
        return math.inf
    return max(low - value, value - high, 0.0) / scale


def _excess_log(value: float, low: float, high: float, factor: float) -> float:
    """How many factors ``factor`` a positive ``value`` lies outside ``[low, high]``."""
    if not (math.isfinite(value) and value > 0):
        return math.inf
    return max(math.log(low / value), math.log(value / high), 0.0) / math.log(factor)


def _within(value: float, low: float, high: float) -> bool:
    return math.isfinite(value) and low <= value <= high


def spectrum(ctx: CheckContext) -> list[CheckResult]:
    """At the last step, the prediction's perpendicular B spectrum against the same
    trajectory's truth, its range over the window's spectrum steps (never pooled over
    trajectories, which may be of different (Ma, Ms) points): slope within ``spectrum_slope_tolerance``
    of that range, low/high band ratio and high-n pile-up within ``spectrum_low_high_factor`` /
    ``spectrum_pile_up_factor`` of it. With fewer than ``spectrum_min_shells`` shells in the
    fit range (a coarse grid) the slope is not judged, and the message says why."""
    th, m = ctx.thresholds, ctx.measures
    r = m.spectral
    judge_slope = r.n_fit_shells >= th.spectrum_min_shells
    slope_note = (
        ""
        if judge_slope
        else f"; slope not judged: the fit range, shells {fmt(r.fit_lo)}-{fmt(r.fit_hi)}, holds "
        f"{r.n_fit_shells} shell(s), fewer than {th.spectrum_min_shells} (the grid is too coarse)"
    )
    out = []
    for i in range(len(ctx.trajectories)):
        s = m.spectrum(i)
        (s_lo, s_hi), (lh_lo, lh_hi), (p_lo, p_hi) = s.slope_truth, s.low_high_truth, s.pile_up_truth
        tol, f_lh, f_pile = (
            th.spectrum_slope_tolerance,
            th.spectrum_low_high_factor,
            th.spectrum_pile_up_factor,
        )
        slope_ok = not judge_slope or _within(s.slope_pred, s_lo - tol, s_hi + tol)
        lh_ok = _within(s.low_high_pred, lh_lo / f_lh, lh_hi * f_lh)
        pile_ok = _within(s.pile_up_pred, p_lo / f_pile, p_hi * f_pile)
        problems = []
        if not slope_ok:
            problems.append(
                f"slope {fmt(s.slope_pred)} outside the truth's {fmt(s_lo)}..{fmt(s_hi)} (+-{fmt(tol)})"
            )
        if not lh_ok:
            problems.append(
                f"low/high-n energy ratio {fmt(s.low_high_pred)} outside the truth's {fmt(lh_lo)}..{fmt(lh_hi)} "
                f"(x/{fmt(f_lh)})"
            )
        if not pile_ok:
            problems.append(
                f"high-n pile-up {fmt(s.pile_up_pred)} outside the truth's {fmt(p_lo)}..{fmt(p_hi)} (x/{fmt(f_pile)})"
            )
        value = (
            f"slope {fmt(s.slope_pred)} (truth {fmt(s_lo)}..{fmt(s_hi)}); low/high {fmt(s.low_high_pred)} "
            f"(truth {fmt(lh_lo)}..{fmt(lh_hi)}); pile-up {fmt(s.pile_up_pred)} (truth {fmt(p_lo)}..{fmt(p_hi)})"
        )
        excess = max(
            _excess(s.slope_pred, s_lo - tol, s_hi + tol, tol) if judge_slope else 0.0,
            _excess_log(s.low_high_pred, lh_lo / f_lh, lh_hi * f_lh, f_lh),
            _excess_log(s.pile_up_pred, p_lo / f_pile, p_hi * f_pile, f_pile),
        )
        details = {
            "slope": s.slope_pred,
            "slope_truth_min": s_lo,
            "slope_truth_max": s_hi,
            "low_high": s.low_high_pred,
            "low_high_truth_min": lh_lo,
            "low_high_truth_max": lh_hi,
            "pile_up": s.pile_up_pred,
            "pile_up_truth_min": p_lo,
            "pile_up_truth_max": p_hi,
        }
        fit = f" (fit shells {fmt(r.fit_lo)}-{fmt(r.fit_hi)}, bands of shells 0-{fmt(r.cutoff)})"
        if problems:
            piled = s.low_high_pred < lh_lo / f_lh or s.pile_up_pred > p_hi * f_pile
            hint = ": energy piles up at high n_perp (aliasing or grid-scale noise)" if piled else ""
            msg = (
                f"{ctx.prefix(i, ctx.n_steps)}: perpendicular B spectrum "
                + "; ".join(problems)
                + fit
                + hint
                + slope_note
                + ctx.nonfinite_note(i)
            )
        else:
            msg = f"{ctx.prefix(i, ctx.n_steps)}: perpendicular B spectrum within the truth's range: {value}{fit}{slope_note}"
        out.append(
            ctx.result(
                "spectrum",
                i,
                not problems,
                excess,
                0.0,
                msg,
                step=ctx.n_steps,
                details=details,
            )
        )
    return out


__all__ = ["solenoidality", "spectrum"]
