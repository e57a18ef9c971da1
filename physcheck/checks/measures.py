"""Derived numbers of a rollout against the truth: the one place they are computed.

Checks, the terminal summary, the results JSON, snapshots and the report all read window
VRMSE, horizons, amplifications, basins, div B excess and spectral numbers from here.
Layouts follow ``physcheck.records`` (B trajectories, K steps, C channels); everything is
CPU float64 like the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch

import physcheck.diagnostics as d
from physcheck.config.thresholds import Thresholds
from physcheck.fields import FieldLayout
from physcheck.records import DiagnosticRecord, TruthRecord


@dataclass(frozen=True)
class SpectrumNumbers:
    """Spectral numbers of the perpendicular B spectrum (B_perp components summed) of one
    trajectory at one spectrum step, for the prediction and the truth."""

    slope_pred: float
    slope_truth: float
    low_high_pred: float
    low_high_truth: float
    pile_up_pred: float
    pile_up_truth: float


class Measures:
    """Derived numbers of ``record`` against ``truth`` under ``thresholds`` (windows, basin tau,
    horizon threshold). Each is computed once, on first use."""

    def __init__(
        self,
        record: DiagnosticRecord,
        truth: TruthRecord,
        layout: FieldLayout,
        thresholds: Thresholds,
    ) -> None:
        self.record, self.truth, self.layout, self.thresholds = record, truth, layout, thresholds

    @property
    def n_steps(self) -> int:
        return self.record.n_steps

    # -- VRMSE ---------------------------------------------------------------------------------
    @cached_property
    def vrmse_per_step(self) -> torch.Tensor:
        """Channel-mean VRMSE ``[B, K]``."""
        return self.record.vrmse.mean(dim=-1)

    @property
    def window(self) -> tuple[int, int]:
        """``(first, last)`` steps of the VRMSE window (1-based, inclusive), clipped to K;
        ``first > last`` when the rollout is too short for it."""
        th = self.thresholds
        return th.vrmse_window_first, min(th.vrmse_window_last, self.n_steps)

    @property
    def has_window(self) -> bool:
        first, last = self.window
        return first <= last

    @cached_property
    def window_vrmse(self) -> torch.Tensor | None:
        """Per-trajectory mean over the window of the channel-mean VRMSE ``[B]`` (``None``
        without a window)."""
        first, last = self.window
        return self.vrmse_per_step[:, first - 1 : last].mean(dim=1) if first <= last else None

    @cached_property
    def window_vrmse_channels(self) -> torch.Tensor | None:
        """Per-trajectory, per-channel mean VRMSE over the window ``[B, C]``."""
        first, last = self.window
        return self.record.vrmse[:, first - 1 : last].mean(dim=1) if first <= last else None

    @cached_property
    def horizons(self) -> torch.Tensor:
        """Stability horizon per trajectory ``[B]`` (first step above the threshold; K + 1)."""
        return d.stability_horizon(self.record.vrmse, threshold=self.thresholds.stability_threshold)

    # -- variances and basins ------------------------------------------------------------------
    @cached_property
    def amplification(self) -> torch.Tensor:
        """``var(pred) / var(truth)`` per step and channel ``[B, K, C]``."""
        return self.record.variance / self.truth.variance

    @cached_property
    def basin_codes(self) -> torch.Tensor:
        """Basin code per trajectory and step ``[B, K]`` (``physcheck.diagnostics.basin_label``)."""
        return d.basin_label(self.amplification, layout=self.layout, tau=self.thresholds.basin_tau)

    @cached_property
    def final_basins(self) -> list[str]:
        """Basin label of each trajectory at the last step (``By``, ``Bz`` or ``none``)."""
        a = self.record.variance[:, -1] / self.truth.variance[:, -1]
        labels = d.basin_label(a, layout=self.layout, tau=self.thresholds.basin_tau)
        return d.basin_names(labels, layout=self.layout)  # type: ignore[no-any-return]

    # -- div B ---------------------------------------------------------------------------------
    @cached_property
    def divb_excess(self) -> torch.Tensor:
        """div B ratio of the prediction over the truth's, per step ``[B, K]``."""
        return self.record.divb / self.truth.divb

    # -- spectra -------------------------------------------------------------------------------
    def spectrum(self, index: int, step: int | None = None) -> SpectrumNumbers:
        """Spectral numbers of trajectory ``index`` at spectrum ``step`` (default: the last
        step); pile-up is relative to step 1."""
        steps = self.record.spectrum_steps
        k = steps.index(self.n_steps if step is None else step)
        first = steps.index(1)
        e_pred = self.record.spectra[index, k].sum(dim=0)
        e_truth = self.truth.spectra[index, k].sum(dim=0)
        shells = torch.arange(e_pred.shape[-1], dtype=e_pred.dtype)
        return SpectrumNumbers(
            slope_pred=float(d.spectral_slope(shells, e_pred)),
            slope_truth=float(d.spectral_slope(shells, e_truth)),
            low_high_pred=float(d.low_high_ratio(e_pred)),
            low_high_truth=float(d.low_high_ratio(e_truth)),
            pile_up_pred=float(d.pile_up(e_pred, self.record.spectra[index, first].sum(dim=0))),
            pile_up_truth=float(d.pile_up(e_truth, self.truth.spectra[index, first].sum(dim=0))),
        )


__all__ = ["Measures", "SpectrumNumbers"]
