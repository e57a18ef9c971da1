"""The magnetic checks' figures: perpendicular spectra against the truth's at selected steps,
and div B per step with its bound."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from physcheck.report.figures.style import (
    BOUND_STYLE,
    TRUTH_STYLE,
    Figure,
    NullFormatter,
    bound_gid,
    finish,
    log_values,
    model_colors,
    plt,
)

#: steps at which the paper plots perpendicular spectra
SPECTRUM_STEPS = (1, 5, 10, 25, 50)


def perpendicular_spectra(
    spectra: Mapping[str, Mapping[int, np.ndarray]],
    truth: Mapping[int, np.ndarray],
    *,
    component: str = "B_perp",
    title: str | None = None,
    cutoff: float | None = None,
    reference_slope: float = -5 / 3,
) -> Figure:
    """E(n_perp | n_par -> 0) at selected steps, each model against the truth.

    ``spectra[model][step]`` and ``truth[step]``: ``[N//2 + 1]`` shell energies of one
    trajectory (or a median over trajectories). Shells 1 to ``cutoff`` (the largest resolved
    shell; default the last full shell, N/2 - 1) are drawn: the mean and the corner-truncated
    last shell stay out of the y-range. A dashed ``n^reference_slope`` line (-5/3 by default),
    anchored on the truth at shell 2, is the eye's reference.
    """
    steps = sorted(truth)
    fig, axes = plt.subplots(
        1, len(steps), figsize=(3.0 * len(steps), 3.0), squeeze=False, sharey=True
    )
    colors = model_colors(len(spectra))
    for ax, step in zip(axes[0], steps):
        e_truth = log_values(truth[step])
        top = int(cutoff) if cutoff is not None else e_truth.size - 2
        top = max(2, min(top, e_truth.size - 2))
        shells = np.arange(e_truth.size)
        shown = slice(1, top + 1)
        ax.plot(shells[shown], e_truth[shown], label="truth", **TRUTH_STYLE)
        for color, (model, by_step) in zip(colors, spectra.items()):
            if step in by_step:
                e = log_values(by_step[step])
                ax.plot(shells[shown], e[shown], color=color, label=model)
        anchor = e_truth[2] if e_truth.size > 2 and np.isfinite(e_truth[2]) else None
        if anchor is not None:
            ref = anchor * (shells[shown] / 2.0) ** reference_slope
            ax.plot(
                shells[shown],
                ref,
                color="grey",
                linewidth=0.8,
                linestyle=":",
                label=f"n^{reference_slope:.2g}",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = [t for t in (1, 2, 4, 8, 16, 32, 64) if t <= top]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(f"step {step}", fontsize=9)
        ax.set_xlabel(r"$n_\perp$ (shell)")
    axes[0][0].set_ylabel(rf"$E(n_\perp)$ of {component}")
    axes[0][0].legend(fontsize=7)
    return finish(fig, title or f"Perpendicular spectrum of {component}")


def divb_per_step(
    divb: Mapping[str, np.ndarray],
    truth: np.ndarray,
    *,
    operator: str,
    factor: float | None = None,
    title: str | None = None,
) -> Figure:
    """div B ratio (rms div B / <|B|>, 1/length) per step, models against truth, and the bound
    ``factor`` x the truth's (``solenoidality_factor``; drawn on the median truth).

    ``divb[model]`` and ``truth``: ``[B, K]``; drawn as the median over trajectories.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    truth = log_values(np.atleast_2d(truth))
    steps = np.arange(1, truth.shape[1] + 1)
    with np.errstate(all="ignore"):
        ax.plot(steps, np.nanmedian(truth, axis=0), label="truth", **TRUTH_STYLE)
        if factor is not None:
            (line,) = ax.plot(
                steps,
                factor * np.nanmedian(truth, axis=0),
                label=f"bound {factor:g} x truth",
                **BOUND_STYLE,
            )
            line.set_gid(bound_gid("solenoidality_factor", factor))
    for color, (model, values) in zip(model_colors(len(divb)), divb.items()):
        values = log_values(np.atleast_2d(values))
        with np.errstate(all="ignore"):
            q25, median, q75 = np.nanpercentile(values, [25, 50, 75], axis=0)
        ax.plot(steps, median, color=color, label=model)
        ax.fill_between(steps, q25, q75, color=color, alpha=0.25, linewidth=0)
    ax.set_yscale("log")
    ax.set_xlabel("rollout step")
    ax.set_ylabel(rf"rms($\nabla\cdot B$) / $\langle|B|\rangle$ [1/grid unit] ({operator})")
    ax.legend(fontsize=8)
    return finish(fig, title or f"Solenoidality ({operator} operator)")


__all__ = ["SPECTRUM_STEPS", "divb_per_step", "perpendicular_spectra"]
