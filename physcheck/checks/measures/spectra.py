"""Spectral numbers of perpendicular B spectra: where the spectrum is judged
(``SpectralRange``: the fit's shells, the bands' cutoff), a spectrum's slope, low/high ratio
and pile-up, and what a trajectory's prediction and truth give (``SpectrumNumbers``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

import physcheck.diagnostics as d
from physcheck.config.thresholds import DiagnosticSettings


@dataclass(frozen=True)
class SpectralRange:
    """Where the perpendicular spectrum is judged: the slope is fitted over shells
    ``fit_lo <= m <= fit_hi``; the low/high bands are fractions of ``cutoff`` (the largest
    resolved shell). ``n_fit_shells``: how many integer shells the fit uses."""

    fit_lo: float
    fit_hi: float
    cutoff: float

    @property
    def n_fit_shells(self) -> int:
        return max(0, math.floor(self.fit_hi) - math.ceil(self.fit_lo) + 1)

    @classmethod
    def of(cls, n_shells: int, settings: DiagnosticSettings) -> SpectralRange:
        """The configured range, else SPEC's defaults for ``n_shells = N//2 + 1`` shells:
        shells 2..N/4, bands over 0..N/2."""
        half = n_shells - 1
        lo, hi = settings.spectrum_fit if settings.spectrum_fit is not None else (2, half / 2)
        cutoff = settings.spectrum_cutoff if settings.spectrum_cutoff is not None else half
        return cls(float(lo), float(min(hi, cutoff)), float(min(cutoff, half)))


@dataclass(frozen=True)
class SpectrumNumbers:
    """Spectral numbers of the perpendicular B spectrum (B_perp components summed) of one
    trajectory: the prediction's at the last step, and the range ``(min, max)`` the same
    trajectory's truth takes over every spectrum step of the window."""

    slope_pred: float
    slope_truth: tuple[float, float]
    low_high_pred: float
    low_high_truth: tuple[float, float]
    pile_up_pred: float
    pile_up_truth: tuple[float, float]


def nanrange(values: torch.Tensor) -> tuple[float, float]:
    """``(min, max)`` of the finite values (NaNs where there are none)."""
    finite = values[torch.isfinite(values)]
    if finite.numel() == 0:
        return (math.nan, math.nan)
    return (float(finite.min()), float(finite.max()))


def spectral_numbers(
    spectra: torch.Tensor, first: torch.Tensor, r: SpectralRange
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Slope, low/high ratio and pile-up (against ``first``) of B_perp spectra ``[..., 2, M]``
    judged over ``r``."""
    e, e1 = spectra.sum(dim=-2), first.sum(dim=-2)
    shells = torch.arange(e.shape[-1], dtype=e.dtype)
    if r.n_fit_shells >= 2:
        slope = d.spectral_slope(shells, e, lo=r.fit_lo, hi=r.fit_hi)
    else:  # no line through fewer than two shells
        slope = torch.full(e.shape[:-1], math.nan, dtype=e.dtype)
    return (
        slope,
        d.low_high_ratio(e, cutoff=r.cutoff),
        d.pile_up(e, e1, cutoff=r.cutoff),
    )


__all__ = ["SpectralRange", "SpectrumNumbers", "nanrange", "spectral_numbers"]
