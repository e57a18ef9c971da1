"""Robustness checks: the basin under input noise, and float32 against float64."""

from __future__ import annotations

import math

import torch

import physcheck.diagnostics as d
from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.measures import Measures
from physcheck.checks.result import CheckResult


def basin_determinism(ctx: CheckContext) -> list[CheckResult]:
    """All n perturbed rollouts end in the unperturbed rollout's basin."""
    if not ctx.perturbed:
        return ctx.skipped(
            "basin_determinism", "no perturbed rollouts configured (n_perturbations = 0)"
        )
    base_labels = ctx.measures.final_basins
    perturbed_labels = [
        Measures(r, ctx.truth, ctx.layout, ctx.thresholds).final_basins for r in ctx.perturbed
    ]
    out = []
    for i in range(len(ctx.trajectories)):
        labels = [p[i] for p in perturbed_labels]
        same = sum(label == base_labels[i] for label in labels)
        spread = max(
            float(torch.nan_to_num(r.vs_reference_vrmse[i, -1], nan=math.inf))
            for r in ctx.perturbed
            if r.vs_reference_vrmse is not None
        )
        ok = same == len(labels)
        if ok:
            msg = f"{ctx.prefix(i, ctx.n_steps)}: {same}/{len(labels)} rollouts with {fmt(ctx.noise_eps)} input noise end in basin {base_labels[i]} like the unperturbed one (max spread VRMSE {fmt(spread)})"
        else:
            msg = (
                f"{ctx.prefix(i, ctx.n_steps)}: only {same}/{len(labels)} rollouts with {fmt(ctx.noise_eps)} input noise end in the "
                f"unperturbed basin {base_labels[i]} (labels {', '.join(labels)}): the basin is chosen by noise, not by the input"
            )
        out.append(
            ctx.result(
                "basin_determinism",
                i,
                ok,
                ",".join(labels),
                base_labels[i],
                msg,
                step=ctx.n_steps,
            )
        )
    return out


def precision(ctx: CheckContext) -> list[CheckResult]:
    """float32 and float64 agree on the physics up to the horizon (basin labels at every step,
    channel variances and channel-mean VRMSE within a factor); the pointwise difference is reported."""
    th = ctx.thresholds
    if ctx.float64 is None:
        return ctx.skipped("precision", ctx.float64_skip or "no float64 rollout")
    r32, r64 = ctx.base, ctx.float64
    m32, m64 = ctx.measures, Measures(r64, ctx.truth, ctx.layout, th)
    labels32, labels64 = m32.basin_codes, m64.basin_codes  # [B, K]
    h32, h64 = m32.horizons, m64.horizons
    out = []
    for i in range(len(ctx.trajectories)):
        problems = []
        differ = torch.nonzero(labels32[i] != labels64[i]).flatten()
        if differ.numel():
            s = int(differ[0]) + 1
            names32 = d.basin_names(labels32[i, s - 1], layout=ctx.layout)
            names64 = d.basin_names(labels64[i, s - 1], layout=ctx.layout)
            problems.append((s, f"basin {names32} in float32 but {names64} in float64"))
        upto = min(int(h32[i]), int(h64[i])) - 1  # steps before the horizon
        factor = 1.0
        if upto >= 1:
            v32, v64 = r32.variance[i, :upto], r64.variance[i, :upto]
            ratio = torch.maximum(v32 / v64, v64 / v32)
            ratio = torch.nan_to_num(ratio, nan=math.inf)
            factor = float(ratio.max())
            if factor > th.precision_factor:
                s, c = divmod(int(torch.argmax(ratio)), ratio.shape[1])
                problems.append(
                    (
                        s + 1,
                        f"{ctx.layout.short_name(c)} variance differs {fmt(factor)} x between float32 and float64",
                    )
                )
            e32, e64 = r32.vrmse[i, :upto].mean(-1), r64.vrmse[i, :upto].mean(-1)
            close = ((e32 - e64).abs() <= th.precision_vrmse_atol) | (
                torch.maximum(e32 / e64, e64 / e32) <= th.precision_factor
            )
            if not bool(close.all()):
                s = int(torch.nonzero(~close).flatten()[0]) + 1
                problems.append(
                    (
                        s,
                        f"channel-mean VRMSE {fmt(float(e32[s - 1]))} (float32) vs {fmt(float(e64[s - 1]))} (float64)",
                    )
                )
        elif int(h32[i]) != int(h64[i]):
            problems.append((1, f"horizon {int(h32[i])} in float32 but {int(h64[i])} in float64"))
        rel = r64.vs_reference_relative[i] if r64.vs_reference_relative is not None else None
        rel_text = (
            f"; pointwise |p64 - p32| / |p64| {fmt(float(rel[0]))} at step 1, {fmt(float(rel[-1]))} at step {ctx.n_steps} (reported, not judged)"
            if rel is not None
            else ""
        )
        step: int | None
        if problems:
            step, text = min(problems)
            msg = f"{ctx.prefix(i, step)}: {text}: the instability is numerical (precision-dependent), not structural{rel_text}"
        else:
            msg = f"{ctx.prefix(i)}: float32 and float64 agree on basins, variances (max {fmt(factor)} x) and VRMSE up to step {max(upto, 0)}{rel_text}"
            step = None
        out.append(
            ctx.result("precision", i, not problems, factor, th.precision_factor, msg, step=step)
        )
    return out


__all__ = ["basin_determinism", "precision"]
