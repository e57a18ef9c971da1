"""The symmetry check's figure: the equivariance gap per symmetry and step, with the step-1
bound."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from physcheck.report.figures.style import (
    Figure,
    bound_gid,
    finish,
    log_values,
    model_colors,
    plt,
)


def equivariance_gaps(
    gaps: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    bounds: Mapping[str, tuple[str, float, float]] | None = None,
    reported: Sequence[str] = (),
    title: str = "Equivariance gap",
) -> Figure:
    """``gaps[model][symmetry]``: the median over trajectories of VRMSE(model(T h), T model(h))
    per short-rollout step; one panel per model, one line per symmetry, log y. Symmetries in
    ``reported`` (distribution-changing: reported, not judged) are dashed. ``bounds[model] =
    (threshold name, threshold value, gap bound)``: the step-1 bound on the gap (the model's
    tier's threshold times the truth's step-1 change or its own step-1 error, medians), a mark
    at step 1."""
    fig, axes = plt.subplots(1, len(gaps), figsize=(5.5 * len(gaps), 3.8), squeeze=False)
    for ax, (model, by_symmetry) in zip(axes[0], gaps.items()):
        for color, (name, values) in zip(model_colors(len(by_symmetry)), by_symmetry.items()):
            v = log_values(np.asarray(values, dtype=float))
            dashed = name in reported
            ax.plot(
                np.arange(1, v.size + 1),
                v,
                color=color,
                marker="o",
                markersize=3,
                linestyle="--" if dashed else "-",
                label=f"{name} (reported)" if dashed else name,
            )
        if bounds and model in bounds:
            threshold, value, y = bounds[model]
            if np.isfinite(y) and y > 0:
                (mark,) = ax.plot(
                    [1], [y], "v", color="red", markersize=8, label=f"step-1 bound {y:.2g}"
                )
                mark.set_gid(bound_gid(threshold, value))
        ax.set_yscale("log")
        ax.set_xlabel("rollout step")
        ax.set_ylabel("VRMSE(model(T h), T model(h))")
        ax.set_title(model, fontsize=9)
        ax.legend(fontsize=7)
    return finish(fig, title)


__all__ = ["equivariance_gaps"]
