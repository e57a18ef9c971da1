"""The conservation checks' figure: energies, mean |B| and mass per step against the truth's,
with their pass bands."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from physcheck.report.figures.style import (
    BOUND_STYLE,
    TRUTH_STYLE,
    Figure,
    bound_gid,
    finish,
    model_colors,
    plt,
)


def energies_per_step(
    panels: Mapping[str, tuple[Mapping[str, np.ndarray], np.ndarray]],
    *,
    bounds: Mapping[str, tuple[str, str, float]] | None = None,
    title: str = "Energies, mean |B| and mass",
) -> Figure:
    """One panel per quantity, models against the truth, medians over trajectories.

    ``panels[ylabel] = (values[model] [B, K], truth [B, K])``; a quantity that takes
    non-positive values (a negative energy ratio from a negative density, say) is drawn on a
    symmetric-log axis instead of dropping them. ``bounds[ylabel] = (threshold name, kind,
    value)`` draws the pass band around the median truth: kind ``factor`` (truth / value to
    truth x value) or ``fraction`` (truth x (1 -+ value)).
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, (label, (values, truth)) in zip(axes[0], panels.items()):
        truth = np.atleast_2d(np.asarray(truth, dtype=float))
        steps = np.arange(1, truth.shape[1] + 1)
        everything = [truth] + [np.atleast_2d(np.asarray(v, dtype=float)) for v in values.values()]
        finite = np.concatenate([v[np.isfinite(v)] for v in everything])
        with np.errstate(all="ignore"):
            ax.plot(steps, np.nanmedian(truth, axis=0), label="truth", **TRUTH_STYLE)
            if bounds and label in bounds:
                name, kind, value = bounds[label]
                centre = np.nanmedian(truth, axis=0)
                low, high = (
                    (centre / value, centre * value)
                    if kind == "factor"
                    else (centre * (1 - value), centre * (1 + value))
                )
                for edge, text in ((low, f"bound ({kind} {value:g})"), (high, None)):
                    (line,) = ax.plot(steps, edge, label=text, **BOUND_STYLE)
                    line.set_gid(bound_gid(name, value))
            for color, (model, v) in zip(model_colors(len(values)), values.items()):
                ax.plot(steps, np.nanmedian(np.atleast_2d(v), axis=0), color=color, label=model)
        if finite.size and (finite <= 0).any():
            ax.set_yscale("symlog", linthresh=max(float(np.abs(finite).min()), 1e-12))
        elif finite.size and finite.max() / max(finite.min(), 1e-300) > 100:
            ax.set_yscale("log")
        ax.set_xlabel("rollout step")
        ax.set_ylabel(label)
    axes[0][0].legend(fontsize=7)
    return finish(fig, title)


__all__ = ["energies_per_step"]
