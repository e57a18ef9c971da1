"""The accuracy checks' figures: channel-mean VRMSE per step (with persistence, the ceiling
and the step-1 bound) and per trajectory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from physcheck.report.figures.style import (
    Figure,
    bound_gid,
    finish,
    hbound,
    log_values,
    model_colors,
    plt,
)


def vrmse_per_step(
    vrmse: Mapping[str, np.ndarray],
    *,
    persistence: np.ndarray | None = None,
    ceiling: float | None = None,
    step1_bound: float | None = None,
    title: str = "Channel-mean VRMSE per step",
) -> Figure:
    """Median over trajectories with the interquartile band, log y; persistence (the last
    input frame held) as the do-nothing baseline; the bounds: the ceiling
    (``stability_threshold``, every step) and the step-1 bound (``vrmse_step1``, a mark at
    step 1).

    ``vrmse[model]`` and ``persistence``: ``[B, K]`` channel-mean VRMSE per trajectory and step.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    if persistence is not None:
        values = log_values(np.atleast_2d(persistence))
        with np.errstate(all="ignore"):
            ax.plot(
                np.arange(1, values.shape[1] + 1),
                np.nanmedian(values, axis=0),
                color="grey",
                linestyle="--",
                label="persistence (median)",
            )
    if ceiling is not None:
        hbound(ax, ceiling, "stability_threshold", f"ceiling {ceiling:g}")
    if step1_bound is not None:
        (mark,) = ax.plot(
            [1],
            [step1_bound],
            "v",
            color="red",
            markersize=7,
            label=f"step-1 bound {step1_bound:g}",
        )
        mark.set_gid(bound_gid("vrmse_step1", step1_bound))
    for color, (model, values) in zip(model_colors(len(vrmse)), vrmse.items()):
        values = log_values(np.atleast_2d(values))
        steps = np.arange(1, values.shape[1] + 1)
        with np.errstate(all="ignore"):
            q25, median, q75 = np.nanpercentile(values, [25, 50, 75], axis=0)
        ax.plot(steps, median, color=color, label=f"{model} (median)")
        ax.fill_between(steps, q25, q75, color=color, alpha=0.25, linewidth=0)
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":", label="VRMSE = 1 (mean predictor)")
    ax.set_yscale("log")
    ax.set_xlabel("rollout step")
    ax.set_ylabel("VRMSE")
    ax.legend(fontsize=8)
    return finish(fig, title)


def vrmse_per_trajectory(
    vrmse: Mapping[str, np.ndarray],
    trajectories: Sequence[int],
    *,
    ceiling: float | None = None,
    title: str = "VRMSE per trajectory",
) -> Figure:
    """One panel per trajectory, every model on it, with the ceiling
    (``stability_threshold``) the stability horizon judges. ``vrmse[model]``: ``[B, K]``."""
    n = len(trajectories)
    cols = min(n, 5)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False, sharey=True
    )
    colors = model_colors(len(vrmse))
    for i, traj in enumerate(trajectories):
        ax = axes[i // cols][i % cols]
        for color, (model, values) in zip(colors, vrmse.items()):
            series = log_values(np.atleast_2d(values)[i])
            ax.plot(np.arange(1, series.size + 1), series, color=color, label=model)
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
        if ceiling is not None:
            hbound(ax, ceiling, "stability_threshold", f"ceiling {ceiling:g}" if i == 0 else None)
        ax.set_yscale("log")
        ax.set_title(f"traj {traj}", fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    axes[0][0].legend(fontsize=7)
    return finish(fig, title)


__all__ = ["vrmse_per_step", "vrmse_per_trajectory"]
