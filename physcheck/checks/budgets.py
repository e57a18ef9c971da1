"""Profile-driven constraint checks: bounds (a maximum principle) and budgets (conserved
field integrals and non-increasing budgets).

``bounds``: each field the profile declares ``bounded`` (shear_flow's tracer: advected and
diffused, it never leaves its initial range) keeps its spatial minimum and maximum within the
truth's range over the window, widened by ``bounds_tolerance`` of that range. The truth's
range includes its own numerical overshoot (an under-resolved front rings), so the truth
itself always passes; a model that creates new extremes fails at the first step it does.

``budgets``: each conserved field integral (``Profile.conserved_fields``: the tracer's mean)
stays within ``conserved_tolerance`` of the field's rms of the truth's value at the same step,
plus the truth's own drift over the window; each non-increasing budget
(``Profile.non_increasing``: an incompressible flow's kinetic energy ``sum_j (var u_j +
<u_j>^2) / 2`` and its enstrophy ``mean |curl u|^2 / 2``) never rises above its lowest earlier
value by more than the truth's own largest such rise plus ``increase_tolerance`` of the
truth's level. Numbers come from the records' per-step channel moments (``mean``,
``variance``, ``minimum``, ``maximum``) and ``enstrophy`` series.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.result import CheckResult
from physcheck.records import DiagnosticRecord, TruthRecord


def _channels(ctx: CheckContext, fields: tuple[str, ...]) -> list[tuple[str, int]]:
    """``(name, channel position)`` of scalar fields of the profile."""
    return [(name, ctx.layout.index(name)) for name in fields]


def bounds(ctx: CheckContext) -> list[CheckResult]:
    """Each bounded field within the truth's window range widened by ``bounds_tolerance`` of
    it, at every step; the value is the worst excess in units of the range (0 inside)."""
    tolerance = ctx.thresholds.bounds_tolerance
    fields = _channels(ctx, ctx.profile.bounded)
    out = []
    for i in range(len(ctx.trajectories)):
        worst, worst_at, problems = 0.0, None, []
        details: dict[str, float] = {}
        for name, c in fields:
            low = float(ctx.truth.minimum[i, :, c].min())
            high = float(ctx.truth.maximum[i, :, c].max())
            span = max(high - low, 1e-30)
            below = (low - ctx.base.minimum[i, :, c]) / span  # > 0: beyond the bound
            above = (ctx.base.maximum[i, :, c] - high) / span
            excess = torch.nan_to_num(torch.maximum(below, above), nan=math.inf).clamp(min=0)
            details[f"{name}_excess"] = float(excess.max())
            bad = torch.nonzero(excess > tolerance).flatten()
            if excess.numel() and float(excess.max()) >= worst:
                worst = float(excess.max())
                worst_at = name
            if bad.numel():
                step = int(bad[0]) + 1
                side, value = (
                    ("maximum", float(ctx.base.maximum[i, step - 1, c]))
                    if float(above[step - 1]) >= float(below[step - 1])
                    else ("minimum", float(ctx.base.minimum[i, step - 1, c]))
                )
                problems.append(
                    (
                        step,
                        f"{name} {side} {fmt(value)} leaves the truth's range [{fmt(low)}, "
                        f"{fmt(high)}] by {fmt(float(excess[step - 1]))} of it (allowed "
                        f"{fmt(tolerance)}; a maximum principle: the field creates no new "
                        f"extremes) at {int(bad.numel())} of {excess.numel()} steps",
                    )
                )
        if problems:
            step, text = min(problems)
            msg = f"{ctx.prefix(i, step)}: {text}{ctx.nonfinite_note(i)}"
            out.append(
                ctx.result("bounds", i, False, worst, tolerance, msg, step=step, details=details)
            )
        else:
            names = ", ".join(n for n, _ in fields)
            msg = (
                f"{ctx.prefix(i)}: {names} within the truth's range at every step (largest "
                f"excess {fmt(worst)} of the range, {worst_at}; allowed {fmt(tolerance)})"
            )
            out.append(ctx.result("bounds", i, True, worst, tolerance, msg, details=details))
    return out


def kinetic_energy(record: DiagnosticRecord | TruthRecord, channels: list[int]) -> torch.Tensor:
    """``[B, K]`` the mean ``|u|^2 / 2`` of the velocity channels: ``sum_j (var + mean^2) / 2``."""
    return 0.5 * (record.variance[..., channels] + record.mean[..., channels].square()).sum(-1)


def _budget(
    record: DiagnosticRecord | TruthRecord, budget: str, velocity: list[int]
) -> torch.Tensor:
    """``[B, K]`` a non-increasing budget of a record (``physcheck.profiles.BUDGETS``)."""
    if budget == "kinetic_energy":
        return kinetic_energy(record, velocity)
    return record.enstrophy


def _rise(energy: torch.Tensor) -> torch.Tensor:
    """``[K]``: how far each step lies above the lowest earlier value (0 at step 1)."""
    lowest = torch.cummin(energy, dim=0).values
    earlier = torch.cat((energy[:1], lowest[:-1]))
    return (energy - earlier).clamp(min=0)


def budgets(ctx: CheckContext) -> list[CheckResult]:
    """Each conserved field integral within ``conserved_tolerance`` x the truth's rms of the
    truth's at the same step (plus the truth's own drift), and each non-increasing budget
    rising by at most the truth's own largest rise plus ``increase_tolerance`` of its level;
    the value is the worst excess over its allowance (1: at the allowance)."""
    th, profile = ctx.thresholds, ctx.profile
    conserved = _channels(ctx, profile.conserved_fields)
    velocity = list(ctx.layout.velocity) if profile.non_increasing else []
    out = []
    for i in range(len(ctx.trajectories)):
        problems: list[tuple[int, str]] = []
        worst, details = 0.0, {}
        for name, c in conserved:
            truth_mean, pred_mean = ctx.truth.mean[i, :, c], ctx.base.mean[i, :, c]
            rms = (ctx.truth.variance[i, :, c] + truth_mean.square()).sqrt()
            own = float(truth_mean.max() - truth_mean.min())
            allowed = th.conserved_tolerance * rms + own
            drift = (pred_mean - truth_mean).abs()
            ratio = torch.nan_to_num(drift / allowed.clamp(min=1e-30), nan=math.inf)
            details[f"{name}_integral"] = float(ratio.max())
            worst = max(worst, float(ratio.max()))
            bad = torch.nonzero(ratio > 1).flatten()
            if bad.numel():
                k = int(bad[0])
                problems.append(
                    (
                        k + 1,
                        f"the integral of {name} (its mean) is {fmt(float(pred_mean[k]))} where "
                        f"the truth's is {fmt(float(truth_mean[k]))}: off by {fmt(float(drift[k]))}, "
                        f"allowed {fmt(float(allowed[k]))} ({fmt(th.conserved_tolerance)} x its rms "
                        f"plus the truth's own drift {fmt(own)}); a conserved quantity",
                    )
                )
        for budget in profile.non_increasing:
            label = budget.replace("_", " ")
            pred, truth = _budget(ctx.base, budget, velocity)[i], _budget(ctx.truth, budget, velocity)[i]
            own_rise = float(_rise(truth).max())
            allowance = own_rise + th.increase_tolerance * float(truth[0])
            rise = torch.nan_to_num(_rise(pred), nan=math.inf)
            rise_ratio = float(rise.max()) / max(allowance, 1e-30)
            details[f"{budget}_rise"] = rise_ratio
            worst = max(worst, rise_ratio)
            risen = torch.nonzero(rise > allowance).flatten()
            if risen.numel():
                k = int(risen[0])
                problems.append(
                    (
                        k + 1,
                        f"the {label} rises to {fmt(float(pred[k]))}, {fmt(float(rise[k]))} "
                        f"above its lowest earlier value (allowed {fmt(allowance)}: the truth's own "
                        f"largest rise {fmt(own_rise)} plus {fmt(th.increase_tolerance)} x its "
                        "level); unforced, the flow only loses it",
                    )
                )
        judged = [n for n, _ in conserved] + [b.replace("_", " ") for b in profile.non_increasing]
        if problems:
            step, text = min(problems)
            msg = f"{ctx.prefix(i, step)}: {text}{ctx.nonfinite_note(i)}"
            out.append(ctx.result("budgets", i, False, worst, 1.0, msg, step=step, details=details))
        else:
            msg = (
                f"{ctx.prefix(i)}: {', '.join(judged)} within budget at every step (worst "
                f"{fmt(worst)} of the allowance)"
            )
            out.append(ctx.result("budgets", i, True, worst, 1.0, msg, details=details))
    return out


__all__ = ["bounds", "budgets", "kinetic_energy"]
