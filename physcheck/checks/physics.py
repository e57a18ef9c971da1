"""The physics checks: rollout record(s) + truth record -> results with actionable messages.

Each check takes a ``CheckContext`` (one model, its records, the truth's record and the
thresholds) and returns one ``CheckResult`` per trajectory (and per channel for
``channel_variance``). A NaN anywhere fails the comparison it enters (comparisons are
written as ``not (x <= bound)``), so a rollout that turned non-finite fails with its step
instead of crashing the session.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

import physcheck.diagnostics as d
from physcheck.checks.record import DiagnosticRecord, TruthRecord
from physcheck.checks.result import CHECK_NAMES, CheckResult, Thresholds
from physcheck.fields import FieldLayout


@dataclass
class CheckContext:
    """Everything the checks of one model need. Records hold the trajectories in the order of
    ``trajectories`` (their global indices in the dataset)."""

    model: str
    trajectories: list[int]
    layout: FieldLayout
    thresholds: Thresholds
    truth: TruthRecord
    base: DiagnosticRecord
    float64: DiagnosticRecord | None = None
    float64_skip: str | None = None
    perturbed: list[DiagnosticRecord] | None = None
    perturbed_skip: str | None = None
    noise_eps: float = 1e-6
    divergence_method: str = "central"

    @property
    def n_steps(self) -> int:
        return self.base.n_steps


def fmt(x: float) -> str:
    """Compact number for messages: 3 significant digits, NaN/Inf spelled out."""
    if x is None:
        return "n/a"
    if isinstance(x, float) and math.isnan(x):
        return "NaN"
    if isinstance(x, float) and math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.3g}"


def _worst_step(badness: torch.Tensor) -> int:
    """1-based step with the largest badness (NaN counts as the worst)."""
    b = torch.where(torch.isnan(badness), torch.full_like(badness, math.inf), badness)
    return int(torch.argmax(b).item()) + 1


def _result(
    ctx: CheckContext,
    check: str,
    index: int,
    passed: bool,
    value,
    threshold,
    message: str,
    *,
    step: int | None = None,
    channel: str | None = None,
    skipped: str | None = None,
) -> CheckResult:
    return CheckResult(
        check=check,
        model=ctx.model,
        trajectory=ctx.trajectories[index],
        channel=channel,
        passed=bool(passed),
        value=value,
        threshold=threshold,
        message=message,
        step=step,
        skipped=skipped,
    )


def _prefix(ctx: CheckContext, index: int, step: int | None = None) -> str:
    traj = f"traj {ctx.trajectories[index]}"
    return f"{traj}, step {step}" if step is not None else traj


def _nonfinite_note(ctx: CheckContext, index: int) -> str:
    bad = int(ctx.base.first_nonfinite_step[index])
    return f" (the rollout is non-finite from step {bad})" if bad <= ctx.n_steps else ""


# -- the checks ----------------------------------------------------------------------------------
def finite(ctx: CheckContext) -> list[CheckResult]:
    """No NaN/Inf up to K; reports the first bad step."""
    out = []
    for i in range(len(ctx.trajectories)):
        bad = int(ctx.base.first_nonfinite_step[i])
        if bad > ctx.n_steps:
            out.append(
                _result(
                    ctx,
                    "finite",
                    i,
                    True,
                    bad,
                    ctx.n_steps,
                    f"{_prefix(ctx, i)}: all {ctx.n_steps} steps finite",
                )
            )
        else:
            msg = f"{_prefix(ctx, i, bad)}: first NaN/Inf in the prediction (finite up to step {bad - 1} of {ctx.n_steps})"
            out.append(_result(ctx, "finite", i, False, bad, ctx.n_steps, msg, step=bad))
    return out


def vrmse(ctx: CheckContext) -> list[CheckResult]:
    """Step-1 channel-mean VRMSE <= vrmse_step1 and the T a-b window mean <= vrmse_window."""
    th = ctx.thresholds
    out = []
    first, last = th.vrmse_window_first, min(th.vrmse_window_last, ctx.n_steps)
    for i in range(len(ctx.trajectories)):
        per_step = ctx.base.vrmse[i].mean(dim=-1)  # [K]
        step1 = float(per_step[0])
        ok1 = step1 <= th.vrmse_step1
        if first <= last:
            window = float(per_step[first - 1 : last].mean())
            ok_window = window <= th.vrmse_window
            worst_c = int(
                torch.nan_to_num(ctx.base.vrmse[i, first - 1 : last].mean(0), nan=math.inf).argmax()
            )
            window_text = f"T {first}-{last} mean {fmt(window)} (bound {fmt(th.vrmse_window)}; worst channel {ctx.layout.short_name(worst_c)})"
        else:
            window, ok_window = None, True
            window_text = (
                f"no T {first}-{th.vrmse_window_last} window in a {ctx.n_steps}-step rollout"
            )
        passed = ok1 and ok_window
        value = window if (ok1 and window is not None) else step1
        msg = f"{_prefix(ctx, i)}: step-1 VRMSE {fmt(step1)} (bound {fmt(th.vrmse_step1)}), {window_text}{_nonfinite_note(ctx, i)}"
        threshold = th.vrmse_window if (ok1 and window is not None) else th.vrmse_step1
        out.append(_result(ctx, "vrmse", i, passed, value, threshold, msg, step=None if ok1 else 1))
    return out


def stability_horizon(ctx: CheckContext) -> list[CheckResult]:
    """The first step whose channel-mean VRMSE exceeds the threshold lies beyond K (or a set step)."""
    th = ctx.thresholds
    horizons = d.stability_horizon(ctx.base.vrmse, threshold=th.stability_threshold)
    out = []
    for i in range(len(ctx.trajectories)):
        h = int(horizons[i])
        bound = th.stability_min_horizon
        passed = h > ctx.n_steps if bound is None else h >= bound
        needed = f"> K = {ctx.n_steps}" if bound is None else f">= {bound}"
        if h > ctx.n_steps:
            msg = f"{_prefix(ctx, i)}: channel-mean VRMSE stays <= {fmt(th.stability_threshold)} for all {ctx.n_steps} steps"
        else:
            c = int(torch.nan_to_num(ctx.base.vrmse[i, h - 1], nan=math.inf).argmax())
            msg = (
                f"{_prefix(ctx, i, h)}: channel-mean VRMSE {fmt(float(ctx.base.vrmse[i, h - 1].mean()))} exceeds "
                f"{fmt(th.stability_threshold)} (worse than predicting the spatial mean); horizon {h}, needed {needed}; "
                f"worst channel {ctx.layout.short_name(c)} (VRMSE {fmt(float(ctx.base.vrmse[i, h - 1, c]))})"
                f"{_nonfinite_note(ctx, i)}"
            )
        out.append(
            _result(
                ctx,
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


def solenoidality(ctx: CheckContext) -> list[CheckResult]:
    """divB ratio(pred) <= factor x divB ratio(truth), same operator, at every step."""
    factor = ctx.thresholds.solenoidality_factor
    out = []
    for i in range(len(ctx.trajectories)):
        pred, truth = ctx.base.divb[i], ctx.truth.divb[i]
        excess = pred / truth
        ok = bool((pred <= factor * truth).all())
        step = _worst_step(excess)
        worst = float(excess[step - 1])
        if ok:
            msg = f"{_prefix(ctx, i)}: div B ratio ({ctx.divergence_method}) at most {fmt(worst)} x truth's (step {step}; bound {fmt(factor)} x)"
        else:
            msg = (
                f"{_prefix(ctx, i, step)}: div B ratio ({ctx.divergence_method}) {fmt(float(pred[step - 1]))} /length is "
                f"{fmt(worst)} x truth's ({fmt(float(truth[step - 1]))}): the prediction carries magnetic monopoles; "
                f"test the solenoidal-projection hook{_nonfinite_note(ctx, i)}"
            )
        out.append(_result(ctx, "solenoidality", i, ok, worst, factor, msg, step=step))
    return out


def spectrum(ctx: CheckContext) -> list[CheckResult]:
    """At the last step: slope within +-tol of truth's, low/high ratio within a factor, pile-up ratio bounded."""
    th = ctx.thresholds
    steps = ctx.base.spectrum_steps
    last, first = steps.index(ctx.n_steps), steps.index(1)
    out = []
    for i in range(len(ctx.trajectories)):
        e_pred = ctx.base.spectra[i, last].sum(dim=0)
        e_truth = ctx.truth.spectra[i, last].sum(dim=0)
        shells = torch.arange(e_pred.shape[-1], dtype=e_pred.dtype)
        slope_pred, slope_truth = (
            float(d.spectral_slope(shells, e_pred)),
            float(d.spectral_slope(shells, e_truth)),
        )
        lh_pred, lh_truth = float(d.low_high_ratio(e_pred)), float(d.low_high_ratio(e_truth))
        pile_pred = float(d.pile_up(e_pred, ctx.base.spectra[i, first].sum(dim=0)))
        pile_truth = float(d.pile_up(e_truth, ctx.truth.spectra[i, first].sum(dim=0)))
        slope_ok = abs(slope_pred - slope_truth) <= th.spectrum_slope_tolerance
        lh_factor = lh_pred / lh_truth
        lh_ok = (
            abs(math.log10(lh_factor)) <= math.log10(th.spectrum_low_high_factor)
            if lh_factor > 0 and math.isfinite(lh_factor)
            else False
        )
        pile_ratio = pile_pred / pile_truth
        pile_ok = pile_ratio <= th.spectrum_pile_up_factor
        problems = []
        if not slope_ok:
            problems.append(
                f"slope {fmt(slope_pred)} vs truth's {fmt(slope_truth)} (tolerance +-{fmt(th.spectrum_slope_tolerance)})"
            )
        if not lh_ok:
            problems.append(
                f"low/high-n energy ratio {fmt(lh_pred)} vs truth's {fmt(lh_truth)} ({fmt(lh_factor)} x; allowed {fmt(th.spectrum_low_high_factor)} x)"
            )
        if not pile_ok:
            problems.append(
                f"high-n pile-up {fmt(pile_pred)} vs truth's {fmt(pile_truth)} ({fmt(pile_ratio)} x; allowed {fmt(th.spectrum_pile_up_factor)} x)"
            )
        value = f"slope {fmt(slope_pred)} (truth {fmt(slope_truth)}); low/high {fmt(lh_pred)} (truth {fmt(lh_truth)}); pile-up {fmt(pile_pred)} (truth {fmt(pile_truth)})"
        threshold = f"slope +-{fmt(th.spectrum_slope_tolerance)}; low/high {fmt(th.spectrum_low_high_factor)}x; pile-up {fmt(th.spectrum_pile_up_factor)}x"
        if problems:
            hint = (
                ": energy piles up at high n_perp (aliasing/grid-scale noise)"
                if not (pile_ok and lh_ok)
                else ""
            )
            msg = (
                f"{_prefix(ctx, i, ctx.n_steps)}: perpendicular B spectrum "
                + "; ".join(problems)
                + hint
                + _nonfinite_note(ctx, i)
            )
        else:
            msg = f"{_prefix(ctx, i, ctx.n_steps)}: perpendicular B spectrum healthy: {value}"
        out.append(
            _result(ctx, "spectrum", i, not problems, value, threshold, msg, step=ctx.n_steps)
        )
    return out


def channel_variance(ctx: CheckContext) -> list[CheckResult]:
    """``variance_low <= a_c <= variance_high`` for every channel and step (a_c = var(pred)/var(truth))."""
    th = ctx.thresholds
    perp = set(ctx.layout.perpendicular_magnetic)
    amplification = ctx.base.variance / ctx.truth.variance  # [B, K, C]
    out = []
    for i in range(len(ctx.trajectories)):
        for c in range(ctx.layout.n_channels):
            a = amplification[i, :, c]
            ok = bool(((a >= th.variance_low) & (a <= th.variance_high)).all())
            step = _worst_step(torch.abs(torch.log10(a)))
            worst = float(a[step - 1])
            name = ctx.layout.short_name(c)
            pred_var, truth_var = (
                float(ctx.base.variance[i, step - 1, c]),
                float(ctx.truth.variance[i, step - 1, c]),
            )
            if ok:
                msg = f"{_prefix(ctx, i)}: {name} variance within {fmt(th.variance_low)}-{fmt(th.variance_high)} x truth's (extreme {fmt(worst)} x at step {step})"
            else:
                if worst > th.variance_high or math.isnan(worst):
                    what = "perpendicular basin blow-up" if c in perp else "variance blow-up"
                else:
                    what = "variance collapse (over-smoothing or energy drain)"
                msg = f"{_prefix(ctx, i, step)}: {name} variance {fmt(pred_var)} is {fmt(worst)} x truth ({fmt(truth_var)}): {what}{_nonfinite_note(ctx, i)}"
            out.append(
                _result(
                    ctx,
                    "channel_variance",
                    i,
                    ok,
                    worst,
                    f"{fmt(th.variance_low)}..{fmt(th.variance_high)}",
                    msg,
                    step=step,
                    channel=name,
                )
            )
    return out


def perpendicular_symmetry(ctx: CheckContext) -> list[CheckResult]:
    """``|log10(a_By / a_Bz)| <= symmetry_log10`` at every step (truth's is 0 by construction)."""
    bound = ctx.thresholds.symmetry_log10
    amplification = ctx.base.variance / ctx.truth.variance
    first, second = (ctx.layout.short_name(c) for c in ctx.layout.perpendicular_magnetic)
    out = []
    for i in range(len(ctx.trajectories)):
        asym = d.perpendicular_asymmetry(amplification[i], layout=ctx.layout)  # [K]
        ok = bool((asym.abs() <= bound).all())
        step = _worst_step(asym.abs())
        worst = float(asym[step - 1])
        if ok:
            msg = f"{_prefix(ctx, i)}: {first}/{second} amplification symmetric (largest |log10 ratio| {fmt(abs(worst))} at step {step})"
        else:
            louder = first if worst > 0 else second
            msg = (
                f"{_prefix(ctx, i, step)}: log10(a_{first} / a_{second}) = {fmt(worst)}: {louder} amplified "
                f"{fmt(10 ** abs(worst)) if math.isfinite(worst) else 'infinitely'} x more than the other perpendicular component "
                f"(basin {louder}){_nonfinite_note(ctx, i)}"
            )
        out.append(_result(ctx, "perpendicular_symmetry", i, ok, worst, bound, msg, step=step))
    return out


def _final_labels(record: DiagnosticRecord, ctx: CheckContext) -> list[str]:
    a = record.variance[:, -1] / ctx.truth.variance[:, -1]
    return d.basin_names(
        d.basin_label(a, layout=ctx.layout, tau=ctx.thresholds.basin_tau), layout=ctx.layout
    )


def basin_determinism(ctx: CheckContext) -> list[CheckResult]:
    """All n perturbed rollouts end in the unperturbed rollout's basin."""
    if not ctx.perturbed:
        reason = ctx.perturbed_skip or "no perturbed rollouts configured (n_perturbations = 0)"
        return [
            _result(
                ctx,
                "basin_determinism",
                i,
                True,
                None,
                None,
                f"{_prefix(ctx, i)}: skipped: {reason}",
                skipped=reason,
            )
            for i in range(len(ctx.trajectories))
        ]
    base_labels = _final_labels(ctx.base, ctx)
    perturbed_labels = [_final_labels(r, ctx) for r in ctx.perturbed]
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
            msg = f"{_prefix(ctx, i, ctx.n_steps)}: {same}/{len(labels)} rollouts with {fmt(ctx.noise_eps)} input noise end in basin {base_labels[i]} like the unperturbed one (max spread VRMSE {fmt(spread)})"
        else:
            msg = (
                f"{_prefix(ctx, i, ctx.n_steps)}: only {same}/{len(labels)} rollouts with {fmt(ctx.noise_eps)} input noise end in the "
                f"unperturbed basin {base_labels[i]} (labels {', '.join(labels)}): the basin is chosen by noise, not by the input"
            )
        out.append(
            _result(
                ctx,
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
        reason = ctx.float64_skip or "no float64 rollout"
        return [
            _result(
                ctx,
                "precision",
                i,
                True,
                None,
                None,
                f"{_prefix(ctx, i)}: skipped: {reason}",
                skipped=reason,
            )
            for i in range(len(ctx.trajectories))
        ]
    r32, r64 = ctx.base, ctx.float64
    labels32 = d.basin_label(
        r32.variance / ctx.truth.variance, layout=ctx.layout, tau=th.basin_tau
    )  # [B, K]
    labels64 = d.basin_label(r64.variance / ctx.truth.variance, layout=ctx.layout, tau=th.basin_tau)
    h32 = d.stability_horizon(r32.vrmse, threshold=th.stability_threshold)
    h64 = d.stability_horizon(r64.vrmse, threshold=th.stability_threshold)
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
            m32, m64 = r32.vrmse[i, :upto].mean(-1), r64.vrmse[i, :upto].mean(-1)
            close = ((m32 - m64).abs() <= th.precision_vrmse_atol) | (
                torch.maximum(m32 / m64, m64 / m32) <= th.precision_factor
            )
            if not bool(close.all()):
                s = int(torch.nonzero(~close).flatten()[0]) + 1
                problems.append(
                    (
                        s,
                        f"channel-mean VRMSE {fmt(float(m32[s - 1]))} (float32) vs {fmt(float(m64[s - 1]))} (float64)",
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
        if problems:
            step, text = min(problems)
            msg = f"{_prefix(ctx, i, step)}: {text}: the instability is numerical (precision-dependent), not structural{rel_text}"
        else:
            msg = f"{_prefix(ctx, i)}: float32 and float64 agree on basins, variances (max {fmt(factor)} x) and VRMSE up to step {max(upto, 0)}{rel_text}"
            step = None
        out.append(
            _result(ctx, "precision", i, not problems, factor, th.precision_factor, msg, step=step)
        )
    return out


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
            step = _worst_step(off)
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
            step = _worst_step(mass_err)
            problems.append(
                (
                    step,
                    f"mass {fmt(float(ctx.base.mass[i, step - 1]))} differs {fmt(100 * float(mass_err[step - 1]))} % from truth's ({fmt(float(ctx.truth.mass[i, step - 1]))})",
                )
            )
        if problems:
            step, text = min(problems)
            msg = (
                f"{_prefix(ctx, i, step)}: {text}"
                + (f"; also {len(problems) - 1} more" if len(problems) > 1 else "")
                + _nonfinite_note(ctx, i)
            )
        else:
            step = None  # type: ignore[assignment]
            msg = f"{_prefix(ctx, i)}: E_B/E_K and <|B|> within {fmt(th.energy_factor)} x of truth's (worst {fmt(worst_factor)} x), mass within {fmt(100 * th.mass_tolerance)} %"
        out.append(
            _result(ctx, "energy", i, not problems, worst_factor, th.energy_factor, msg, step=step)
        )
    return out


CHECKS: dict[str, Callable[[CheckContext], list[CheckResult]]] = {
    "finite": finite,
    "vrmse": vrmse,
    "stability_horizon": stability_horizon,
    "solenoidality": solenoidality,
    "spectrum": spectrum,
    "channel_variance": channel_variance,
    "perpendicular_symmetry": perpendicular_symmetry,
    "basin_determinism": basin_determinism,
    "precision": precision,
    "energy": energy,
}
assert tuple(CHECKS) == CHECK_NAMES


def run_checks(ctx: CheckContext, names: tuple[str, ...] = CHECK_NAMES) -> list[CheckResult]:
    """Results of the named checks, in ``CHECK_NAMES`` order."""
    return [r for name in CHECK_NAMES if name in names for r in CHECKS[name](ctx)]
