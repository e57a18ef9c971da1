"""The diagnostic records of a run: the truth's (``TruthRecord``) and each rollout's
(``DiagnosticRecord``), per-step numbers on the CPU in float64.

Layouts (B trajectories, K steps, C channels, S spectrum steps, M = N//2 + 1 shells):
``vrmse [B, K, C]``, ``divb [B, K]``, ``variance [B, K, C]``, ``energy_ratio``,
``mean_abs_b``, ``mass [B, K]``, ``spectra [B, S, 2, M]`` (the two perpendicular magnetic
components), ``vs_reference_vrmse``/``vs_reference_relative [B, K]`` (against another
rollout of the same model, e.g. unperturbed or float32).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from physcheck.config.thresholds import DiagnosticSettings
from physcheck.fields import FieldLayout
from physcheck.jsonio import to_json_data
from physcheck.records.series import (
    FRAME_SERIES,
    SeriesStore,
    frame_numbers,
    series_value,
    spectrum_steps,
)


@dataclass
class TruthRecord:
    """Diagnostics of the true frames ``[B, K, ...]`` (same layouts as ``DiagnosticRecord``)."""

    divb: torch.Tensor
    variance: torch.Tensor
    energy_ratio: torch.Tensor
    mean_abs_b: torch.Tensor
    mass: torch.Tensor
    spectrum_steps: list[int]
    spectra: torch.Tensor

    @classmethod
    def compute(
        cls, truth: torch.Tensor, layout: FieldLayout, settings: DiagnosticSettings
    ) -> TruthRecord:
        """Streams ``truth [B, K, X, Y, Z, C]`` one step at a time (memory flat in K)."""
        steps = spectrum_steps(settings, truth.shape[1])
        series = SeriesStore(truth.shape[0], truth.shape[1], truth.shape[-1])
        for k in range(truth.shape[1]):
            stats = frame_numbers(truth[:, k], layout, settings, spectrum=k + 1 in steps)
            span = slice(k, k + 1)
            for name in FRAME_SERIES:
                series.put(name, span, series_value(stats, name, settings)[:, None])
            if stats.spectrum is not None:
                series.put_spectrum(steps.index(k + 1), stats.spectrum, len(steps))
        out = series.finished()
        return cls(
            **{name: out[name] for name in FRAME_SERIES},
            spectrum_steps=steps,
            spectra=out["spectra"],
        )


@dataclass
class DiagnosticRecord:
    """Diagnostics of one rollout (one model, one variant, B trajectories)."""

    n_steps: int
    vrmse: torch.Tensor
    divb: torch.Tensor
    variance: torch.Tensor
    energy_ratio: torch.Tensor
    mean_abs_b: torch.Tensor
    mass: torch.Tensor
    spectrum_steps: list[int]
    spectra: torch.Tensor
    first_nonfinite_step: torch.Tensor
    vs_reference_vrmse: torch.Tensor | None = None
    vs_reference_relative: torch.Tensor | None = None
    frames: torch.Tensor | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested lists (NaN/Inf as strings); frames are left out."""
        out: dict[str, Any] = {"n_steps": self.n_steps, "spectrum_steps": list(self.spectrum_steps)}
        for name in (
            "vrmse",
            "divb",
            "variance",
            "energy_ratio",
            "mean_abs_b",
            "mass",
            "spectra",
            "first_nonfinite_step",
            "vs_reference_vrmse",
            "vs_reference_relative",
        ):
            value = getattr(self, name)
            out[name] = to_json_data(value)
        return out

    def state(self) -> dict[str, Any]:
        """Everything, as tensors, for the disk cache (``torch.save``)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DiagnosticRecord:
        return cls(**state)


__all__ = ["DiagnosticRecord", "TruthRecord"]
