"""Figures of a physcheck run, modelled on the diagnostic paper's.

Every function takes plain arrays (numpy or anything ``np.asarray`` accepts), one
entry per model so that two models (a checkpoint and its predecessor, a model with
and without solenoidal projection) share the same axes, and returns a matplotlib
``Figure``. Steps are 1-based rollout steps. matplotlib is an optional extra:
importing this module without it raises ``ReportUnavailable`` with the fix.

Every pass/fail bound a figure can show is drawn (red, dotted) and tagged: the artist's gid is
``bound:NAME:VALUE`` (``NAME`` the threshold, e.g. ``variance_high``), which ``bounds_of``
reads back and the report writes into each PNG's metadata (``physcheck-bounds``).

One module per family of checks: ``accuracy`` (VRMSE), ``magnetic`` (spectra, div B),
``variance`` (channel variance), ``conservation`` (energies), ``robustness`` (perturbations,
precision, the basin map) and ``symmetry`` (equivariance); ``style`` holds what they share
(styles, colours, the tagged bounds, ``bounds_of``).
"""

from __future__ import annotations

from physcheck.report.figures.accuracy import vrmse_per_step, vrmse_per_trajectory
from physcheck.report.figures.conservation import energies_per_step
from physcheck.report.figures.magnetic import SPECTRUM_STEPS, divb_per_step, perpendicular_spectra
from physcheck.report.figures.robustness import basin_map, perturbation_spread, precision_comparison
from physcheck.report.figures.style import BAND_STYLE, BOUND_STYLE, TRUTH_STYLE, bounds_of
from physcheck.report.figures.symmetry import equivariance_gaps
from physcheck.report.figures.variance import (
    channel_variance_last_step,
    failing_step,
    variance_over_time,
)

__all__ = [
    "BAND_STYLE",
    "BOUND_STYLE",
    "SPECTRUM_STEPS",
    "TRUTH_STYLE",
    "basin_map",
    "bounds_of",
    "channel_variance_last_step",
    "divb_per_step",
    "energies_per_step",
    "equivariance_gaps",
    "failing_step",
    "perpendicular_spectra",
    "perturbation_spread",
    "precision_comparison",
    "variance_over_time",
    "vrmse_per_step",
    "vrmse_per_trajectory",
]
