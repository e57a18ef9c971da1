"""Conservation checks: energies, the guide field, mass and a positive density.

The magnetic energy is judged through the Alfven ratio ``E_b'/E_K``, with the fluctuating
magnetic energy ``E_b' = mean |B - <B>|^2 / 2``: the total ``E_B`` is dominated by the guide
field's ``B0^2 / 2``, so amplifying B_y 100x moves ``E_B/E_K`` only ~2.6x on MHD_64, while
``E_b'/E_K`` moves ~30x.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt, worst_step
from physcheck.checks.result import CheckResult


def energy(ctx: CheckContext) -> list[CheckResult]:
    """The Alfven ratio E_b'/E_K and <|B|> within ``energy_factor`` of truth's at every step;
    mass within ``mass_tolerance``; density positive wherever the truth's is."""
    th, m = ctx.thresholds, ctx.measures
    log_bound = math.log10(th.energy_factor)
    alfven_pred, alfven_truth = m.alfven_ratio(ctx.base), m.alfven_ratio(ctx.truth)
    out = []
    for i in range(len(ctx.trajectories)):
        problems: list[tuple[int, str]] = []
        worst_factor = 1.0
        for label, pred, truth in (
            ("Alfven ratio E_b'/E_K", alfven_pred[i], alfven_truth[i]),
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
        negative = (ctx.base.min_density[i] <= 0) & (ctx.truth.min_density[i] > 0)
        if bool(negative.any()):
            step = int(torch.nonzero(negative).flatten()[0]) + 1
            problems.append(
                (
                    step,
                    f"negative density: min rho {fmt(float(ctx.base.min_density[i, step - 1]))} "
                    f"(truth's min {fmt(float(ctx.truth.min_density[i, step - 1]))}): unphysical",
                )
            )
        at: int | None = None
        if problems:
            at = min(step for step, _ in problems)
            msg = (
                f"{ctx.prefix(i, at)}: "
                + "; ".join(text for _, text in sorted(problems))
                + ctx.nonfinite_note(i)
            )
        else:
            msg = (
                f"{ctx.prefix(i)}: Alfven ratio E_b'/E_K and <|B|> within {fmt(th.energy_factor)} x of truth's "
                f"(worst {fmt(worst_factor)} x), mass within {fmt(100 * th.mass_tolerance)} %, density positive"
            )
        out.append(
            ctx.result("energy", i, not problems, worst_factor, th.energy_factor, msg, step=at)
        )
    return out


__all__ = ["energy"]
