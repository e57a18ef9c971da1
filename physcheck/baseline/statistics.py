"""A paired comparison of one number between a model and its baseline (torch-free).

The units (trajectories; trajectories and channels; or trajectories and perturbations,
``physcheck.baseline.units``) of both runs pair up; the difference
per unit is signed so that a positive value is *worse*. The mean difference gets a
percentile bootstrap interval (``LEVEL``: 90 % two-sided, so each side is a one-sided 95 %
bound) from ``RESAMPLES`` resamples of the units with a fixed seed, and is judged against the
non-inferiority margin ``m``:

- **regression**: the whole interval lies above ``+m`` (worse beyond the margin);
- **improvement**: the whole interval lies below ``-m``;
- **equivalent**: the whole interval lies within ``[-m, +m]``;
- **inconclusive**: it straddles a margin; ``units_needed`` is how many units would narrow the
  interval enough to decide (its half-width shrinks as 1/sqrt(n)).

With one unit the interval is the point itself; a non-finite number (a blow-up) is worse than
any finite one and decides without statistics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


#: confidence level of the two-sided bootstrap interval (each side one-sided 95 %)
LEVEL = 0.90
RESAMPLES = 4000
SEED = 0
VERDICTS = ("regression", "improvement", "equivalent", "inconclusive")


@dataclass(frozen=True)
class Comparison:
    """One number of one model against its baseline: ``value`` and ``baseline`` (means over
    the ``units`` paired units, each a ``unit``), the mean ``difference`` (positive = worse)
    with its interval ``[low, high]``, the ``margin``, the ``verdict`` and, when inconclusive,
    ``units_needed`` (``None`` where no number of units would decide it)."""

    number: str
    check: str
    units: int
    value: float
    baseline: float
    difference: float
    low: float
    high: float
    margin: float
    verdict: str
    lower_is_better: bool = True
    units_needed: int | None = None
    #: what one unit is: ``trajectory``, ``trajectory × channel`` or ``trajectory × perturbation``
    unit: str = "trajectory"

    @property
    def failed(self) -> bool:
        return self.verdict == "regression"

    def to_dict(self) -> dict[str, object]:
        """Plain JSON data (infinities as ``"inf"``/``"-inf"``, NaN as ``None``)."""
        return {k: _plain(v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        """The comparison ``to_dict`` wrote."""
        values: dict[str, Any] = {k: _number(v) if k in _FLOATS else v for k, v in data.items()}
        return cls(**values)


_FLOATS = ("value", "baseline", "difference", "low", "high", "margin")


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)  # "inf" and "-inf" parse as infinities


def _plain(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def bootstrap_interval(differences: np.ndarray[Any, Any], *, seed: int = SEED) -> tuple[float, float]:
    """The ``LEVEL`` percentile bootstrap interval of the mean of ``differences [n]``."""
    import numpy as np

    n = differences.size
    if n == 1 or np.all(differences == differences[0]):
        return float(differences[0]) + 0.0, float(differences[0]) + 0.0
    rng = np.random.default_rng(seed)
    means = differences[rng.integers(0, n, size=(RESAMPLES, n))].mean(axis=1)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low) + 0.0, float(high) + 0.0


def verdict(low: float, high: float, margin: float) -> str:
    if low > margin:
        return "regression"
    if high < -margin:
        return "improvement"
    if -margin <= low and high <= margin:
        return "equivalent"
    return "inconclusive"


def units_needed(n: int, mean: float, low: float, high: float, margin: float) -> int | None:
    """How many units would make the interval (half-width shrinking as 1/sqrt(n)) clear the
    nearest margin; ``None`` when the mean sits on a margin or the spread is zero."""
    half = (high - low) / 2
    room = abs(abs(mean) - margin)
    if half <= 0 or room <= 0 or not math.isfinite(half):
        return None
    return max(n + 1, math.ceil(n * (half / room) ** 2 - 1e-9))


def compare_units(
    number: str,
    check: str,
    new: dict[str, float],
    old: dict[str, float],
    *,
    lower_is_better: bool,
    margin_of: object,
    seed: int = SEED,
    unit: str = "trajectory",
) -> Comparison | None:
    """Compare the units both runs have; ``None`` when they share none. ``margin_of`` is a
    callable ``baseline_mean -> margin``; ``unit`` says what a unit is."""
    import numpy as np

    units = sorted(set(new) & set(old))
    if not units:
        return None
    a = np.array([new[u] for u in units], dtype=np.float64)
    b = np.array([old[u] for u in units], dtype=np.float64)
    sign = 1.0 if lower_is_better else -1.0
    finite_b = b[np.isfinite(b)]
    baseline_mean = float(finite_b.mean()) if finite_b.size else math.nan
    margin = float(margin_of(baseline_mean))  # type: ignore[operator]
    value = float(a.mean())
    base = float(b.mean())
    # non-finite numbers stand for the worst outcome (a blow-up, a NaN): worse than any
    # finite one, so they decide without statistics; units worst in both runs drop out
    new_worst, old_worst = ~np.isfinite(a), ~np.isfinite(b)
    if bool((new_worst & ~old_worst).any()) or bool((old_worst & ~new_worst).any()):
        kind = "regression" if bool((new_worst & ~old_worst).any()) else "improvement"
        diff = math.inf if kind == "regression" else -math.inf
        return Comparison(
            number, check, len(units), value, base, diff, diff, diff, margin, kind, lower_is_better,
            unit=unit,
        )
    keep = ~new_worst
    if not bool(keep.any()):
        return Comparison(
            number, check, len(units), value, base, 0.0, 0.0, 0.0, margin, "equivalent", lower_is_better,
            unit=unit,
        )
    a, b = a[keep], b[keep]
    differences = sign * (a - b) + 0.0  # + 0.0: no negative zeros
    mean = float(differences.mean()) + 0.0
    low, high = bootstrap_interval(differences, seed=seed)
    kind = verdict(low, high, margin)
    needed = units_needed(len(units), mean, low, high, margin) if kind == "inconclusive" else None
    return Comparison(
        number, check, len(units), value, base, mean, low, high, margin, kind, lower_is_better, needed, unit
    )


__all__ = [
    "LEVEL",
    "RESAMPLES",
    "VERDICTS",
    "Comparison",
    "bootstrap_interval",
    "compare_units",
    "units_needed",
    "verdict",
]
