"""What a suite shows of each model, as plain JSON-able data: the key numbers (terminal
summary, results JSON, report headline), the per-step series (report figures) and the
snapshot payload. Every derived number comes from ``physcheck.checks.measures``."""

from __future__ import annotations

from typing import Any

import torch

import physcheck
from physcheck.jsonio import to_json_data
from physcheck.models import model_hash
from physcheck.suite import Suite


def key_numbers(suite: Suite, name: str) -> dict[str, Any]:
    """The numbers the terminal summary and the report headline show for a model."""
    m = suite.measures(name)
    first, last = m.window
    window = m.window_vrmse
    return {
        "step1_vrmse_median": float(m.vrmse_per_step[:, 0].median()),
        "window": f"T {first}-{last}" if window is not None else None,
        "window_vrmse_median": float(torch.quantile(window, 0.5)) if window is not None else None,
        "horizon": [int(h) for h in m.horizons],
        "worst_divb_over_truth": float(m.divb_excess.amax(dim=1).max()),
        "divb_truth_floor": float(m.truth.divb.median()),
        "basins": m.final_basins,
        "n_steps": m.n_steps,
        "device": str(suite.device),
    }


def series(suite: Suite, name: str) -> dict[str, Any]:
    """Per-step series of a model for the report (JSON-able; ``[B, K]`` lists unless noted)."""
    base = suite.record(name, "base")
    truth = suite.truth_record(name)
    diag = suite.settings.diagnostics
    out: dict[str, Any] = {
        "trajectories": suite.trajectories,
        "channels": list(suite.layout.short_names),
        "vrmse": to_json_data(base.vrmse.mean(dim=-1)),
        "divb": to_json_data(base.divb),
        "divb_truth": to_json_data(truth.divb),
        "variance_last": to_json_data(base.variance[:, -1]),
        "variance_last_truth": to_json_data(truth.variance[:, -1]),
        "energy_ratio": to_json_data(base.energy_ratio),
        "energy_ratio_truth": to_json_data(truth.energy_ratio),
        "spectrum_steps": base.spectrum_steps,
        "spectra": to_json_data(base.spectra.sum(dim=2)),  # [B, S, M], B_perp summed
        "spectra_truth": to_json_data(truth.spectra.sum(dim=2)),
        "divergence_method": diag.divergence_method,
        "noise_eps": diag.noise_eps,
    }
    variants = suite.variants(name)
    noise = [v for v in variants if v.startswith("noise")]
    if noise:
        spreads = [suite.record(name, v).vs_reference_vrmse for v in noise]
        spread = torch.stack([s for s in spreads if s is not None]).amax(dim=0)
        out["perturbation_spread"] = to_json_data(spread)
    if "float64" in variants:
        r64 = suite.record(name, "float64")
        out["precision_relative"] = to_json_data(r64.vs_reference_relative)
        out["vrmse_float64"] = to_json_data(r64.vrmse.mean(dim=-1))
    return out


def snapshot_payload(suite: Suite, name: str, trajectory: int) -> dict[str, Any]:
    """The numbers a model's snapshot guards for one trajectory, plus a ``_meta`` block
    (written, never compared)."""
    import the_well

    i = suite.trajectories.index(trajectory)
    m = suite.measures(name)
    base, truth = m.record, m.truth
    names = suite.layout.short_names
    first, last = m.window
    vrmse: dict[str, Any] = {"step1": dict(zip(names, base.vrmse[i, 0].tolist(), strict=True))}
    if m.window_vrmse_channels is not None:
        vrmse[f"T{first}-{last}"] = dict(
            zip(names, m.window_vrmse_channels[i].tolist(), strict=True)
        )
    divb = {
        f"step{s}": {"pred": float(base.divb[i, s - 1]), "truth": float(truth.divb[i, s - 1])}
        for s in base.spectrum_steps
    }
    spectrum = m.spectrum(i)
    entry = suite.model_entry(name)
    settings = suite.settings
    return {
        "vrmse": vrmse,
        "horizon": int(m.horizons[i]),
        "divb_ratio": divb,
        "spectrum": {
            "slope": {"pred": spectrum.slope_pred, "truth": spectrum.slope_truth},
            "low_high": {"pred": spectrum.low_high_pred, "truth": spectrum.low_high_truth},
            "pile_up": {"pred": spectrum.pile_up_pred, "truth": spectrum.pile_up_truth},
        },
        "basin": m.final_basins[i],
        "energy": {
            "EB_over_EK": {
                "pred": float(base.energy_ratio[i, -1]),
                "truth": float(truth.energy_ratio[i, -1]),
            },
            "mean_abs_B": {
                "pred": float(base.mean_abs_b[i, -1]),
                "truth": float(truth.mean_abs_b[i, -1]),
            },
        },
        "_meta": {
            "physcheck": physcheck.__version__,
            "torch": torch.__version__,
            "the_well": getattr(the_well, "__version__", "unknown"),
            "device": str(suite.device),
            "dtype": settings.dtype,
            "window": settings.window.label,
            "n_steps": base.n_steps,
            "conventions": {
                "vrmse": settings.diagnostics.vrmse_convention,
                "divergence": settings.diagnostics.divergence_method,
                "spacing": settings.diagnostics.spacing,
            },
            "model": entry.spec,
            "checkpoint_hash": model_hash(suite.model(name), entry.spec),
            "data_hash": suite.data.content_hash(),
        },
    }


__all__ = ["key_numbers", "series", "snapshot_payload"]
