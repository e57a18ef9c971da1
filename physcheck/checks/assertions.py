"""``assert_<check>`` helpers for users' own physics tests, on plain tensors.

Each takes predicted frames and the truth as ``[B, K, X, Y, Z, C]`` (or ``[K, X, Y, Z, C]``
for one trajectory) in The Well's layout and raises ``AssertionError`` with the checks'
messages when the property is broken, e.g.::

    frames = physcheck.rollout(model, history, 50).frames
    physcheck.assert_solenoidal(frames, truth)
"""

from __future__ import annotations

from typing import Any

import torch

from physcheck.checks.context import CheckContext
from physcheck.checks.result import CheckResult
from physcheck.checks.run import run_check
from physcheck.config.thresholds import DiagnosticSettings, Thresholds
from physcheck.diagnostics import as_tensor
from physcheck.fields import MHD_LAYOUT, FieldLayout
from physcheck.records import DiagnosticRecord, RecordBuilder, TruthRecord


def _batched(x: Any) -> torch.Tensor:
    t = as_tensor(x)
    return t[None] if t.ndim == 5 else t


def record_of(
    frames: Any,
    truth: Any,
    *,
    layout: FieldLayout = MHD_LAYOUT,
    settings: DiagnosticSettings | None = None,
    reference: Any = None,
    history: Any = None,
) -> DiagnosticRecord:
    """The ``DiagnosticRecord`` of predicted ``frames`` against ``truth`` (both ``[B, K, ...]``);
    ``history [B, T, ...]``: the frames before the window (the last one is the frame before
    step 1)."""
    frames, truth = _batched(frames), _batched(truth)
    truth = truth.to(device=frames.device, dtype=frames.dtype)
    ref = _batched(reference) if reference is not None else None
    previous = _batched(history)[:, -1].to(frames) if history is not None else None
    builder = RecordBuilder(
        truth, layout, settings or DiagnosticSettings(), reference=ref, previous=previous
    )
    finite = torch.isfinite(frames).flatten(2).all(dim=2)  # [B, K]
    steps = torch.arange(1, frames.shape[1] + 1, device=frames.device)
    first_bad = torch.where(~finite, steps, frames.shape[1] + 1).min(dim=1).values
    for k in range(frames.shape[1]):
        builder(k + 1, frames[:, k])
    return builder.finish(first_bad)


def assert_check(
    name: str,
    frames: Any,
    truth: Any,
    *,
    history: Any = None,
    layout: FieldLayout = MHD_LAYOUT,
    thresholds: Thresholds | None = None,
    settings: DiagnosticSettings | None = None,
    float64: Any = None,
    perturbed: list[Any] | None = None,
    **threshold_overrides: Any,
) -> list[CheckResult]:
    """Run check ``name`` (any check of the catalogue, your own included) on predicted ``frames``
    against ``truth`` (``[B, K, X, Y, Z, C]`` or ``[K, X, Y, Z, C]``) and raise
    ``AssertionError`` with its messages where it fails. ``history``: the frames before the
    window (``skill`` needs it for the persistence and climatology baselines, ``dynamics`` for the first step's
    change); ``float64``/``perturbed``: the other rollouts ``precision``/``basin_determinism``
    compare with."""
    settings = settings or DiagnosticSettings()
    thresholds = (thresholds or Thresholds()).with_overrides(threshold_overrides)
    base = record_of(frames, truth, layout=layout, settings=settings, history=history)
    dtype = _batched(frames).dtype
    truth_t = _batched(truth).to(dtype)
    history_t = _batched(history).to(dtype) if history is not None else None

    def other(x: Any) -> DiagnosticRecord:
        return record_of(
            x, truth, layout=layout, settings=settings, reference=frames, history=history
        )

    ctx = CheckContext(
        model="model",
        trajectories=list(range(truth_t.shape[0])),
        layout=layout,
        thresholds=thresholds,
        truth=TruthRecord.compute(truth_t, layout, settings, history=history_t),
        base=base,
        float64=other(float64) if float64 is not None else None,
        float64_skip=None if float64 is not None else "no float64 frames given",
        perturbed=[other(p) for p in perturbed] if perturbed else None,
        noise_eps=settings.noise_eps,
        seed=settings.seed,
        divergence_method=settings.divergence_method,
    )
    results = run_check(ctx, name)
    failed = [r for r in results if not r.passed and not r.skipped]
    if failed:
        raise AssertionError("\n".join(r.message for r in failed))
    return results


def assert_finite(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """No NaN/Inf in the rollout."""
    return assert_check("finite", frames, truth, **kw)


def assert_vrmse(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """Medians over trajectories: step-1 VRMSE <= ``vrmse_step1``, the T 21-60 window under the
    decorrelation ceiling ``vrmse_window``."""
    return assert_check("vrmse", frames, truth, **kw)


def assert_stability_horizon(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """Channel-mean VRMSE stays under the ceiling ``stability_threshold`` over the rollout."""
    return assert_check("stability_horizon", frames, truth, **kw)


def assert_skill(frames: Any, truth: Any, history: Any, **kw: Any) -> list[CheckResult]:
    """Early-step VRMSE at most ``skill_ratio`` x the best trivial model's (per step the least
    of persistence's and climatology's, from the last ``history`` frame, and the truth's
    time-mean state's)."""
    return assert_check("skill", frames, truth, history=history, **kw)


def assert_dynamics(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """The rollout changes from step to step at the truth's rate (``dynamics_low..high``) in
    every block of ``dynamics_block`` steps."""
    return assert_check("dynamics", frames, truth, **kw)


def assert_solenoidal(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """div B ratio and absolute div B within ``solenoidality_factor`` x the truth's, every step."""
    return assert_check("solenoidality", frames, truth, **kw)


def assert_spectrum(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """Perpendicular B spectrum at the last step: slope, low/high ratio and pile-up near truth's."""
    return assert_check("spectrum", frames, truth, **kw)


def assert_channel_variance(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """Every channel's variance within ``variance_low``..``variance_high`` x truth's."""
    return assert_check("channel_variance", frames, truth, **kw)


def assert_perpendicular_symmetry(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """|log10(a_By / a_Bz)| <= ``symmetry_log10`` at every step."""
    return assert_check("perpendicular_symmetry", frames, truth, **kw)


def assert_basin_determinism(
    frames: Any, truth: Any, perturbed: list[Any], **kw: Any
) -> list[CheckResult]:
    """Every perturbed rollout (``perturbed``: list of frames) ends in the unperturbed basin."""
    return assert_check("basin_determinism", frames, truth, perturbed=perturbed, **kw)


def assert_precision(frames: Any, truth: Any, float64: Any, **kw: Any) -> list[CheckResult]:
    """float32 ``frames`` and ``float64`` frames blow up alike or not at all."""
    return assert_check("precision", frames, truth, float64=float64, **kw)


def assert_energy(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """The magnetic-to-kinetic fluctuation energy ratio E_b'/E_K, the levels E_K and E_b', and
    <|B|> within ``energy_factor`` x truth's; density positive."""
    return assert_check("energy", frames, truth, **kw)


def assert_mean_field(frames: Any, truth: Any, **kw: Any) -> list[CheckResult]:
    """<B> within ``mean_field_b_tolerance`` x the truth's guide field |<B>|, mass within
    ``mass_tolerance``, mean momentum within ``mean_field_momentum_tolerance`` x <rho> v_rms,
    each beyond the truth's own drift."""
    return assert_check("mean_field", frames, truth, **kw)
