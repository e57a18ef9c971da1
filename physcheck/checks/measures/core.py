"""``Measures``: every derived number of a rollout against the truth, each computed once, on
first use (window VRMSE, horizons, skill, baselines, amplifications, basins, blow-ups, div B
excess, energies, mean fields, dynamics, spectral numbers)."""

from __future__ import annotations

import math
from functools import cached_property

import torch

import physcheck.diagnostics as d
from physcheck.checks.measures.blowup import BlowUp, blow_up_of
from physcheck.checks.measures.spectra import (
    SpectralRange,
    SpectrumNumbers,
    nanrange,
    spectral_numbers,
)
from physcheck.config.thresholds import DiagnosticSettings, Thresholds
from physcheck.fields import FieldLayout
from physcheck.records import DiagnosticRecord, TruthRecord


class Measures:
    """Derived numbers of ``record`` against ``truth`` under ``thresholds`` (windows, basin tau,
    horizon ceilings) and ``spectral`` (fit range and bands). Each is computed once, on first
    use."""

    def __init__(
        self,
        record: DiagnosticRecord,
        truth: TruthRecord,
        layout: FieldLayout,
        thresholds: Thresholds,
        spectral: SpectralRange | None = None,
    ) -> None:
        self.record, self.truth, self.layout, self.thresholds = record, truth, layout, thresholds
        n_shells = int(record.spectra.shape[-1])
        self.spectral = spectral or SpectralRange.of(n_shells, DiagnosticSettings())

    @property
    def n_steps(self) -> int:
        return self.record.n_steps

    # -- VRMSE, horizons, skill ----------------------------------------------------------------
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
        """Stability horizon per trajectory ``[B]``: the first step whose channel-mean VRMSE
        exceeds the ceiling ``stability_threshold`` (NaN counts); K + 1 if none."""
        return d.stability_horizon(self.record.vrmse, threshold=self.thresholds.stability_threshold)

    @cached_property
    def predictability_horizons(self) -> torch.Tensor:
        """Predictability horizon per trajectory ``[B]``: the first step whose channel-mean
        VRMSE exceeds ``predictability_threshold`` (1: worse than the spatial mean)."""
        return d.stability_horizon(
            self.record.vrmse, threshold=self.thresholds.predictability_threshold
        )

    @cached_property
    def persistence_per_step(self) -> torch.Tensor:
        """Channel-mean VRMSE of persistence (the last history frame held) ``[B, K]``."""
        return self.truth.persistence_vrmse.mean(dim=-1)

    @cached_property
    def skill_per_step(self) -> torch.Tensor:
        """Model VRMSE / persistence VRMSE per step ``[B, K]`` (< 1: better than doing nothing)."""
        return self.vrmse_per_step / self.persistence_per_step

    @cached_property
    def baselines_per_step(self) -> dict[str, torch.Tensor]:
        """Channel-mean VRMSE ``[B, K]`` of each trivial model: ``persistence`` (the last history
        frame held), ``climatology`` (its spatial mean held) and ``time-mean state`` (the mean
        of the truth window's frames, per trajectory, held). NaN where one cannot be formed (no
        history)."""
        return {
            "persistence": self.persistence_per_step,
            "climatology": self.truth.climatology_vrmse.mean(dim=-1),
            "time-mean state": self.truth.time_mean_vrmse.mean(dim=-1),
        }

    @cached_property
    def best_baseline_per_step(self) -> torch.Tensor:
        """The best trivial model's VRMSE per step ``[B, K]``: the per-step minimum over
        ``baselines_per_step`` (a baseline that cannot be formed is left out; NaN if none can)."""
        stacked = torch.stack(list(self.baselines_per_step.values()))  # [3, B, K]
        best = torch.nan_to_num(stacked, nan=math.inf).amin(dim=0)
        return torch.where(torch.isinf(best), torch.full_like(best, math.nan), best)

    def _window_ratio(self, baseline: torch.Tensor) -> torch.Tensor:
        first, last = self.skill_window
        model = self.vrmse_per_step[:, first - 1 : last].mean(dim=1)
        return model / baseline[:, first - 1 : last].mean(dim=1)

    @cached_property
    def baseline_skill(self) -> torch.Tensor:
        """Per trajectory ``[B]``: mean model VRMSE over the skill window / the best trivial
        model's (its per-step minimum, ``best_baseline_per_step``), what ``skill`` judges."""
        return self._window_ratio(self.best_baseline_per_step)

    @cached_property
    def baseline_skills(self) -> dict[str, torch.Tensor]:
        """Per baseline, per trajectory ``[B]``: mean model VRMSE over the skill window / that
        baseline's."""
        return {name: self._window_ratio(v) for name, v in self.baselines_per_step.items()}

    @property
    def skill_window(self) -> tuple[int, int]:
        th = self.thresholds
        return th.skill_first, min(th.skill_last, self.n_steps)

    @cached_property
    def skill(self) -> torch.Tensor:
        """Per trajectory ``[B]``: mean model VRMSE over the skill window / persistence's."""
        first, last = self.skill_window
        model = self.vrmse_per_step[:, first - 1 : last].mean(dim=1)
        return model / self.persistence_per_step[:, first - 1 : last].mean(dim=1)

    @cached_property
    def window_skill(self) -> torch.Tensor | None:
        """Per trajectory ``[B]``: the VRMSE window's mean, model / persistence."""
        first, last = self.window
        if first > last or self.window_vrmse is None:
            return None
        return self.window_vrmse / self.persistence_per_step[:, first - 1 : last].mean(dim=1)

    # -- variances, basins, blow-ups -----------------------------------------------------------
    @cached_property
    def truth_variance(self) -> torch.Tensor:
        """The truth's channel variances ``[B, K, C]``, floored at ``variance_floor`` times the
        channel's largest truth variance (so that a constant channel cannot divide by 0)."""
        truth = self.truth.variance
        scale = truth.amax(dim=1, keepdim=True).clamp_min(0)
        floor = torch.clamp(scale * self.thresholds.variance_floor, min=torch.finfo(truth.dtype).tiny)
        return torch.maximum(truth, floor)

    @cached_property
    def constant_truth(self) -> torch.Tensor:
        """bool ``[B, K, C]``: the truth's channel variance is at (or below) its floor."""
        return self.truth.variance <= self.truth_variance * (1 - 1e-12)

    @cached_property
    def amplification(self) -> torch.Tensor:
        """``var(pred) / var(truth)`` per step and channel ``[B, K, C]``; the truth's variance
        floored (``truth_variance``), and 1 where both are constant (0/0)."""
        pred = self.record.variance
        a = pred / self.truth_variance
        both_constant = self.constant_truth & (pred <= self.truth_variance)
        return torch.where(both_constant, torch.ones_like(a), a)

    @cached_property
    def basin_codes(self) -> torch.Tensor:
        """Basin code per trajectory and step ``[B, K]``: which perpendicular magnetic
        component blew up (``physcheck.diagnostics.basin_label``) where the layout has a guide
        field, else which channel did (``blow_up_label``)."""
        tau = self.thresholds.basin_tau
        if self.layout.has_guide_field:
            return d.basin_label(self.amplification, layout=self.layout, tau=tau)
        return d.blow_up_label(self.amplification, tau=tau)

    @cached_property
    def basins(self) -> list[list[str]]:
        """Basin label per trajectory and step (``By``, ``Bz``, ``none`` or ``non-finite``; a
        channel's short name without a guide field)."""
        if self.layout.has_guide_field:
            return d.basin_names(self.basin_codes, layout=self.layout)  # type: ignore[no-any-return]
        return d.blow_up_names(self.basin_codes, layout=self.layout)  # type: ignore[no-any-return]

    @cached_property
    def final_basins(self) -> list[str]:
        """Basin label of each trajectory at the last step."""
        return [steps[-1] for steps in self.basins]

    def blow_up(self, index: int) -> BlowUp:
        """The variance blow-up of trajectory ``index`` (see ``BlowUp``)."""
        return blow_up_of(self.amplification[index], self.thresholds.basin_tau, self.n_steps)

    # -- div B ---------------------------------------------------------------------------------
    @cached_property
    def divb_excess(self) -> torch.Tensor:
        """div B ratio of the prediction over the truth's, per step ``[B, K]``."""
        return self.record.divb / self.truth.divb

    @cached_property
    def divb_absolute_excess(self) -> torch.Tensor:
        """rms(div B) of the prediction over the truth's, per step ``[B, K]`` (the ratio hides a
        violation that grows with |B|; this does not)."""
        pred = self.record.divb * self.record.mean_abs_b
        return pred / (self.truth.divb * self.truth.mean_abs_b)

    # -- energies ------------------------------------------------------------------------------
    def fluctuating_magnetic_energy(self, of: DiagnosticRecord | TruthRecord) -> torch.Tensor:
        """``E_b' = mean |B - <B>|^2 / 2`` ``[B, K]`` (the sum of the B channels' variances over
        2; B units squared), the magnetic energy the guide field does not dominate."""
        return of.variance[..., list(self.layout.magnetic)].sum(dim=-1) / 2

    def fluctuation_energy_ratio(self, of: DiagnosticRecord | TruthRecord) -> torch.Tensor:
        """The magnetic-to-kinetic fluctuation energy ratio ``E_b' / E_K`` ``[B, K]`` (the
        inverse of the usual Alfven ratio r_A = E_K / E_M)."""
        return self.fluctuating_magnetic_energy(of) / of.kinetic_energy

    #: the name the results JSON and the report keep for ``fluctuation_energy_ratio``
    alfven_ratio = fluctuation_energy_ratio

    # -- mean field, mass, momentum ------------------------------------------------------------
    def mean_field(self, of: DiagnosticRecord | TruthRecord) -> torch.Tensor:
        """The mean field <B> ``[B, K, 3]`` (B units; magnetic-channel order)."""
        return of.mean[..., list(self.layout.magnetic)]

    def guide_field(self, of: DiagnosticRecord | TruthRecord) -> torch.Tensor:
        """The guide field B0 = |<B>| ``[B, K]`` (not <|B|>, which fluctuations raise)."""
        return self.mean_field(of).square().sum(dim=-1).sqrt()

    def rms_velocity(self, of: DiagnosticRecord | TruthRecord) -> torch.Tensor:
        """``v_rms = sqrt(<|v|^2>)`` ``[B, K]`` (velocity units), from the velocity channels'
        variances and means."""
        v = list(self.layout.velocity)
        return torch.sqrt((of.variance[..., v] + of.mean[..., v].square()).sum(dim=-1))

    def alfven_mach(self, of: DiagnosticRecord | TruthRecord) -> torch.Tensor:
        """The Alfvenic Mach number ``M_A = v_rms / v_A`` with ``v_A = |<B>| / sqrt(<rho>)``
        ``[B, K]`` (below 1: sub-Alfvenic, the guide field dominates the flow)."""
        return self.rms_velocity(of) * torch.sqrt(of.mass) / self.guide_field(of)

    # -- dynamics ------------------------------------------------------------------------------
    @cached_property
    def change_ratio(self) -> torch.Tensor:
        """rms frame-to-frame change of the prediction over the truth's, per step and channel
        ``[B, K, C]`` (0 for a frozen model, 1 for one that evolves at the truth's rate)."""
        return torch.sqrt(self.record.change / self.truth.change)

    @cached_property
    def _judged_change_ratio(self) -> torch.Tensor:
        """``change_ratio`` with a non-finite prediction's steps as +Inf (extreme) and the steps
        whose truth change is unknown (step 1 without a history) as NaN (left out)."""
        ratio = torch.nan_to_num(self.change_ratio, nan=math.inf)
        return torch.where(torch.isnan(self.truth.change), math.nan, ratio)

    @cached_property
    def dynamics(self) -> torch.Tensor:
        """Median over the window's steps of ``change_ratio`` ``[B, C]`` (reported; NaN steps
        of the prediction count as extreme)."""
        return self._judged_change_ratio.nanmedian(dim=1).values

    @property
    def dynamics_blocks(self) -> list[tuple[int, int]]:
        """``(first, last)`` steps (1-based, inclusive) of the consecutive blocks of
        ``dynamics_block`` steps the window is judged in; a last block shorter than half a block
        joins the one before (its median would rest on too few steps)."""
        size, k = self.thresholds.dynamics_block, self.n_steps
        blocks = [(a, min(a + size - 1, k)) for a in range(1, k + 1, size)]
        if len(blocks) > 1 and blocks[-1][1] - blocks[-1][0] + 1 < size / 2:
            blocks[-2:] = [(blocks[-2][0], k)]
        return blocks

    @cached_property
    def dynamics_per_block(self) -> torch.Tensor:
        """Median over each block's steps of ``change_ratio`` ``[B, n_blocks, C]`` (the
        prediction's NaN steps count as extreme; a step whose truth change is unknown is left
        out)."""
        ratio = self._judged_change_ratio
        return torch.stack(
            [ratio[:, a - 1 : b].nanmedian(dim=1).values for a, b in self.dynamics_blocks], dim=1
        )

    # -- spectra -------------------------------------------------------------------------------
    @cached_property
    def _truth_spectral_numbers(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The truth's slope, low/high ratio ``[B, S]`` and pile-up ``[B, S - 1]`` (against step
        1, step 1 itself left out where there are other steps) at every spectrum step."""
        steps = self.truth.spectrum_steps
        first = self.truth.spectra[:, steps.index(1)][:, None]
        slope, low_high, pile = spectral_numbers(self.truth.spectra, first, self.spectral)
        return slope, low_high, pile[:, 1:] if len(steps) > 1 else pile

    def truth_spectral_range(
        self, index: int
    ) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """(min, max) of trajectory ``index``'s truth slope, low/high ratio and pile-up over every
        spectrum step: the truth's own spread, which the prediction is held to. Per trajectory,
        never pooled: trajectories of different (Ma, Ms) points have different spectra, and a
        range pooled over them would let one trajectory's prediction take another point's
        spectrum."""
        slope, low_high, pile = self._truth_spectral_numbers
        return nanrange(slope[index]), nanrange(low_high[index]), nanrange(pile[index])

    def spectrum(self, index: int) -> SpectrumNumbers:
        """Spectral numbers of trajectory ``index`` at the last step (pile-up against step 1),
        with the truth's range."""
        steps = self.record.spectrum_steps
        last = self.record.spectra[index, steps.index(self.n_steps)]
        first = self.record.spectra[index, steps.index(1)]
        slope, low_high, pile = spectral_numbers(last, first, self.spectral)
        slope_truth, low_high_truth, pile_truth = self.truth_spectral_range(index)
        return SpectrumNumbers(
            slope_pred=float(slope),
            slope_truth=slope_truth,
            low_high_pred=float(low_high),
            low_high_truth=low_high_truth,
            pile_up_pred=float(pile),
            pile_up_truth=pile_truth,
        )


__all__ = ["Measures"]
