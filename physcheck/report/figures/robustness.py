"""The robustness checks' figures: the spread of perturbed rollouts, float32 against float64,
and the basin map of start windows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from physcheck.report.figures.style import (
    Figure,
    finish,
    log_values,
    model_colors,
    plt,
)


def perturbation_spread(
    spread: Mapping[str, np.ndarray], *, eps: float, title: str | None = None
) -> Figure:
    """max_i VRMSE(perturbed_i, unperturbed) per step. ``spread[model]``: ``[B, K]``."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for color, (model, values) in zip(model_colors(len(spread)), spread.items()):
        values = log_values(np.atleast_2d(values))
        steps = np.arange(1, values.shape[1] + 1)
        for i, row in enumerate(values):
            ax.plot(steps, row, color=color, alpha=0.8, label=model if i == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("rollout step")
    ax.set_ylabel("max VRMSE vs unperturbed")
    ax.legend(fontsize=8)
    return finish(fig, title or f"Determinism under {eps:g} input noise")


def precision_comparison(
    relative_difference: Mapping[str, np.ndarray],
    vrmse32: Mapping[str, np.ndarray],
    vrmse64: Mapping[str, np.ndarray],
    *,
    title: str = "float32 vs float64",
) -> Figure:
    """Left: pointwise ||p64 - p32|| / ||p64|| per step; right: channel-mean VRMSE of both.

    Each mapping holds ``[B, K]`` per model.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for color, model in zip(model_colors(len(relative_difference)), relative_difference):
        rel = log_values(np.atleast_2d(relative_difference[model]))
        steps = np.arange(1, rel.shape[1] + 1)
        for i, row in enumerate(rel):
            left.plot(steps, row, color=color, alpha=0.8, label=model if i == 0 else None)
        for values, style, label in ((vrmse32, "-", "float32"), (vrmse64, "--", "float64")):
            if model in values:
                v = log_values(np.atleast_2d(values[model]))
                with np.errstate(all="ignore"):
                    right.plot(
                        steps, np.nanmedian(v, axis=0), style, color=color, label=f"{model} {label}"
                    )
    left.set_yscale("log")
    left.set_xlabel("rollout step")
    left.set_ylabel(r"$\|p_{64} - p_{32}\| / \|p_{64}\|$")
    left.legend(fontsize=8)
    right.set_yscale("log")
    right.set_xlabel("rollout step")
    right.set_ylabel("channel-mean VRMSE (median)")
    right.legend(fontsize=8)
    return finish(fig, title)


def basin_map(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], *, title: str = "Basin map"
) -> Figure:
    """One panel per model: trajectories (rows) x start frames (columns), each cell the final
    basin of the rollout from that window, with its blow-up onset and how many perturbed
    rollouts agree."""
    colours = {"none": "#dff3df", "non-finite": "#bbbbbb"}
    palette = ["#f4a582", "#92c5de", "#d6604d", "#4393c3"]
    fig, axes = plt.subplots(1, len(rows), figsize=(4.5 * len(rows), 3.2), squeeze=False)
    for ax, (model, cells) in zip(axes[0], rows.items()):
        cells = [c for c in cells if "basin" in c]
        starts = sorted({int(c["start"]) for c in cells})
        trajs = sorted({int(c["trajectory"]) for c in cells})
        labels = sorted({str(c["basin"]) for c in cells} - set(colours))
        colour = dict(colours, **{lab: palette[i % len(palette)] for i, lab in enumerate(labels)})
        for c in cells:
            x, y = starts.index(int(c["start"])), trajs.index(int(c["trajectory"]))
            ax.add_patch(plt.Rectangle((x, y), 1, 1, color=colour[str(c["basin"])]))
            alike = sum(p == c["basin"] for p in c.get("perturbed_basins", []))
            onset = f"\nonset {c['onset']}" if c.get("onset") else ""
            text = f"{c['basin']}{onset}\n{alike}/{len(c.get('perturbed_basins', []))}"
            ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=7)
        ax.set_xlim(0, max(len(starts), 1))
        ax.set_ylim(0, max(len(trajs), 1))
        ax.set_xticks(np.arange(len(starts)) + 0.5, [str(s) for s in starts])
        ax.set_yticks(np.arange(len(trajs)) + 0.5, [f"traj {t}" for t in trajs])
        ax.set_xlabel("first predicted frame of the window")
        ax.set_title(model, fontsize=9)
    return finish(fig, title)


__all__ = ["basin_map", "perturbation_spread", "precision_comparison"]
