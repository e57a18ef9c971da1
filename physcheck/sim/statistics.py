"""The statistics of a data set's truth that the README sets beside the diagnostic paper's
MHD_64 numbers, per (Ma, Ms) file: what ``physcheck fixtures stats NAME`` prints.

Frames are Well layout ``[T, X, Y, Z, 7]`` (density, B_xyz, v_xyz; guide field along x); all
numbers are means over trajectories and frames of per-frame values, in the data's units
(lengths in grid units, as for MHD_64).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, cast

import torch

from physcheck.data import open_dataset
from physcheck.diagnostics import frame_statistics, low_high_ratio, spectral_slope

#: keys of :func:`truth_statistics`, in table order, with their column titles
COLUMNS = {
    "density_var": "density var",
    "b_perp_var": "B_perp var",
    "v_var": "v var",
    "mean_abs_b": "<|B|>",
    "eb_ek": "E_B/E_K",
    "divb_central": "div B floor (central)",
    "slope": "slope (fit shells)",
    "low_high": "low/high",
    "persistence_lag1": "persistence VRMSE, 1 step",
}


def truth_statistics(
    frames: torch.Tensor, *, fit: tuple[float, float], cutoff: float
) -> dict[str, Any]:
    """Statistics of trajectories ``frames [B, T, X, Y, Z, 7]``: channel variances (density;
    B_perp = mean of B_y, B_z; v = mean of the three), ``<|B|>``, E_B/E_K, the central div B
    ratio, the B_perp perpendicular spectrum's slope over shells ``fit`` (mean and spread over
    frames) and low/high band ratio below ``cutoff`` (median), and persistence's one-step
    channel-mean VRMSE."""
    b, t = frames.shape[:2]
    flat = frames.reshape(b * t, *frames.shape[2:]).double()
    stats = frame_statistics(flat, spectrum=True, methods=("central",))
    var = stats.variance  # [BT, 7]
    assert stats.spectrum is not None and stats.divb_central is not None
    e = stats.spectrum.sum(dim=-2)  # [BT, shells]
    shells = torch.arange(e.shape[-1], dtype=e.dtype)
    slope = spectral_slope(shells, e, lo=fit[0], hi=fit[1])
    diff = (frames[:, 1:] - frames[:, :-1]).double()
    lag1 = (
        diff.pow(2).mean(dim=(2, 3, 4)).sqrt()
        / frames[:, 1:].double().std(dim=(2, 3, 4), unbiased=False)
    ).mean()
    n_fit = max(0, math.floor(fit[1]) - math.ceil(fit[0]) + 1)
    return {
        "density_var": float(var[:, 0].mean()),
        "b_perp_var": float(var[:, 2:4].mean()),
        "v_var": float(var[:, 4:7].mean()),
        "mean_abs_b": float(stats.mean_abs_b.mean()),
        "eb_ek": float(stats.energy_ratio.mean()),
        "divb_central": float(stats.divb_central.mean()),
        "slope": float(slope.mean()),
        "slope_spread": float(slope.std()),
        "fit": [fit[0], fit[1]],
        "fit_shells": n_fit,
        "low_high": float(low_high_ratio(e, cutoff=cutoff).median()),
        "persistence_lag1": float(lag1),
        "trajectories": b,
        "frames": t,
    }


def set_statistics(root: Path, split: str = "test") -> dict[str, dict[str, Any]]:
    """``{"Ma_0.7_Ms_0.5": statistics}`` for each file of ``split`` under a set directory,
    with the fit range and cutoff the checks use (the data's recorded scales)."""
    data = open_dataset(root, split=split)
    scales = data.spectral_scales()
    n = min(data.spatial_shape)
    fit, cutoff = scales if scales is not None else ((2.0, n / 4), n / 2)
    out: dict[str, dict[str, Any]] = {}
    local_files = cast("set[Path]", {ref.file for ref in data.trajectories})  # a set dir is local
    for file in sorted(local_files):
        rows = [r.index for r in data.trajectories if r.file == file]
        frames = torch.stack([data.read_frames(i, 0, data.n_time) for i in rows])
        params = data.trajectory_parameters(rows[0])
        label = f"Ma_{params.get('Ma', math.nan):g}_Ms_{params.get('Ms', math.nan):g}"
        out[label] = truth_statistics(frames, fit=fit, cutoff=cutoff)
    return out


def format_table(rows: dict[str, dict[str, Any]]) -> str:
    """A Markdown table of :func:`set_statistics` output."""
    head = "| point | " + " | ".join(COLUMNS.values()) + " |"
    lines = [head, "|" + " --- |" * (len(COLUMNS) + 1)]
    for label, s in rows.items():
        cells = []
        for key in COLUMNS:
            if key == "slope":
                cells.append(
                    f"{s['slope']:.2f} +- {s['slope_spread']:.2f} ({s['fit'][0]:g}-{s['fit'][1]:g})"
                )
            else:
                cells.append(f"{s[key]:.3g}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


__all__ = ["COLUMNS", "format_table", "set_statistics", "truth_statistics"]
