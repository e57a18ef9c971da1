"""Derived numbers of a rollout against the truth: the one place they are computed.

Checks, the terminal summary, the results JSON, snapshots and the report all read window
VRMSE, horizons, skill, amplifications, basins, blow-up onsets, div B excess, fluctuation
energy ratios, mean fields, dynamics and spectral numbers from here. Layouts follow
``physcheck.records`` (B trajectories, K steps, C channels); everything is CPU float64 like
the records.

Its parts: ``core`` (``Measures``, every derived number of a rollout), ``spectra`` (where
spectra are judged and their slope, band ratio and pile-up) and ``blowup`` (a trajectory's
variance blow-up: onset, channel, growth).
"""

from __future__ import annotations

from physcheck.checks.measures.blowup import BlowUp
from physcheck.checks.measures.core import Measures
from physcheck.checks.measures.spectra import SpectralRange, SpectrumNumbers

__all__ = ["BlowUp", "Measures", "SpectralRange", "SpectrumNumbers"]
