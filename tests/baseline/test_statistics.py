"""The paired comparison's statistics: verdicts from the interval against the margin, the
units that would decide an inconclusive number, blow-ups without statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from physcheck.baseline.numbers import NUMBERS, Margins
from physcheck.baseline.statistics import bootstrap_interval, compare_units, units_needed, verdict
from physcheck.errors import ConfigError


def compare(new: list[float], old: list[float], margin: float = 0.1, lower: bool = True):  # type: ignore[no-untyped-def]
    units = [f"traj{i}" for i in range(len(new))]
    return compare_units(
        "n", "c", dict(zip(units, new)), dict(zip(units, old)), lower_is_better=lower, margin_of=lambda _: margin
    )


def test_the_same_numbers_are_equivalent() -> None:
    c = compare([0.3, 0.5, 0.4], [0.3, 0.5, 0.4])
    assert c is not None and c.verdict == "equivalent" and (c.low, c.high, c.difference) == (0, 0, 0)


def test_worse_beyond_the_margin_everywhere_is_a_regression_and_fails() -> None:
    c = compare([0.6, 0.7, 0.55, 0.65], [0.4, 0.5, 0.4, 0.45])
    assert c is not None and c.verdict == "regression" and c.failed and c.low > 0.1


def test_better_beyond_the_margin_is_an_improvement_and_passes() -> None:
    c = compare([0.2, 0.3, 0.2, 0.25], [0.4, 0.5, 0.4, 0.45])
    assert c is not None and c.verdict == "improvement" and not c.failed


def test_higher_is_better_numbers_are_signed_so_worse_is_positive() -> None:
    c = compare([5, 6, 5], [20, 21, 19], margin=1, lower=False)  # the horizon shrank
    assert c is not None and c.verdict == "regression" and c.difference > 0


def test_a_noisy_straddle_is_inconclusive_with_the_units_that_would_decide() -> None:
    c = compare([0.5, 0.1, 0.62, 0.12], [0.3, 0.3, 0.3, 0.3])
    assert c is not None and c.verdict == "inconclusive"
    assert c.units_needed is not None and c.units_needed > 4


def test_units_needed_shrinks_the_half_width_as_one_over_sqrt_n() -> None:
    # half-width 0.2 at n = 4: room 0.2 between the mean and the margin -> 4 units would do
    # (so at least one more than now), room 0.1 -> 16
    assert units_needed(4, 0.3, 0.1, 0.5, 0.1) == 5
    assert units_needed(4, 0.2, 0.0, 0.4, 0.1) == 16
    assert units_needed(4, 0.2, 0.0, 0.4, 0.3) == 16
    assert units_needed(4, 0.1, 0.0, 0.2, 0.1) is None  # the mean sits on the margin


def test_a_blow_up_decides_without_statistics() -> None:
    c = compare([math.inf, 0.3], [0.3, 0.3])
    assert c is not None and c.verdict == "regression" and c.difference == math.inf
    c = compare([0.3, 0.3], [0.3, math.inf])
    assert c is not None and c.verdict == "improvement"
    c = compare([math.inf, 0.3], [math.inf, 0.3])
    assert c is not None and c.verdict == "equivalent"


def test_verdict_regions() -> None:
    assert verdict(0.2, 0.3, 0.1) == "regression"
    assert verdict(-0.3, -0.2, 0.1) == "improvement"
    assert verdict(-0.05, 0.05, 0.1) == "equivalent"
    assert verdict(0.05, 0.2, 0.1) == "inconclusive"


def test_the_interval_covers_the_mean_and_is_reproducible() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        d = rng.normal(size=int(rng.integers(2, 12)))
        low, high = bootstrap_interval(d)
        assert low <= d.mean() <= high
        assert (low, high) == bootstrap_interval(d)


def test_false_alarms_of_the_statistics_stay_under_five_percent() -> None:
    """Same physics, different noise: 2000 comparisons of 4 paired units whose differences are
    pure noise as large as the margin flag at most 5 % as regressions."""
    rng = np.random.default_rng(11)
    flagged = 0
    for _ in range(2000):
        old = rng.uniform(0.4, 0.6, size=4)
        new = old + rng.normal(scale=0.05, size=4)
        c = compare(list(new), list(old), margin=0.05)
        flagged += c is not None and c.verdict == "regression"
    assert flagged / 2000 <= 0.05, flagged


def test_margins_read_from_the_settings_table() -> None:
    margins = Margins.from_table({"relative": 0.2, "absolute": {"vrmse.step1": 0.03}})
    step1 = next(n for n in NUMBERS if n.name == "vrmse.step1")
    assert margins.of(step1, 0.1) == pytest.approx(0.03)  # the absolute floor
    assert margins.of(step1, 1.0) == pytest.approx(0.2)  # 20 % of the baseline
    with pytest.raises(ConfigError, match="unknown number 'vrmse'"):
        Margins.from_table({"absolute": {"vrmse": 0.1}})
    with pytest.raises(ConfigError, match="unknown key"):
        Margins.from_table({"relativ": 0.1})
