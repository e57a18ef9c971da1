"""The variance checks' figures: each channel's variance at the failing step (and how that step
is chosen), and ``var(pred) / var(truth)`` over time with the pass band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from physcheck.report.figures.style import (
    BOUND_STYLE,
    Figure,
    bound_gid,
    finish,
    log_values,
    model_colors,
    pass_band,
    plt,
)


def channel_variance_last_step(
    variance: Mapping[str, np.ndarray],
    truth: np.ndarray,
    channels: Sequence[str],
    *,
    step: int,
    band: tuple[float, float] | None = None,
    why: str | None = None,
    title: str | None = None,
) -> Figure:
    """Channel variance at one step (the failing one, see ``failing_step``), bars per model
    and truth, log y; ``band = (low, high)`` draws the pass band ``low x truth`` to
    ``high x truth`` (``variance_low``, ``variance_high``) on each channel's median truth.

    ``variance[model]`` and ``truth``: ``[B, C]`` at that step; bars are medians over
    trajectories, dots the individual trajectories. ``why`` says how the step was chosen.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    groups = [("truth", np.atleast_2d(truth))] + [
        (m, np.atleast_2d(v)) for m, v in variance.items()
    ]
    width = 0.8 / len(groups)
    x = np.arange(len(channels))
    colors = ["black"] + model_colors(len(variance))
    for g, (color, (label, values)) in enumerate(zip(colors, groups)):
        values = log_values(values)
        offset = (g - (len(groups) - 1) / 2) * width
        with np.errstate(all="ignore"):
            ax.bar(
                x + offset, np.nanmedian(values, axis=0), width, color=color, alpha=0.6, label=label
            )
        for row in values:
            ax.plot(x + offset, row, ".", color=color, markersize=3)
    if band is not None:
        with np.errstate(all="ignore"):
            centre = np.nanmedian(log_values(np.atleast_2d(truth)), axis=0)
        for value, name, text in (
            (band[0], "variance_low", f"pass band {band[0]:g}-{band[1]:g} x truth"),
            (band[1], "variance_high", None),
        ):
            lines = ax.hlines(value * centre, x - 0.45, x + 0.45, label=text, **BOUND_STYLE)
            lines.set_gid(bound_gid(name, value))
    ax.set_xticks(x, list(channels))
    ax.set_yscale("log")
    ax.set_ylabel("variance over space")
    ax.legend(fontsize=8)
    suffix = f" ({why})" if why else ""
    return finish(fig, title or f"Channel variance at step {step}{suffix}")


def failing_step(ratio: Sequence[np.ndarray], low: float, high: float) -> tuple[int, str]:
    """The step the channel-variance figure shows: the first step where any model's
    ``var(pred) / var(truth)`` (``[B, K, C]`` each) leaves ``[low, high]`` (non-finite counts
    as outside), else the step with the largest ``|log10 ratio|``, else the last; with the
    reason, for the title."""
    stacked = [np.asarray(r, dtype=float).reshape(-1, *np.shape(r)[-2:]) for r in ratio]
    if not stacked or stacked[0].size == 0:
        return 1, "no rollout"
    n_steps = min(r.shape[1] for r in stacked)
    both = np.concatenate([r[:, :n_steps] for r in stacked])  # [B', K, C]
    with np.errstate(all="ignore"):
        outside = ~((both >= low) & (both <= high))
        per_step = outside.any(axis=(0, 2))
        if per_step.any():
            return int(np.argmax(per_step)) + 1, "the first step beyond the bounds"
        distance = np.abs(np.log10(np.where(both > 0, both, np.nan)))
        worst = np.nanmax(distance, axis=(0, 2)) if np.isfinite(distance).any() else None
    if worst is not None and np.isfinite(worst).any():
        return int(np.nanargmax(worst)) + 1, "the step furthest from the truth; all within bounds"
    return n_steps, "the last step"


def variance_over_time(
    ratio: Mapping[str, np.ndarray],
    channels: Sequence[str],
    *,
    band: tuple[float, float] = (0.1, 10.0),
    title: str = "Channel variance over time, prediction / truth",
) -> Figure:
    """The diagnostic paper's key plot: ``var(pred) / var(truth)`` against the rollout step,
    one panel per channel, log y, with the pass band ``band`` (``variance_low``,
    ``variance_high``) shaded and its bounds drawn. ``ratio[model]``: ``[B, K, C]``; a line per
    trajectory (thin) and the median over trajectories (thick)."""
    n = len(channels)
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.3 * cols, 2.7 * rows), squeeze=False, sharex=True
    )
    colors = model_colors(len(ratio))
    for c, name in enumerate(channels):
        ax = axes[c // cols][c % cols]
        pass_band(ax, band[0], band[1], "variance_low", "variance_high")
        for color, (model, values) in zip(colors, ratio.items()):
            v = log_values(
                np.asarray(values, dtype=float).reshape(-1, *np.shape(values)[-2:])[..., c]
            )
            steps = np.arange(1, v.shape[1] + 1)
            for row in v:
                ax.plot(steps, row, color=color, linewidth=0.6, alpha=0.5)
            with np.errstate(all="ignore"):
                ax.plot(steps, np.nanmedian(v, axis=0), color=color, linewidth=1.6, label=model)
        ax.axhline(1.0, color="grey", linewidth=0.6)
        ax.set_yscale("log")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("rollout step", fontsize=8)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    axes[0][0].set_ylabel("var(pred) / var(truth)")
    axes[0][0].legend(fontsize=7)
    return finish(fig, title)


__all__ = ["channel_variance_last_step", "failing_step", "variance_over_time"]
