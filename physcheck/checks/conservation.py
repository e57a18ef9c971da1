"""Conservation checks: energies, the guide field and mass against the truth's."""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt, worst_step
from physcheck.checks.result import CheckResult


def energy(ctx: CheckContext) -> list[CheckResult]:
    """E_B/E_K and <|B|> within a factor of truth's at every step; mass within a tolerance."""
    th = ctx.thresholds
    log_bound = math.log10(th.energy_factor)
    out = []
    for i in range(len(ctx.trajectories)):
        problems = []
        worst_factor = 1.0
        for label, pred, truth in (
            ("E_B/E_K", ctx.base.energy_ratio[i], ctx.truth.energy_ratio[i]),
            ("<|B|>", ctx.base.mean_abs_b[i], ctx.truth.mean_abs_b[i]),
        ):
            off = torch.abs(torch.log10(pred / truth))
            step = worst_step(off)
            factor = float(pred[step - 1] / truth[step - 1])
            worst_factor = (
                max(worst_factor, factor, 1 / factor)
                if math.isfinite(factor) and factor > 0
                else math.inf
            )
            if not bool((off <= log_bound).all()):
                problems.append(
                    (
                        step,
                        f"{label} {fmt(float(pred[step - 1]))} is {fmt(factor)} x truth's ({fmt(float(truth[step - 1]))})",
                    )
                )
        mass_err = torch.abs(ctx.base.mass[i] / ctx.truth.mass[i] - 1)
        if not bool((mass_err <= th.mass_tolerance).all()):
            step = worst_step(mass_err)
            problems.append(
                (
                    step,
                    f"mass {fmt(float(ctx.base.mass[i, step - 1]))} differs {fmt(100 * float(mass_err[step - 1]))} % from truth's ({fmt(float(ctx.truth.mass[i, step - 1]))})",
                )
            )
        at: int | None = None
        if problems:
            at, text = min(problems)
            msg = (
                f"{ctx.prefix(i, at)}: {text}"
                + (f"; also {len(problems) - 1} more" if len(problems) > 1 else "")
                + ctx.nonfinite_note(i)
            )
        else:
            msg = f"{ctx.prefix(i)}: E_B/E_K and <|B|> within {fmt(th.energy_factor)} x of truth's (worst {fmt(worst_factor)} x), mass within {fmt(100 * th.mass_tolerance)} %"
        out.append(
            ctx.result("energy", i, not problems, worst_factor, th.energy_factor, msg, step=at)
        )
    return out


__all__ = ["energy"]
