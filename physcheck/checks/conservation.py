"""Conservation checks: the energies' levels and ratio, the mean field, mass and momentum, and
a positive density.

``energy`` judges the magnetic-to-kinetic fluctuation energy ratio ``E_b'/E_K`` (the inverse
of the usual Alfven ratio r_A = E_K/E_M), with the fluctuating magnetic energy
``E_b' = mean |B - <B>|^2 / 2``: the total ``E_B`` is dominated by the guide field's
``B0^2 / 2``, so amplifying B_y 100x moves ``E_B/E_K`` only ~2.6x on MHD_64, while
``E_b'/E_K`` moves ~30x. A ratio is blind to both energies falling together, so the levels
``E_K`` and ``E_b'`` are judged against the truth's too.

``mean_field`` judges what the fluctuations ride on: the mean field <B> (its magnitude is the
guide field B0 = |<B>|; <|B|> is not the guide field), the mass and the mean momentum
<rho v>, each against the truth at the same step with the truth's own drift over the window
allowed on top of a tolerance.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt, onset_step, onset_text, worst_step
from physcheck.checks.result import CheckResult


def energy(ctx: CheckContext) -> list[CheckResult]:
    """The magnetic-to-kinetic fluctuation energy ratio E_b'/E_K, the levels E_K and E_b', and
    <|B|> within ``energy_factor`` of the truth's (same trajectory, same step) at every step;
    density positive wherever the truth's is."""
    th, m = ctx.thresholds, ctx.measures
    log_bound = math.log10(th.energy_factor)
    series = (
        (
            "fluctuation_ratio",
            "magnetic-to-kinetic fluctuation energy ratio E_b'/E_K",
            m.fluctuation_energy_ratio(ctx.base),
            m.fluctuation_energy_ratio(ctx.truth),
        ),
        ("kinetic", "kinetic energy E_K", ctx.base.kinetic_energy, ctx.truth.kinetic_energy),
        (
            "fluctuating_magnetic",
            "fluctuating magnetic energy E_b'",
            m.fluctuating_magnetic_energy(ctx.base),
            m.fluctuating_magnetic_energy(ctx.truth),
        ),
        ("mean_abs_b", "mean magnitude <|B|>", ctx.base.mean_abs_b, ctx.truth.mean_abs_b),
    )
    out = []
    for i in range(len(ctx.trajectories)):
        problems: list[tuple[int, str]] = []
        worst_factor = 1.0
        details: dict[str, float] = {}
        for key, label, pred_all, truth_all in series:
            pred, truth = pred_all[i], truth_all[i]
            off = torch.abs(torch.log10(pred / truth))
            step = worst_step(off)
            factor = float(pred[step - 1] / truth[step - 1])
            details[f"{key}_factor"] = factor
            worst_factor = (
                max(worst_factor, factor, 1 / factor)
                if math.isfinite(factor) and factor > 0
                else math.inf
            )
            beyond = ~(off <= log_bound)
            if bool(beyond.any()):
                onset = onset_step(beyond)
                assert onset is not None
                problems.append(
                    (
                        onset,
                        f"{label} {fmt(float(pred[step - 1]))} is {fmt(factor)} x truth's "
                        f"({fmt(float(truth[step - 1]))}) at step {step}; {onset_text(beyond, step)}",
                    )
                )
        negative = (ctx.base.min_density[i] <= 0) & (ctx.truth.min_density[i] > 0)
        if bool(negative.any()):
            step = int(torch.nonzero(negative).flatten()[0]) + 1
            problems.append(
                (
                    step,
                    f"negative density from step {step}: min rho {fmt(float(ctx.base.min_density[i, step - 1]))} "
                    f"(truth's min {fmt(float(ctx.truth.min_density[i, step - 1]))}): unphysical",
                )
            )
        at: int | None = None
        if problems:
            at = min(step for step, _ in problems)
            falling = details["kinetic_factor"] < 1 and details["fluctuating_magnetic_factor"] < 1
            hint = (
                ": both energies drain while their ratio holds (over-damping)"
                if falling and not details["fluctuation_ratio_factor"] < 1 / th.energy_factor
                else ""
            )
            msg = (
                f"{ctx.prefix(i, at)}: "
                + "; ".join(text for _, text in sorted(problems))
                + hint
                + ctx.nonfinite_note(i)
            )
        else:
            msg = (
                f"{ctx.prefix(i)}: E_b'/E_K, E_K, E_b' and <|B|> within {fmt(th.energy_factor)} x of "
                f"truth's at every step (worst {fmt(worst_factor)} x), density positive"
            )
        out.append(
            ctx.result(
                "energy", i, not problems, worst_factor, th.energy_factor, msg, step=at, details=details
            )
        )
    return out


def mean_field(ctx: CheckContext) -> list[CheckResult]:
    """At every step, against the truth at the same step (the truth's own drift over the window,
    max |x(k) - x(1)|, allowed on top): the mean field <B> (all three components, as a vector)
    within ``mean_field_b_tolerance`` x B0 = |<B>| of the truth; the mass within
    ``mass_tolerance`` x the mean density; the mean momentum <rho v> within
    ``mean_field_momentum_tolerance`` x <rho> v_rms of the truth. The message names the guide
    field's flux lost (the fraction of B0 missing along the truth's guide direction) and
    whether the flow changed Alfvenic regime (M_A = v_rms / (|<B>| / sqrt(<rho>)) crossing 1)."""
    th, m = ctx.thresholds, ctx.measures
    b_pred, b_truth = m.mean_field(ctx.base), m.mean_field(ctx.truth)  # [B, K, 3]
    b0_truth = m.guide_field(ctx.truth)  # [B, K]
    ma_pred, ma_truth = m.alfven_mach(ctx.base), m.alfven_mach(ctx.truth)
    v_rms = m.rms_velocity(ctx.truth)
    names = [ctx.layout.short_name(c) for c in ctx.layout.magnetic]
    out = []
    for i in range(len(ctx.trajectories)):
        b0 = float(b0_truth[i].mean())
        rho = float(ctx.truth.mass[i].mean())
        scale_p = rho * float(v_rms[i].mean())

        def drift(x: torch.Tensor) -> float:
            d = x - x[:1]
            return float(torch.linalg.vector_norm(d, dim=-1).max()) if d.ndim > 1 else float(d.abs().max())

        quantities = (
            (
                "b",
                "mean field <B>",
                torch.linalg.vector_norm(b_pred[i] - b_truth[i], dim=-1),
                th.mean_field_b_tolerance * b0 + drift(b_truth[i]),
                f"{fmt(th.mean_field_b_tolerance)} B0",
                b0,
                "B0",
            ),
            (
                "mass",
                "mass <rho>",
                (ctx.base.mass[i] - ctx.truth.mass[i]).abs(),
                th.mass_tolerance * rho + drift(ctx.truth.mass[i]),
                f"{fmt(100 * th.mass_tolerance)} %",
                rho,
                "<rho>",
            ),
            (
                "momentum",
                "mean momentum <rho v>",
                torch.linalg.vector_norm(ctx.base.momentum[i] - ctx.truth.momentum[i], dim=-1),
                th.mean_field_momentum_tolerance * scale_p + drift(ctx.truth.momentum[i]),
                f"{fmt(th.mean_field_momentum_tolerance)} <rho> v_rms",
                scale_p,
                "<rho> v_rms",
            ),
        )
        problems: list[tuple[int, str]] = []
        excess_all = []
        details: dict[str, float] = {}
        for key, label, error, bound, allowed, scale, unit in quantities:
            excess = torch.nan_to_num(error, nan=math.inf) / max(bound, 1e-300)
            excess_all.append(excess)
            step = worst_step(excess)
            details[f"{key}_error"] = float(error[step - 1]) / max(scale, 1e-300)
            beyond = excess > 1
            if bool(beyond.any()):
                onset = onset_step(beyond)
                assert onset is not None
                text = (
                    f"{label} off the truth's by {fmt(float(error[step - 1]) / max(scale, 1e-300))} {unit} "
                    f"at step {step} (allowed {allowed} plus the truth's own drift); {onset_text(beyond, step)}"
                )
                if key == "b":
                    diff = (b_pred[i, step - 1] - b_truth[i, step - 1]).abs()
                    text += f"; largest in <{names[int(diff.argmax())]}>"
                problems.append((onset, text))
        excess = torch.stack(excess_all).amax(dim=0)
        worst = worst_step(excess)
        # flux along the truth's guide direction, at the worst step
        guide = b_truth[i, worst - 1] / max(float(b0_truth[i, worst - 1]), 1e-300)
        flux = float((b_pred[i, worst - 1] * guide).sum()) / max(float(b0_truth[i, worst - 1]), 1e-300)
        details["flux_lost_fraction"] = 1 - flux
        details["alfven_mach_pred"] = float(ma_pred[i, worst - 1])
        details["alfven_mach_truth"] = float(ma_truth[i, worst - 1])
        crossed = torch.nonzero((ma_pred[i] > 1) != (ma_truth[i] > 1)).flatten()
        details["regime_changed"] = float(crossed.numel() > 0)
        flux_text = (
            f"guide-field flux {'lost' if flux <= 1 else 'gained'}: {fmt(100 * abs(1 - flux))} % of "
            f"the truth's B0 ({fmt(float(b0_truth[i, worst - 1]))}) at step {worst}"
        )
        if crossed.numel():
            s = int(crossed[0]) + 1
            before = "sub" if float(ma_truth[i, s - 1]) <= 1 else "super"
            after = "super" if before == "sub" else "sub"
            regime = (
                f"the flow changed Alfvenic regime, {before}- to {after}-Alfvenic, from step {s} "
                f"(M_A {fmt(float(ma_pred[i, s - 1]))}, truth's {fmt(float(ma_truth[i, s - 1]))})"
            )
        else:
            kind = "sub" if float(ma_truth[i, -1]) <= 1 else "super"
            regime = (
                f"Alfvenic regime kept ({kind}-Alfvenic: M_A {fmt(float(ma_pred[i, -1]))} at step "
                f"{ctx.n_steps}, truth's {fmt(float(ma_truth[i, -1]))})"
            )
        value = float(excess[worst - 1])
        if problems:
            at = min(step for step, _ in problems)
            msg = (
                f"{ctx.prefix(i, at)}: "
                + "; ".join(text for _, text in sorted(problems))
                + f"; {flux_text}; {regime}{ctx.nonfinite_note(i)}"
            )
        else:
            at = None
            msg = (
                f"{ctx.prefix(i)}: mean field <B> within {fmt(th.mean_field_b_tolerance)} B0, mass within "
                f"{fmt(100 * th.mass_tolerance)} %, mean momentum within "
                f"{fmt(th.mean_field_momentum_tolerance)} <rho> v_rms of the truth's at every step "
                f"(worst {fmt(value)} of the allowed, at step {worst}); {regime}"
            )
        out.append(
            ctx.result("mean_field", i, not problems, value, 1.0, msg, step=at, details=details)
        )
    return out


__all__ = ["energy", "mean_field"]
