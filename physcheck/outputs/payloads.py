"""What a suite shows of each model, as plain JSON-able data: the key numbers (terminal
summary, results JSON, report headline), the per-step series (report figures) and the
snapshot payload. Every derived number comes from ``physcheck.checks.measures``."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import torch

import physcheck
from physcheck.jsonio import to_json_data
from physcheck.models import model_hash
from physcheck.suite import Suite
from physcheck.suite.variant import FLOAT64


def _magnetic(suite: Suite) -> bool:
    """Whether the run's data have a 3D magnetic field (div B, energies and <|B|> are numbers):
    a dataset profile without one shows none of them."""
    layout = suite.layout
    return layout.spatial_dims == 3 and layout.has_vector("magnetic_field")


def _flow(suite: Suite) -> bool:
    """Whether the run's data have density and velocity (kinetic energy, mass)."""
    return suite.layout.has("density") and suite.layout.has_vector("velocity")


def _median(values: torch.Tensor) -> float:
    """Median over trajectories; NaN counts as +Inf (a non-finite trajectory cannot hide)."""
    return float(torch.nan_to_num(values, nan=math.inf).median())


def trajectory_parameters(suite: Suite) -> list[dict[str, float]]:
    """The simulation parameters the data records for each checked trajectory (Ma, Ms, ...)."""
    wanted = ("Ma", "Ms", "B0")
    out = []
    for t in suite.trajectories:
        params = suite.data.trajectory_parameters(t)
        out.append({k: params[k] for k in wanted if k in params})
    return out


def _symmetry_numbers(suite: Suite, name: str) -> dict[str, Any]:
    """The equivariance gaps (medians over trajectories, relative to the truth's step-1 change)
    and the basin map, where they were asked for."""
    out: dict[str, Any] = {}
    # selected, and a check the data's profile can serve (it has a symmetry group)
    if suite.needs("equivariance") and suite.equivariance_skip(name) is None:
        record = suite.equivariance(name)
        measures = suite.measures(name)
        change = measures.persistence_per_step[:, 0]
        gaps = record.gap_mean()  # [S, B, K_e]
        th = suite.settings.thresholds
        tier = suite.equivariance_tier(name)
        threshold, scale = (
            ("equivariance_tolerance", change)
            if tier == "exact"
            else ("equivariance_approximate", measures.vrmse_per_step[:, 0])
        )
        value = float(getattr(th, threshold))
        out["equivariance"] = {
            "tier": tier,
            "threshold": {"name": threshold, "value": value},
            # the step-1 gap bound of the tier (median over trajectories)
            "step1_bound_median": value * _median(scale),
            "judged": [record.transforms[s] for s in record.judged],
            "reported": [record.transforms[s] for s in record.reported],
            "forward_passes_per_trajectory": record.forward_passes,
            "step1_relative_median": {
                t: _median(gaps[s, :, 0] / change) for s, t in enumerate(record.transforms)
            },
            "gap_per_step_median": {
                t: to_json_data(torch.nan_to_num(gaps[s], nan=math.inf).median(dim=0).values)
                for s, t in enumerate(record.transforms)
            },
            "orbit": {t: labels for t, labels in record.orbit.items()},
            "orbit_expected": {t: labels for t, labels in record.expected.items()},
        }
    if suite.settings.starts:
        out["basin_map"] = suite.basin_map(name)
    return out


def key_numbers(suite: Suite, name: str) -> dict[str, Any]:
    """The numbers the terminal summary, the results JSON and the report headline show for a
    model: VRMSE medians, horizons, skill against persistence, div B (a dataset with a magnetic
    field), basins, parameters."""
    m = suite.measures(name)
    first, last = m.window
    window = m.window_vrmse
    skill_first, skill_last = m.skill_window
    persistence_window = (
        m.persistence_per_step[:, first - 1 : last].mean(dim=1) if window is not None else None
    )
    divb = (
        {
            "worst_divb_over_truth": float(m.divb_excess.amax(dim=1).max()),
            "worst_abs_divb_over_truth": float(m.divb_absolute_excess.amax(dim=1).max()),
            "divb_truth_floor": float(m.truth.divb.median()),
        }
        if _magnetic(suite)
        else {}
    )
    return {
        "step1_vrmse_median": float(m.vrmse_per_step[:, 0].median()),
        "window": f"T {first}-{last}" if window is not None else None,
        "window_vrmse_median": float(torch.quantile(window, 0.5)) if window is not None else None,
        "horizon": [int(h) for h in m.horizons],
        "predictability_horizon": [int(h) for h in m.predictability_horizons],
        "skill": {
            "steps": f"{skill_first}-{skill_last}",
            "ratio_median": _median(m.skill),
            "window_ratio_median": _median(m.window_skill) if m.window_skill is not None else None,
            "per_step_ratio_median": to_json_data(
                torch.nan_to_num(m.skill_per_step, nan=math.inf).median(dim=0).values
            ),
            "persistence_step1_vrmse_median": _median(m.persistence_per_step[:, 0]),
            "persistence_window_vrmse_median": _median(persistence_window)
            if persistence_window is not None
            else None,
        },
        **divb,
        "basins": m.final_basins,
        **_symmetry_numbers(suite, name),
        "parameters": trajectory_parameters(suite),
        "n_steps": m.n_steps,
        "device": str(suite.device),
    }


def series(suite: Suite, name: str) -> dict[str, Any]:
    """Per-step series of a model for the report (JSON-able; ``[B, K]`` lists unless noted;
    the magnetic and flow series only where the dataset has those fields)."""
    m = suite.measures(name)
    base, truth = m.record, m.truth
    diag = suite.settings.diagnostics
    out: dict[str, Any] = {
        "trajectories": suite.trajectories,
        "channels": list(suite.layout.short_names),
        "vrmse": to_json_data(base.vrmse.mean(dim=-1)),
        "variance_last": to_json_data(base.variance[:, -1]),
        "variance_last_truth": to_json_data(truth.variance[:, -1]),
        # [B, K, C]: both variances per step, and their ratio as channel_variance judges it
        "variance": to_json_data(base.variance),
        "variance_truth": to_json_data(truth.variance),
        "variance_ratio": to_json_data(m.amplification),
        "persistence_vrmse": to_json_data(m.persistence_per_step),
        "skill": to_json_data(m.skill_per_step),
        "parameters": trajectory_parameters(suite),
        "divergence_method": diag.divergence_method,
        "noise_eps": diag.noise_eps,
        # the bounds the figures draw (every threshold, by name)
        "thresholds": asdict(suite.settings.thresholds),
    }
    if _magnetic(suite):
        out["divb"] = to_json_data(base.divb)
        out["divb_truth"] = to_json_data(truth.divb)
        out["divb_absolute_excess"] = to_json_data(m.divb_absolute_excess)
        out["mean_abs_b"] = to_json_data(base.mean_abs_b)
        out["mean_abs_b_truth"] = to_json_data(truth.mean_abs_b)
    if _magnetic(suite) and _flow(suite):
        out["energy_ratio"] = to_json_data(base.energy_ratio)
        out["energy_ratio_truth"] = to_json_data(truth.energy_ratio)
        out["alfven_ratio"] = to_json_data(m.alfven_ratio(base))
        out["alfven_ratio_truth"] = to_json_data(m.alfven_ratio(truth))
    if suite.layout.has("density"):
        out["mass"] = to_json_data(base.mass)
        out["mass_truth"] = to_json_data(truth.mass)
    if suite.layout.has_guide_field:
        out["spectrum_cutoff"] = m.spectral.cutoff
        out["spectrum_fit"] = [m.spectral.fit_lo, m.spectral.fit_hi]
        out["spectrum_steps"] = base.spectrum_steps
        out["spectra"] = to_json_data(base.spectra.sum(dim=2))  # [B, S, M], B_perp summed
        out["spectra_truth"] = to_json_data(truth.spectra.sum(dim=2))
    out.update(_symmetry_numbers(suite, name))
    variants = suite.plan.variants(name)
    noise = [v for v in variants if v.is_perturbed]
    if noise:
        spreads = [suite.record(name, v).vs_reference_vrmse for v in noise]
        spread = torch.stack([s for s in spreads if s is not None]).amax(dim=0)
        out["perturbation_spread"] = to_json_data(spread)
    if FLOAT64 in variants:
        r64 = suite.record(name, FLOAT64)
        out["precision_relative"] = to_json_data(r64.vs_reference_relative)
        out["vrmse_float64"] = to_json_data(r64.vrmse.mean(dim=-1))
    return out


def snapshot_payload(suite: Suite, name: str, trajectory: int) -> dict[str, Any]:
    """The numbers a model's snapshot guards for one trajectory, under fixed keys (no key
    depends on a threshold), plus a ``_meta`` block (written, never compared): ``vrmse.step1``
    and ``vrmse.late`` (the T 21-60 window clipped to K, per channel), the stability and
    predictability horizons, skill against persistence, div B at the spectrum steps, the
    spectral numbers at K, the final basin and the energies at K (div B, the spectrum and the
    energies only where the dataset has the fields they are made of)."""
    import the_well

    i = suite.trajectories.index(trajectory)
    m = suite.measures(name)
    base, truth = m.record, m.truth
    names = suite.layout.short_names
    first, last = m.window
    late = (
        dict(zip(names, m.window_vrmse_channels[i].tolist(), strict=True))
        if m.window_vrmse_channels is not None
        else None  # the rollout is shorter than the window's first step
    )
    vrmse: dict[str, Any] = {
        "step1": dict(zip(names, base.vrmse[i, 0].tolist(), strict=True)),
        "late": late,
    }
    physics: dict[str, Any] = {}
    if _magnetic(suite):
        physics["divb_ratio"] = {
            f"step{s}": {"pred": float(base.divb[i, s - 1]), "truth": float(truth.divb[i, s - 1])}
            for s in base.spectrum_steps
        }
    if suite.layout.has_guide_field:
        spectrum = m.spectrum(i)
        physics["spectrum"] = {
            "slope": spectrum.slope_pred,
            "low_high": spectrum.low_high_pred,
            "pile_up": spectrum.pile_up_pred,
        }
    physics["basin"] = m.final_basins[i]
    if _magnetic(suite) and _flow(suite):
        physics["energy"] = {
            "alfven_ratio": {
                "pred": float(m.alfven_ratio(base)[i, -1]),
                "truth": float(m.alfven_ratio(truth)[i, -1]),
            },
            "mean_abs_B": {
                "pred": float(base.mean_abs_b[i, -1]),
                "truth": float(truth.mean_abs_b[i, -1]),
            },
        }
    entry = suite.model_entry(name)
    settings = suite.settings
    return {
        "vrmse": vrmse,
        "horizon": int(m.horizons[i]),
        "predictability_horizon": int(m.predictability_horizons[i]),
        "skill": float(m.skill[i]),
        **physics,
        "_meta": {
            "physcheck": physcheck.__version__,
            "torch": torch.__version__,
            "the_well": getattr(the_well, "__version__", "unknown"),
            "device": str(suite.device),
            "dtype": settings.dtype,
            "window": settings.window.label,
            "vrmse_late_steps": [first, last],
            "n_steps": base.n_steps,
            "conventions": {
                "vrmse": settings.diagnostics.vrmse_convention,
                "divergence": settings.diagnostics.divergence_method,
                "spacing": settings.diagnostics.spacing,
            },
            "model": entry.spec,
            "checkpoint_hash": model_hash(suite.model(name), entry.spec),
            "data_hash": suite.data.content_hash(),
            "parameters": trajectory_parameters(suite)[i],
        },
    }


__all__ = ["key_numbers", "series", "snapshot_payload"]
