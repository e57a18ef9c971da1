"""Robustness checks: the basin under input noise, and float32 against float64.

``precision`` judges what the diagnostic paper judges: whether an instability is
*structural* (the model's own dynamics: both precisions blow up alike, onset within a few
steps, similar growth, the same order of magnitude at K, the same basin; precision passes
and the variance checks fail) or *numerical* (only one precision blows up, or they blow up
differently; precision fails). Float32 and float64 rollouts of a chaotic model separate
pointwise even when it is sound, so the pointwise difference is reported, never judged.

Both judge any dataset profile: a basin (``Measures.basins``) is the perpendicular magnetic
component that blows up where the data have a guide field, else the channel whose variance
blows up the most; the blow-up onsets, growths and magnitudes are the channel amplifications'.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.measures import BlowUp
from physcheck.checks.result import CheckResult
from physcheck.diagnostics import NONFINITE_LABEL


def perturbation_details(
    ctx: CheckContext, spread: float, spreads: dict[str, float]
) -> dict[str, float]:
    """The details of a check over perturbed rollouts: the ``spread`` (the largest), each
    perturbed rollout's own (``spread:noiseN``) and what identifies the perturbations
    (``noise_eps``, base ``seed``, ``perturbations``: their count), so that a baseline
    comparison pairs them one by one where both runs drew the same."""
    return {
        "spread": spread,
        **spreads,
        "noise_eps": float(ctx.noise_eps),
        "seed": float(ctx.seed),
        "perturbations": float(len(ctx.perturbed or ())),
    }


def basin_determinism(ctx: CheckContext) -> list[CheckResult]:
    """All n perturbed rollouts end in the unperturbed rollout's basin, and that basin can be
    told (a non-finite rollout has no basin, and fails)."""
    if ctx.perturbed_skip:
        return ctx.skipped("basin_determinism", ctx.perturbed_skip)
    if not ctx.perturbed:
        return ctx.skipped(
            "basin_determinism", "no perturbed rollouts configured (n_perturbations = 0)"
        )
    base_labels = ctx.measures.final_basins
    perturbed_labels = [ctx.measures_of(r).final_basins for r in ctx.perturbed]
    out = []
    for i in range(len(ctx.trajectories)):
        labels = [p[i] for p in perturbed_labels]
        same = sum(label == base_labels[i] for label in labels)
        spreads = {
            f"spread:noise{k}": float(torch.nan_to_num(r.vs_reference_vrmse[i, -1], nan=math.inf))
            for k, r in enumerate(ctx.perturbed)
            if r.vs_reference_vrmse is not None
        }
        spread = max(spreads.values()) if spreads else math.nan
        nonfinite = NONFINITE_LABEL in labels or base_labels[i] == NONFINITE_LABEL
        ok = same == len(labels) and not nonfinite
        noise = fmt(ctx.noise_eps)
        if ok:
            msg = f"{ctx.prefix(i, ctx.n_steps)}: {same}/{len(labels)} rollouts with {noise} input noise end in basin {base_labels[i]} like the unperturbed one (max spread VRMSE {fmt(spread)})"
        elif nonfinite:
            msg = (
                f"{ctx.prefix(i, ctx.n_steps)}: the basin cannot be told: rollouts went non-finite "
                f"(unperturbed: {base_labels[i]}; with {noise} input noise: {', '.join(labels)})"
            )
        else:
            msg = (
                f"{ctx.prefix(i, ctx.n_steps)}: only {same}/{len(labels)} rollouts with {noise} input noise end in the "
                f"unperturbed basin {base_labels[i]} (labels {', '.join(labels)}): the basin is chosen by noise, not by the input"
            )
        out.append(
            ctx.result(
                "basin_determinism",
                i,
                ok,
                float(same),
                float(len(labels)),
                msg,
                step=ctx.n_steps,
                details=perturbation_details(ctx, spread, spreads),
            )
        )
    return out


#: short names of the precisions in the pointwise-difference note
SHORT = {"float32": "p32", "float64": "p64", "bfloat16": "pbf16"}


def _describe(b: BlowUp, name: str) -> str:
    return f"{name} blows up from step {b.onset} (growth {fmt(b.growth)} decades/step, {fmt(b.final)} x truth at K)"


def precision(ctx: CheckContext) -> list[CheckResult]:
    """The base rollout and its higher-precision twin (float32 and float64 by default;
    ``ctx.precisions``) blow up alike or not at all: the same final basin, variance
    blow-up onsets (first step with a_c > ``basin_tau``) within ``precision_onset_steps``,
    growth rates within ``precision_growth_factor`` and amplifications at K within
    ``precision_magnitude_log10`` decades. The pointwise difference is reported."""
    th = ctx.thresholds
    if ctx.float64 is None:
        return ctx.skipped("precision", ctx.float64_skip or "no float64 rollout")
    m32, m64 = ctx.measures, ctx.measures_of(ctx.float64)
    low, high = ctx.precisions
    p_low, p_high = (SHORT.get(p, p) for p in ctx.precisions)
    out = []
    for i in range(len(ctx.trajectories)):
        b32, b64 = m32.blow_up(i), m64.blow_up(i)
        basin32, basin64 = m32.final_basins[i], m64.final_basins[i]
        rel = ctx.float64.vs_reference_relative
        rel_text = (
            f"; pointwise |{p_high} - {p_low}| / |{p_high}| {fmt(float(rel[i, 0]))} at step 1, "
            f"{fmt(float(rel[i, -1]))} at step {ctx.n_steps} (reported, not judged)"
            if rel is not None
            else ""
        )
        if not (math.isfinite(b32.final) or math.isfinite(b64.final)):
            magnitude = 0.0  # both went non-finite: alike (``finite`` reports it)
        elif all(math.isfinite(f) and f > 0 for f in (b32.final, b64.final)):
            magnitude = abs(math.log10(b32.final / b64.final))
        else:  # one precision went non-finite (or to zero variance) and the other did not
            magnitude = math.inf
        problems: list[tuple[int, str]] = []
        if b32.happened != b64.happened:
            who, other = (b32, low) if b32.happened else (b64, high)
            problems.append(
                (who.onset, f"only {other} blows up ({_describe(who, other)}); the other stays bounded")
            )
        elif b32.happened:
            if abs(b32.onset - b64.onset) > th.precision_onset_steps:
                problems.append(
                    (
                        min(b32.onset, b64.onset),
                        f"blow-up onset at step {b32.onset} in {low} but {b64.onset} in {high} "
                        f"(allowed {th.precision_onset_steps} steps apart)",
                    )
                )
            if math.isfinite(b32.growth) and math.isfinite(b64.growth):
                lo, hi = sorted((abs(b32.growth), abs(b64.growth)))
                if lo == 0 or hi / lo > th.precision_growth_factor:
                    problems.append(
                        (
                            max(b32.onset, b64.onset),
                            f"growth {fmt(b32.growth)} ({low}) vs {fmt(b64.growth)} ({high}) decades/step "
                            f"(allowed a factor {fmt(th.precision_growth_factor)})",
                        )
                    )
            if not magnitude <= th.precision_magnitude_log10:
                problems.append(
                    (
                        ctx.n_steps,
                        f"amplification at K {fmt(b32.final)} x ({low}) vs {fmt(b64.final)} x ({high}) "
                        f"(allowed {fmt(th.precision_magnitude_log10)} decade(s) apart)",
                    )
                )
        if basin32 != basin64:
            problems.append((ctx.n_steps, f"final basin {basin32} in {low} but {basin64} in {high}"))
        value = magnitude if math.isfinite(magnitude) else math.inf
        if problems:
            step, _ = min(problems)
            msg = (
                f"{ctx.prefix(i, step)}: "
                + "; ".join(text for _, text in sorted(problems))
                + ": the instability is numerical (precision-dependent), not structural"
                + rel_text
            )
            out.append(
                ctx.result(
                    "precision", i, False, value, th.precision_magnitude_log10, msg, step=step
                )
            )
            continue
        if b32.happened:
            msg = (
                f"{ctx.prefix(i)}: both precisions blow up alike ({_describe(b32, low)}; "
                f"{_describe(b64, high)}; basin {basin32}): the instability is structural, "
                f"not numerical (the variance checks judge the blow-up itself){rel_text}"
            )
        else:
            msg = (
                f"{ctx.prefix(i)}: neither precision blows up (largest amplification at K "
                f"{fmt(b32.final)} x in {low}, {fmt(b64.final)} x in {high}; basin {basin32}){rel_text}"
            )
        out.append(ctx.result("precision", i, True, value, th.precision_magnitude_log10, msg))
    return out


__all__ = ["basin_determinism", "precision"]
