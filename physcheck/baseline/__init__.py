"""Is the new checkpoint worse than the last one? Paired, bootstrapped comparisons of every
check's numbers against a baseline run, verdicts against non-inferiority margins, and the
pull-request scorecard (torch-free)."""

from __future__ import annotations

from physcheck.baseline.comparable import differences
from physcheck.baseline.compare import (
    compare_documents,
    compare_results,
    pair_models,
    refuse_incomparable,
)
from physcheck.baseline.numbers import NUMBERS, Margins, NumberSpec
from physcheck.baseline.scorecard import COMMENT_LIMIT, scorecard
from physcheck.baseline.statistics import Comparison, compare_units
from physcheck.baseline.units import paired_units

__all__ = [
    "COMMENT_LIMIT",
    "NUMBERS",
    "Comparison",
    "Margins",
    "NumberSpec",
    "compare_documents",
    "compare_results",
    "compare_units",
    "differences",
    "pair_models",
    "paired_units",
    "refuse_incomparable",
    "scorecard",
]
