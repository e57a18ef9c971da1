"""Which units a comparison pairs: (trajectory, perturbation) where both runs drew the same
perturbations, trajectories otherwise, as each comparison says; and what makes saved
rollouts incomparable with a run, from their own metadata."""

from __future__ import annotations

from typing import Any

import pytest

from physcheck.baseline import compare_results
from physcheck.baseline.saved import Coverage, saved_differences
from physcheck.baseline.scorecard import row
from physcheck.baseline.units import CHANNEL, PERTURBATION, TRAJECTORY


def basin(trajectory: int, spreads: list[float], *, legacy: bool = False, **identity: float) -> dict[str, Any]:
    """A basin_determinism result with each perturbed rollout's spread (``legacy``: only the
    largest, as results files kept it before)."""
    details: dict[str, float] = {"spread": max(spreads)}
    if not legacy:
        details.update({f"spread:noise{k}": s for k, s in enumerate(spreads)})
        details.update({"noise_eps": 1e-6, "seed": 0.0, "perturbations": float(len(spreads))})
        details.update(identity)
    return {
        "check": "basin_determinism", "model": "m", "trajectory": trajectory, "channel": None,
        "passed": True, "value": float(len(spreads)), "threshold": float(len(spreads)),
        "details": details,
    }


def compared(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> tuple[int, str]:
    (comparison,) = compare_results(new, old, checks=["basin_determinism"])
    return comparison.units, comparison.unit


BASE = [basin(0, [0.10, 0.12, 0.11]), basin(1, [0.20, 0.21, 0.19])]


def test_the_same_perturbations_pair_one_by_one() -> None:
    worse = [basin(0, [0.15, 0.17, 0.16]), basin(1, [0.25, 0.26, 0.24])]
    (comparison,) = compare_results(worse, BASE, checks=["basin_determinism"])
    assert (comparison.units, comparison.unit) == (6, PERTURBATION)
    assert comparison.value == pytest.approx((0.15 + 0.17 + 0.16 + 0.25 + 0.26 + 0.24) / 6)
    assert comparison.verdict == "regression"  # every perturbed rollout spread 0.05 more
    assert "| 6 (trajectory × perturbation) |" in row(comparison)


@pytest.mark.parametrize(
    "old",
    [
        pytest.param([basin(0, [0.10, 0.12, 0.11], legacy=True), basin(1, [0.2, 0.21], legacy=True)], id="no-per-perturbation-values"),
        pytest.param([basin(0, [0.10, 0.12, 0.11], seed=1), basin(1, [0.2, 0.21, 0.19], seed=1)], id="other-seed"),
        pytest.param([basin(0, [0.10, 0.12, 0.11], noise_eps=1e-5), basin(1, [0.2, 0.21, 0.19], noise_eps=1e-5)], id="other-noise"),
        pytest.param([basin(0, [0.10, 0.12]), basin(1, [0.20, 0.21])], id="other-count"),
    ],
)
def test_other_or_unknown_perturbations_pair_by_trajectory(old: list[dict[str, Any]]) -> None:
    assert compared(BASE, old) == (2, TRAJECTORY)
    assert compared(old, BASE) == (2, TRAJECTORY)


def test_a_per_channel_number_says_its_units() -> None:
    results = [
        {"check": "channel_variance", "trajectory": t, "channel": c, "value": 1.0, "details": None}
        for t in (0, 1)
        for c in ("rho", "Bx", "By")
    ]
    (comparison,) = compare_results(results, results)
    assert (comparison.units, comparison.unit) == (6, CHANNEL)


RUN = Coverage(
    label="3:3:6", start=3, n_history=3, steps=6, trajectories=(0, 1),
    fields=("density", "Bx"), grid=(16, 16, 16), files={"a.hdf5": "aa"},
)
META = {
    "start_frame": 3, "n_history": 3, "trajectories": [0, 1],
    "field_names": ["density", "Bx"], "data_files": ["a.hdf5:aa"],
}
SHAPE = (2, 6, 16, 16, 16, 2)


@pytest.mark.parametrize(
    ("meta", "shape", "named"),
    [
        ({"start_frame": 4}, SHAPE, "window 3:3:6 against 4:3:6"),
        ({"n_history": 2}, SHAPE, "window 3:3:6 against 3:2:6"),
        ({}, (2, 8, 16, 16, 16, 2), "window 3:3:6 against 3:3:8"),
        ({"trajectories": [0, 2]}, SHAPE, "trajectories [0, 1] against [0, 2]"),
        ({"field_names": ["density", "By"]}, SHAPE, "other data (channels density, Bx against density, By)"),
        ({}, (2, 6, 32, 32, 32, 2), "other data (grid 16x16x16 against 32x32x32)"),
        ({"data_files": ["a.hdf5:bb"]}, SHAPE, "other data (files a.hdf5)"),
        ({"data_files": ["b.hdf5:aa"]}, SHAPE, "other data (files a.hdf5)"),
        ({"start_frame": None}, SHAPE, "the baseline records no start frame (write it with physcheck export)"),
    ],
)
def test_saved_rollouts_of_other_data_window_or_trajectories_differ(
    meta: dict[str, Any], shape: tuple[int, ...], named: str
) -> None:
    assert saved_differences({**META, **meta}, shape, RUN) == [named]


def test_saved_rollouts_of_the_run_compare_and_unrecorded_data_files_are_not_held_against_them() -> None:
    assert saved_differences(META, SHAPE, RUN) == []
    assert saved_differences({**META, "data_files": None}, SHAPE, RUN) == []
