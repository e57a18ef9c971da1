"""The report's figures draw their pass/fail bounds: the variance-over-time figure with its
pass band, the channel-variance figure at the failing step, and the bounds of every other
figure that has one, read back from the matplotlib artists and from the PNGs' metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from physcheck.config.thresholds import Thresholds  # noqa: E402
from physcheck.report import figures as f  # noqa: E402
from physcheck.report.build import png_bounds  # noqa: E402
from tests.report.test_report import report  # noqa: E402, F401  (the module-scoped run)

TH = Thresholds()
CHANNELS = ["rho", "Bx", "By", "Bz", "vx", "vy", "vz"]


def _ratios(n_steps: int = 12, blow_from: int | None = None) -> np.ndarray:
    """``[B=2, K, C]`` variance ratios near 1, B_y growing 2x a step from ``blow_from``."""
    r = np.ones((2, n_steps, len(CHANNELS))) * np.linspace(0.8, 1.2, len(CHANNELS))
    if blow_from is not None:
        steps = np.arange(1, n_steps + 1)
        r[1, :, 2] *= np.where(steps >= blow_from, 2.0 ** (steps - blow_from + 1), 1.0)
    return r


def test_the_variance_over_time_figure_draws_its_pass_band() -> None:
    fig = f.variance_over_time({"m": _ratios(blow_from=5)}, CHANNELS, band=(0.1, 10.0))
    assert ("variance_low", 0.1) in f.bounds_of(fig) and ("variance_high", 10.0) in f.bounds_of(fig)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(CHANNELS)
    for ax in panels:
        levels = sorted(
            float(line.get_ydata()[0])
            for line in ax.get_lines()
            if str(line.get_gid() or "").startswith("bound:")
        )
        assert levels == [0.1, 10.0] and ax.get_yscale() == "log"
        assert any(str(p.get_gid() or "").startswith("band:") for p in ax.patches)


def test_the_failing_step_is_the_first_beyond_the_bounds_else_the_worst() -> None:
    # B_y of trajectory 1 doubles from step 5: 2, 4, 8, 16 -> beyond 10 at step 8
    step, why = f.failing_step([_ratios(blow_from=5)], TH.variance_low, TH.variance_high)
    assert (step, why) == (8, "the first step beyond the bounds")
    # within bounds everywhere: the step furthest from the truth (the growth's last step)
    step, why = f.failing_step([_ratios(n_steps=7, blow_from=5)], 0.1, 10.0)
    assert step == 7 and "within bounds" in why
    # a second model failing earlier moves the step
    early = _ratios(blow_from=2)
    assert f.failing_step([_ratios(blow_from=5), early], 0.1, 10.0)[0] == 5


def test_the_channel_variance_figure_draws_the_band_at_its_step() -> None:
    truth = np.full((2, len(CHANNELS)), 0.5)
    fig = f.channel_variance_last_step(
        {"m": truth * 3}, truth, CHANNELS, step=8, band=(0.1, 10.0), why="the first step beyond the bounds"
    )
    assert "step 8 (the first step beyond the bounds)" in fig.texts[0].get_text()
    (ax,) = fig.axes
    tagged = [c for c in ax.collections if str(c.get_gid() or "").startswith("bound:")]
    segments = {str(c.get_gid()): c.get_segments() for c in tagged}
    low, high = segments["bound:variance_low:0.1"], segments["bound:variance_high:10"]
    assert len(low) == len(high) == len(CHANNELS)
    assert np.allclose([s[0][1] for s in low], 0.05) and np.allclose([s[0][1] for s in high], 5.0)


def test_the_equivariance_figure_marks_the_tiers_bound_and_dashes_the_reported() -> None:
    gaps = {"m": {"rot90_x": [1e-3, 2e-3], "reflect_y_pseudo": [0.1, 0.2]}}
    fig = f.equivariance_gaps(
        gaps, bounds={"m": ("equivariance_approximate", 0.5, 0.05)}, reported=["reflect_y_pseudo"]
    )
    assert f.bounds_of(fig) == [("equivariance_approximate", 0.5)]
    styles = {line.get_label(): line.get_linestyle() for line in fig.axes[0].get_lines()}
    assert styles["reflect_y_pseudo (reported)"] == "--" and styles["rot90_x"] == "-"


def test_the_report_writes_the_variance_over_time_figure_and_every_bound(report: Path) -> None:  # noqa: F811
    page = (report / "index.html").read_text()
    assert "id='fig-variance-time'" in page
    doc = json.loads((report / "results.json").read_text())
    th = doc["series"]["exact"]["thresholds"]
    expected = {
        "fig-variance-time": {"variance_low", "variance_high"},
        "fig-variance": {"variance_low", "variance_high"},
        "fig-vrmse": {"stability_threshold", "vrmse_step1"},
        "fig-vrmse-traj": {"stability_threshold"},
        "fig-divb": {"solenoidality_factor"},
        "fig-energy": {"energy_factor", "mass_tolerance"},
    }
    for anchor, names in expected.items():
        drawn = dict(png_bounds((report / f"{anchor}.png").read_bytes()))
        assert names <= set(drawn), (anchor, drawn)
        for name in names:
            assert drawn[name] == pytest.approx(th[name]), (anchor, name)


def _caption_step(page: str) -> tuple[int, str]:
    caption = re.search(r"Channel variance at step (\d+), ([^(]+)\(", page)
    assert caption is not None
    return int(caption.group(1)), caption.group(2).strip().rstrip(",")


def test_the_report_shows_channel_variance_at_the_first_failing_step(
    report: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Within bounds everywhere, the figure shows the step furthest from the truth (re-derived
    here from the series); once one model's B_y variance leaves the band from a chosen step,
    the figure shows that step, not the last."""
    from physcheck.report.build import write_report

    doc = json.loads((report / "results.json").read_text())
    series = doc["series"]
    ratios = np.concatenate([np.asarray(s["variance_ratio"], dtype=float) for s in series.values()])
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.nanmax(np.abs(np.log10(ratios)), axis=(0, 2))
    assert np.nanmax(ratios) <= TH.variance_high and np.nanmin(ratios) >= TH.variance_low
    step, why = _caption_step((report / "index.html").read_text())
    assert step == int(np.nanargmax(distance)) + 1 and "within bounds" in why

    n_steps = ratios.shape[1]
    onset = n_steps // 2
    drain = series["drain"]
    by = drain["channels"].index("By")
    for key in ("variance_ratio", "variance"):
        values = np.asarray(drain[key], dtype=float)
        values[0, onset - 1 :, by] *= 100.0
        drain[key] = values.tolist()
    page = write_report(doc, tmp_path / "failing").read_text()
    assert _caption_step(page) == (onset, "the first step beyond the bounds")
    assert onset < n_steps
