"""Per-step series written in place while a rollout streams, and the per-frame numbers they
are made of.

Layouts (B trajectories, K steps, C channels): series ``[B, K, ...]``; the spectra of the
spectrum steps ``[B, S, 2, M]`` (S spectrum steps, the two perpendicular magnetic
components, M = N//2 + 1 shells).
"""

from __future__ import annotations

import torch

import physcheck.diagnostics as d
from physcheck.config.thresholds import DiagnosticSettings
from physcheck.fields import FieldLayout

#: the per-step series every record holds (truth and rollouts)
FRAME_SERIES = ("divb", "variance", "energy_ratio", "mean_abs_b", "mass")


def spectrum_steps(settings: DiagnosticSettings, n_steps: int) -> list[int]:
    """The configured spectrum steps that fit in K, plus step 1 and the last step."""
    return sorted({1, n_steps, *[s for s in settings.spectrum_steps if 1 <= s <= n_steps]})


class SeriesStore:
    """Per-step series ``[B, K, ...]`` written in place as steps arrive (NaN until written).

    Allocated once, on the first value's device and dtype, so that a long rollout creates no
    long-lived small tensors between its large temporaries (which would fragment the CPU heap
    and make the resident memory grow with K).
    """

    def __init__(self, n_traj: int, n_steps: int, n_channels: int) -> None:
        self.n_traj, self.n_steps, self.n_channels = n_traj, n_steps, n_channels
        self.values: dict[str, torch.Tensor] = {}

    def _slot(self, name: str, like: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
        if name not in self.values:
            self.values[name] = torch.full(
                shape, float("nan"), dtype=like.dtype, device=like.device
            )
        return self.values[name]

    def put(self, name: str, span: slice, value: torch.Tensor) -> None:
        """``value [B, n, ...]`` for the steps ``span`` (0-based)."""
        shape = (self.n_traj, self.n_steps, *value.shape[2:])
        self._slot(name, value, shape)[:, span] = value

    def put_spectrum(self, index: int, value: torch.Tensor, n_spectra: int) -> None:
        """``value [B, 2, M]``: the spectra at the ``index``-th spectrum step."""
        shape = (self.n_traj, n_spectra, *value.shape[1:])
        self._slot("spectra", value, shape)[:, index] = value

    def finished(self) -> dict[str, torch.Tensor]:
        """Everything on the CPU in float64 (one transfer per series), as ordinary tensors
        (copies, also of the inference-mode tensors a rollout writes)."""
        return {k: v.to("cpu", torch.float64, copy=True) for k, v in self.values.items()}


def frame_numbers(
    frame: torch.Tensor,
    layout: FieldLayout,
    settings: DiagnosticSettings,
    *,
    spectrum: bool | list[int],
) -> d.FrameStatistics:
    return d.frame_statistics(
        frame,
        layout=layout,
        spacing=settings.spacing,
        spectrum=spectrum,
        methods=(settings.divergence_method,),
    )


def series_value(
    stats: d.FrameStatistics, name: str, settings: DiagnosticSettings
) -> torch.Tensor:
    if name == "divb":
        return stats.divb(settings.divergence_method)
    return getattr(stats, name)  # type: ignore[no-any-return]


__all__ = ["FRAME_SERIES", "SeriesStore", "frame_numbers", "series_value", "spectrum_steps"]
