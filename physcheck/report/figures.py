"""Figures of a physcheck run, modelled on the diagnostic paper's.

Every function takes plain arrays (numpy or anything ``np.asarray`` accepts), one
entry per model so that two models (a checkpoint and its predecessor, a model with
and without solenoidal projection) share the same axes, and returns a matplotlib
``Figure``. Steps are 1-based rollout steps. matplotlib is an optional extra:
importing this module without it raises ``ReportUnavailable`` with the fix.

Every pass/fail bound a figure can show is drawn (red, dotted) and tagged: the artist's gid is
``bound:NAME:VALUE`` (``NAME`` the threshold, e.g. ``variance_high``), which ``bounds_of``
reads back and the report writes into each PNG's metadata (``physcheck-bounds``).
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


BOUND_STYLE = {"color": "red", "linewidth": 0.9, "linestyle": ":"}
#: the pass band shading of a ratio that must stay between two bounds
BAND_STYLE = {"color": "green", "alpha": 0.08, "linewidth": 0}


def _gid(name: str, value: float) -> str:
    return f"bound:{name}:{value:g}"


def _hbound(ax: Any, value: float, name: str, label: str | None = None) -> None:
    """A horizontal pass/fail bound at ``value`` (threshold ``name``)."""
    line = ax.axhline(value, label=label, **BOUND_STYLE)
    line.set_gid(_gid(name, value))


def _band(ax: Any, low: float, high: float, low_name: str, high_name: str) -> None:
    """The pass band ``low <= y <= high``: shaded, with both bounds drawn."""
    span = ax.axhspan(low, high, **BAND_STYLE)
    span.set_gid(f"band:{low_name}:{high_name}")
    _hbound(ax, low, low_name, f"pass band {low:g}-{high:g}")
    _hbound(ax, high, high_name)


def bounds_of(fig: Figure) -> list[tuple[str, float]]:
    """The bounds drawn on ``fig``: ``(threshold name, value)`` per tagged artist, in drawing
    order, without repeats (a bound drawn on several panels counts once)."""
    out: list[tuple[str, float]] = []
    for artist in fig.findobj(lambda a: str(a.get_gid() or "").startswith("bound:")):
        _, name, value = str(artist.get_gid()).split(":", 2)
        entry = (name, float(value))
        if entry not in out:
            out.append(entry)
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
        _hbound(ax, ceiling, "stability_threshold", f"ceiling {ceiling:g}")
    if step1_bound is not None:
        (mark,) = ax.plot(
            [1],
            [step1_bound],
            "v",
            color="red",
            markersize=7,
            label=f"step-1 bound {step1_bound:g}",
        )
        mark.set_gid(_gid("vrmse_step1", step1_bound))
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
    colors = _colors(len(vrmse))
    for i, traj in enumerate(trajectories):
        ax = axes[i // cols][i % cols]
        for color, (model, values) in zip(colors, vrmse.items()):
            series = _positive(np.atleast_2d(values)[i])
            ax.plot(np.arange(1, series.size + 1), series, color=color, label=model)
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
        if ceiling is not None:
            _hbound(ax, ceiling, "stability_threshold", f"ceiling {ceiling:g}" if i == 0 else None)
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
    truth = _positive(np.atleast_2d(truth))
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
            line.set_gid(_gid("solenoidality_factor", factor))
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
                    line.set_gid(_gid(name, value))
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
    if band is not None:
        with np.errstate(all="ignore"):
            centre = np.nanmedian(_positive(np.atleast_2d(truth)), axis=0)
        for value, name, text in (
            (band[0], "variance_low", f"pass band {band[0]:g}-{band[1]:g} x truth"),
            (band[1], "variance_high", None),
        ):
            lines = ax.hlines(value * centre, x - 0.45, x + 0.45, label=text, **BOUND_STYLE)
            lines.set_gid(_gid(name, value))
    ax.set_xticks(x, list(channels))
    ax.set_yscale("log")
    ax.set_ylabel("variance over space")
    ax.legend(fontsize=8)
    suffix = f" ({why})" if why else ""
    return _finish(fig, title or f"Channel variance at step {step}{suffix}")


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
    colors = _colors(len(ratio))
    for c, name in enumerate(channels):
        ax = axes[c // cols][c % cols]
        _band(ax, band[0], band[1], "variance_low", "variance_high")
        for color, (model, values) in zip(colors, ratio.items()):
            v = _positive(
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
    return _finish(fig, title)


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
        for color, (name, values) in zip(_colors(len(by_symmetry)), by_symmetry.items()):
            v = _positive(np.asarray(values, dtype=float))
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
                mark.set_gid(_gid(threshold, value))
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
