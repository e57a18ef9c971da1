"""The diagnostic records of a run: the truth's (``TruthRecord``) and each rollout's
(``DiagnosticRecord``), per-step numbers on the CPU in float64.

Layouts (B trajectories, K steps, C channels, S spectrum steps, M = N//2 + 1 shells): the
series of ``physcheck.records.series.FrameSeries``, which both records extend (``divb``,
``divb_spectral``, ``energy_ratio``, ``kinetic_energy``, ``mean_abs_b``, ``mass``,
``min_density`` ``[B, K]``; ``variance``, ``change``, ``mean``, ``minimum`` ``[B, K, C]``;
``momentum`` ``[B, K, 3]``; NaN where the dataset's layout lacks a series' fields), ``spectra [B, S, 2, M]`` (the two perpendicular magnetic components at the
spectrum steps), and for rollouts ``vrmse [B, K, C]`` and
``vs_reference_vrmse``/``vs_reference_relative [B, K]`` (against another rollout of the same
model, e.g. unperturbed or float32). The truth also holds the VRMSE ``[B, K, C]`` of the
trivial models a surrogate must beat: ``persistence_vrmse`` (the last history frame held
forever), ``climatology_vrmse`` (that frame's spatial mean per channel held forever, as
``physcheck.models.baselines.Climatology``) and ``time_mean_vrmse`` (the trajectory's
time-mean state: the mean of the truth window's K frames, held).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, cast

import torch

import physcheck.diagnostics as d
from physcheck.config.thresholds import DiagnosticSettings
from physcheck.diagnostics.metrics import Convention
from physcheck.errors import ArgumentError
from physcheck.fields import FieldLayout
from physcheck.jsonio import to_json_data
from physcheck.records.series import (
    CHANNELS,
    FRAME_SERIES,
    FrameSeries,
    SeriesStore,
    frame_series,
    nan_spectra,
    series_layout,
    series_ndim,
    spectrum_shells,
    spectrum_steps,
)


@dataclass
class TruthRecord(FrameSeries):
    """Diagnostics of the true frames ``[B, K, ...]`` (same layouts as ``DiagnosticRecord``):
    the ``FrameSeries``, the trivial models' VRMSE and the spectra."""

    persistence_vrmse: torch.Tensor = field(metadata=series_layout(CHANNELS))
    climatology_vrmse: torch.Tensor = field(metadata=series_layout(CHANNELS))
    time_mean_vrmse: torch.Tensor = field(metadata=series_layout(CHANNELS))
    spectrum_steps: list[int]
    spectra: torch.Tensor = field(metadata=series_layout(ndim=4))

    @property
    def n_steps(self) -> int:
        return int(self.variance.shape[1])

    @classmethod
    def compute(
        cls,
        truth: torch.Tensor,
        layout: FieldLayout,
        settings: DiagnosticSettings,
        *,
        history: torch.Tensor | None = None,
    ) -> TruthRecord:
        """Streams ``truth [B, K, *S, C]`` one step at a time (memory flat in K).
        ``history [B, T, ...]``: the frames before the window (the last one is the frame before
        step 1 and the persistence and climatology baselines); without it those numbers are
        NaN. The time-mean state (mean of the K truth frames) needs one more pass over them."""
        n_traj, n_steps = truth.shape[:2]
        steps = spectrum_steps(settings, n_steps)
        series = SeriesStore(n_traj, n_steps, truth.shape[-1])
        last = (
            history[:, -1].to(device=truth.device, dtype=truth.dtype)
            if history is not None
            else None
        )
        n_points = math.prod(truth.shape[2:-1])
        convention = cast(Convention, settings.vrmse_convention)
        spatial = tuple(range(1, truth.ndim - 2))  # (1, 2, 3) of [B, X, Y, Z, C]
        climatology = (
            last.mean(dim=spatial, keepdim=True).expand_as(last)
            if last is not None
            else None
        )
        time_mean = truth.mean(dim=1)  # [B, *S, C]
        previous = last
        for k in range(n_steps):
            frame = truth[:, k : k + 1]
            values, spectra, stats = frame_series(
                frame, previous, layout, settings, spectrum_at=[0] if k + 1 in steps else []
            )
            span = slice(k, k + 1)
            for name in FRAME_SERIES:
                series.put(name, span, values[name])
            if spectra is not None:
                series.put_spectrum(steps.index(k + 1), spectra[0], len(steps))
            if last is not None:
                sse = d.squared_error_sums(last, truth[:, k])[:, None]
                persistence = d.vrmse_from_sums(
                    sse, values["variance"], n_points, convention=convention
                )
            else:
                persistence = torch.full_like(values["variance"], float("nan"))
            series.put("persistence_vrmse", span, persistence)
            if climatology is not None:
                sse = d.squared_error_sums(climatology, truth[:, k])[:, None]
                clim = d.vrmse_from_sums(sse, values["variance"], n_points, convention=convention)
            else:
                clim = torch.full_like(values["variance"], float("nan"))
            series.put("climatology_vrmse", span, clim)
            sse = d.squared_error_sums(time_mean, truth[:, k])[:, None]
            series.put(
                "time_mean_vrmse",
                span,
                d.vrmse_from_sums(sse, values["variance"], n_points, convention=convention),
            )
            previous = truth[:, k]
        out = series.finished()
        if "spectra" not in out:  # no guide field: no perpendicular spectrum
            shells = spectrum_shells(layout, truth.shape[2:-1])
            out["spectra"] = nan_spectra(n_traj, len(steps), shells)
        return cls(
            **{name: out[name] for name in FRAME_SERIES},
            persistence_vrmse=out["persistence_vrmse"],
            climatology_vrmse=out["climatology_vrmse"],
            time_mean_vrmse=out["time_mean_vrmse"],
            spectrum_steps=steps,
            spectra=out["spectra"],
        )


@dataclass
class DiagnosticRecord(FrameSeries):
    """Diagnostics of one rollout (one model, one variant, B trajectories): the
    ``FrameSeries``, the VRMSE against the truth, the spectra and where it first went
    non-finite, and optionally the gap to a reference rollout and the frames."""

    n_steps: int
    vrmse: torch.Tensor = field(metadata=series_layout(CHANNELS))
    spectrum_steps: list[int]
    spectra: torch.Tensor = field(metadata=series_layout(ndim=4))
    first_nonfinite_step: torch.Tensor = field(metadata=series_layout(ndim=1))
    vs_reference_vrmse: torch.Tensor | None = field(default=None, metadata=series_layout())
    vs_reference_relative: torch.Tensor | None = field(default=None, metadata=series_layout())
    frames: torch.Tensor | None = field(default=None, repr=False)

    @classmethod
    def tensor_fields(cls) -> tuple[str, ...]:
        """The fields holding per-step tensors (the frames excluded), in declaration order."""
        return tuple(
            f.name for f in fields(cls) if f.name not in ("n_steps", "spectrum_steps", "frames")
        )

    @classmethod
    def cache_layout(cls) -> dict[str, int | None]:
        """Every tensor a cache entry of a record holds, with its number of dimensions."""
        tensors = set(cls.tensor_fields())
        layout: dict[str, int | None] = {
            f.name: series_ndim(f) for f in fields(cls) if f.name in tensors
        }
        layout["frames"] = 6
        return layout

    def to_cache(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        """``(tensors, metadata)`` for the disk cache (plain tensors and JSON, no pickle)."""
        tensors = {
            name: value
            for name in (*self.tensor_fields(), "frames")
            if (value := getattr(self, name)) is not None
        }
        optional = ["vs_reference_vrmse", "vs_reference_relative", "frames"]
        meta = {
            "n_steps": self.n_steps,
            "spectrum_steps": list(self.spectrum_steps),
            "optional": optional,
        }
        return tensors, meta

    @classmethod
    def from_cache(cls, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> DiagnosticRecord:
        """The record of a cache entry; ``ValueError`` when its parts do not fit together."""
        n_steps, steps = int(meta["n_steps"]), [int(s) for s in meta["spectrum_steps"]]
        n_traj = int(tensors["first_nonfinite_step"].shape[0])
        for name, value in tensors.items():
            if name in ("first_nonfinite_step", "spectra"):
                continue
            if tuple(value.shape[:2]) != (n_traj, n_steps):
                raise ArgumentError(f"{name} has shape {tuple(value.shape)}, not [{n_traj}, {n_steps}, ...]")
        if tuple(tensors["spectra"].shape[:2]) != (n_traj, len(steps)):
            raise ArgumentError("the spectra do not match the spectrum steps")
        return cls(
            n_steps=n_steps,
            spectrum_steps=steps,
            frames=tensors.get("frames"),
            **{name: tensors.get(name) for name in cls.tensor_fields()},  # type: ignore[arg-type]
        )

    @classmethod
    def concat(cls, records: Sequence[DiagnosticRecord]) -> DiagnosticRecord:
        """The records of disjoint sets of trajectories (of one rollout setup) as one record,
        rows in the given order; ``ValueError`` when their steps differ. An optional part is
        kept only where every record has it."""
        if not records:
            raise ArgumentError("no records to join")
        first = records[0]
        for other in records[1:]:
            if other.n_steps != first.n_steps or list(other.spectrum_steps) != list(
                first.spectrum_steps
            ):
                raise ArgumentError("records of different windows or spectrum steps cannot be joined")

        def joined(name: str) -> torch.Tensor | None:
            parts = [getattr(r, name) for r in records]
            return None if any(p is None for p in parts) else torch.cat(parts)

        return cls(
            n_steps=first.n_steps,
            spectrum_steps=list(first.spectrum_steps),
            frames=joined("frames"),
            **{name: joined(name) for name in cls.tensor_fields()},  # type: ignore[arg-type]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested lists (NaN/Inf as strings); frames are left out."""
        out: dict[str, Any] = {"n_steps": self.n_steps, "spectrum_steps": list(self.spectrum_steps)}
        for name in self.tensor_fields():
            out[name] = to_json_data(getattr(self, name))
        return out


__all__ = ["DiagnosticRecord", "TruthRecord"]
