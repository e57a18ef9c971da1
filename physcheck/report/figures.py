"""Figures of a physcheck run, modelled on the diagnostic paper's.

Every function takes plain arrays (numpy or anything ``np.asarray`` accepts), one
entry per model so that two models (a checkpoint and its predecessor, a model with
and without solenoidal projection) share the same axes, and returns a matplotlib
``Figure``. Steps are 1-based rollout steps. matplotlib is an optional extra:
importing this module without it raises ``ReportUnavailable`` with the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from physcheck.report.availability import require_matplotlib

plt = require_matplotlib()
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

#: steps at which the paper plots perpendicular spectra
SPECTRUM_STEPS = (1, 5, 10, 25, 50)
TRUTH_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1.5}


def _colors(n: int) -> list[Any]:
    cmap = plt.get_cmap("tab10")
    return [cmap(i % 10) for i in range(n)]


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: non-positive and non-finite entries become NaN (a gap)."""
    out = np.array(values, dtype=float)
    out[~np.isfinite(out) | (out <= 0)] = np.nan
    return out


def _finish(fig: Figure, title: str) -> Figure:
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def vrmse_per_step(
    vrmse: Mapping[str, np.ndarray],
    *,
    persistence: np.ndarray | None = None,
    ceiling: float | None = None,
    title: str = "Channel-mean VRMSE per step",
) -> Figure:
    """Median over trajectories with the interquartile band, log y; persistence (the last
    input frame held) as the do-nothing baseline, and the decorrelation ceiling.

    ``vrmse[model]`` and ``persistence``: ``[B, K]`` channel-mean VRMSE per trajectory and step.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    if persistence is not None:
        values = _positive(np.atleast_2d(persistence))
        with np.errstate(all="ignore"):
            ax.plot(
                np.arange(1, values.shape[1] + 1),
                np.nanmedian(values, axis=0),
                color="grey",
                linestyle="--",
                label="persistence (median)",
            )
    if ceiling is not None:
        ax.axhline(ceiling, color="red", linewidth=0.8, linestyle=":", label=f"ceiling {ceiling:g}")
    for color, (model, values) in zip(_colors(len(vrmse)), vrmse.items()):
        values = _positive(np.atleast_2d(values))
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
    return _finish(fig, title)


def vrmse_per_trajectory(
    vrmse: Mapping[str, np.ndarray],
    trajectories: Sequence[int],
    *,
    title: str = "VRMSE per trajectory",
) -> Figure:
    """One panel per trajectory, every model on it. ``vrmse[model]``: ``[B, K]``."""
    n = len(trajectories)
    cols = min(n, 5)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False, sharey=True
    )
    colors = _colors(len(vrmse))
    for i, traj in enumerate(trajectories):
        ax = axes[i // cols][i % cols]
        for color, (model, values) in zip(colors, vrmse.items()):
            series = _positive(np.atleast_2d(values)[i])
            ax.plot(np.arange(1, series.size + 1), series, color=color, label=model)
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
        ax.set_yscale("log")
        ax.set_title(f"traj {traj}", fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    axes[0][0].legend(fontsize=7)
    return _finish(fig, title)


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
    colors = _colors(len(spectra))
    for ax, step in zip(axes[0], steps):
        e_truth = _positive(truth[step])
        top = int(cutoff) if cutoff is not None else e_truth.size - 2
        top = max(2, min(top, e_truth.size - 2))
        shells = np.arange(e_truth.size)
        shown = slice(1, top + 1)
        ax.plot(shells[shown], e_truth[shown], label="truth", **TRUTH_STYLE)
        for color, (model, by_step) in zip(colors, spectra.items()):
            if step in by_step:
                e = _positive(by_step[step])
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
    return _finish(fig, title or f"Perpendicular spectrum of {component}")


def divb_per_step(
    divb: Mapping[str, np.ndarray], truth: np.ndarray, *, operator: str, title: str | None = None
) -> Figure:
    """div B ratio (rms div B / <|B|>, 1/length) per step, models against truth.

    ``divb[model]`` and ``truth``: ``[B, K]``; drawn as the median over trajectories.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    truth = _positive(np.atleast_2d(truth))
    steps = np.arange(1, truth.shape[1] + 1)
    with np.errstate(all="ignore"):
        ax.plot(steps, np.nanmedian(truth, axis=0), label="truth", **TRUTH_STYLE)
    for color, (model, values) in zip(_colors(len(divb)), divb.items()):
        values = _positive(np.atleast_2d(values))
        with np.errstate(all="ignore"):
            q25, median, q75 = np.nanpercentile(values, [25, 50, 75], axis=0)
        ax.plot(steps, median, color=color, label=model)
        ax.fill_between(steps, q25, q75, color=color, alpha=0.25, linewidth=0)
    ax.set_yscale("log")
    ax.set_xlabel("rollout step")
    ax.set_ylabel(rf"rms($\nabla\cdot B$) / $\langle|B|\rangle$ [1/grid unit] ({operator})")
    ax.legend(fontsize=8)
    return _finish(fig, title or f"Solenoidality ({operator} operator)")


def energies_per_step(
    panels: Mapping[str, tuple[Mapping[str, np.ndarray], np.ndarray]],
    *,
    title: str = "Energies, guide field and mass",
) -> Figure:
    """One panel per quantity, models against the truth, medians over trajectories.

    ``panels[ylabel] = (values[model] [B, K], truth [B, K])``; a quantity that takes
    non-positive values (a negative Alfven ratio from a negative density, say) is drawn on a
    symmetric-log axis instead of dropping them.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, (label, (values, truth)) in zip(axes[0], panels.items()):
        truth = np.atleast_2d(np.asarray(truth, dtype=float))
        steps = np.arange(1, truth.shape[1] + 1)
        everything = [truth] + [np.atleast_2d(np.asarray(v, dtype=float)) for v in values.values()]
        finite = np.concatenate([v[np.isfinite(v)] for v in everything])
        with np.errstate(all="ignore"):
            ax.plot(steps, np.nanmedian(truth, axis=0), label="truth", **TRUTH_STYLE)
            for color, (model, v) in zip(_colors(len(values)), values.items()):
                ax.plot(steps, np.nanmedian(np.atleast_2d(v), axis=0), color=color, label=model)
        if finite.size and (finite <= 0).any():
            ax.set_yscale("symlog", linthresh=max(float(np.abs(finite).min()), 1e-12))
        elif finite.size and finite.max() / max(finite.min(), 1e-300) > 100:
            ax.set_yscale("log")
        ax.set_xlabel("rollout step")
        ax.set_ylabel(label)
    axes[0][0].legend(fontsize=7)
    return _finish(fig, title)


def channel_variance_last_step(
    variance: Mapping[str, np.ndarray],
    truth: np.ndarray,
    channels: Sequence[str],
    *,
    step: int,
    title: str | None = None,
) -> Figure:
    """Channel variance at one step, bars per model and truth, log y.

    ``variance[model]`` and ``truth``: ``[B, C]`` at that step; bars are medians over
    trajectories, dots the individual trajectories.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    groups = [("truth", np.atleast_2d(truth))] + [
        (m, np.atleast_2d(v)) for m, v in variance.items()
    ]
    width = 0.8 / len(groups)
    x = np.arange(len(channels))
    colors = ["black"] + _colors(len(variance))
    for g, (color, (label, values)) in enumerate(zip(colors, groups)):
        values = _positive(values)
        offset = (g - (len(groups) - 1) / 2) * width
        with np.errstate(all="ignore"):
            ax.bar(
                x + offset, np.nanmedian(values, axis=0), width, color=color, alpha=0.6, label=label
            )
        for row in values:
            ax.plot(x + offset, row, ".", color=color, markersize=3)
    ax.set_xticks(x, list(channels))
    ax.set_yscale("log")
    ax.set_ylabel("variance over space")
    ax.legend(fontsize=8)
    return _finish(fig, title or f"Channel variance at step {step}")


def perturbation_spread(
    spread: Mapping[str, np.ndarray], *, eps: float, title: str | None = None
) -> Figure:
    """max_i VRMSE(perturbed_i, unperturbed) per step. ``spread[model]``: ``[B, K]``."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for color, (model, values) in zip(_colors(len(spread)), spread.items()):
        values = _positive(np.atleast_2d(values))
        steps = np.arange(1, values.shape[1] + 1)
        for i, row in enumerate(values):
            ax.plot(steps, row, color=color, alpha=0.8, label=model if i == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("rollout step")
    ax.set_ylabel("max VRMSE vs unperturbed")
    ax.legend(fontsize=8)
    return _finish(fig, title or f"Determinism under {eps:g} input noise")


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
    for color, model in zip(_colors(len(relative_difference)), relative_difference):
        rel = _positive(np.atleast_2d(relative_difference[model]))
        steps = np.arange(1, rel.shape[1] + 1)
        for i, row in enumerate(rel):
            left.plot(steps, row, color=color, alpha=0.8, label=model if i == 0 else None)
        for values, style, label in ((vrmse32, "-", "float32"), (vrmse64, "--", "float64")):
            if model in values:
                v = _positive(np.atleast_2d(values[model]))
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
    return _finish(fig, title)


def equivariance_gaps(
    gaps: Mapping[str, Mapping[str, Sequence[float]]], *, title: str = "Equivariance gap"
) -> Figure:
    """``gaps[model][symmetry]``: the median over trajectories of VRMSE(model(T h), T model(h))
    per short-rollout step; one panel per model, one line per symmetry, log y."""
    fig, axes = plt.subplots(1, len(gaps), figsize=(5.5 * len(gaps), 3.8), squeeze=False)
    for ax, (model, by_symmetry) in zip(axes[0], gaps.items()):
        for color, (name, values) in zip(_colors(len(by_symmetry)), by_symmetry.items()):
            v = _positive(np.asarray(values, dtype=float))
            ax.plot(np.arange(1, v.size + 1), v, color=color, marker="o", markersize=3, label=name)
        ax.set_yscale("log")
        ax.set_xlabel("rollout step")
        ax.set_ylabel("VRMSE(model(T h), T model(h))")
        ax.set_title(model, fontsize=9)
        ax.legend(fontsize=7)
    return _finish(fig, title)


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
    return _finish(fig, title)
