"""Per-step series written in place while a rollout streams, and the per-frame numbers they
are made of.

Layouts (B trajectories, K steps, C channels): series ``[B, K, ...]``; the spectra of the
spectrum steps ``[B, S, 2, M]`` (S spectrum steps, the two perpendicular magnetic
components, M = N//2 + 1 shells). Frames are ``[B, n, *S, C]`` with any number of spatial axes
(the layout's): the generic series (``variance``, ``change``, ``mean``, ``minimum``,
``maximum``) are computed
for any dataset profile, the MHD ones (div B, energies, <|B|>, mass, min density, momentum,
spectra) only where the layout has their fields, NaN otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import Field, dataclass, field, fields
from typing import Any

import torch

import physcheck.diagnostics as d
from physcheck.config.thresholds import DiagnosticSettings
from physcheck.fields import FieldLayout

#: the trailing dimension of a per-channel series ``[B, K, C]``
CHANNELS = "channels"


def series_layout(trailing: str | int | None = None, *, ndim: int | None = None) -> dict[str, Any]:
    """The metadata of a record field holding a per-step series ``[B, K, ...]`` (``field(
    metadata=series_layout(...))``): ``trailing`` is ``CHANNELS`` (``[B, K, C]``), a number of
    components (``[B, K, 3]``) or ``None`` (``[B, K]``); ``ndim`` overrides the number of
    dimensions for a field of another layout."""
    return {"trailing": trailing, "ndim": ndim}


def series_ndim(f: Field[Any]) -> int:
    """The number of dimensions of a record field made with ``series_layout``."""
    ndim = f.metadata.get("ndim")
    return int(ndim) if ndim is not None else 2 + (f.metadata.get("trailing") is not None)


def trailing_shape(f: Field[Any], n_channels: int) -> tuple[int, ...]:
    """The dimensions after ``[B, K]`` of a series field, for ``n_channels`` channels."""
    trailing = f.metadata.get("trailing")
    if trailing is None:
        return ()
    return (n_channels,) if trailing == CHANNELS else (int(trailing),)


@dataclass
class FrameSeries:
    """The per-step series every record holds (the truth's and each rollout's), one field each;
    ``FRAME_SERIES`` is their names. Generic (any profile): ``variance``, ``change``, ``mean``,
    ``minimum``; the others need the MHD fields (NaN without them). ``divb`` (configured
    operator) and ``divb_spectral``:
    rms(div B) / mean |B| (1 / length); ``variance``: population variance per channel;
    ``energy_ratio``: E_B / E_K; ``kinetic_energy``: E_K = mean rho |v|^2 / 2; ``mean_abs_b``:
    <|B|>; ``mass``: mean rho; ``min_density``: min rho; ``change``: mean_S (frame_k -
    frame_{k-1})^2 per channel (the frame before step 1 is the last history frame); ``mean``:
    spatial mean per channel (the magnetic channels' means are the mean field <B>, in B
    units); ``momentum``: mean momentum <rho v_j> (density x velocity units, velocity-channel
    order; ``[B, K, D]``, D = 3 for MHD); ``minimum``, ``maximum``: spatial minimum and
    maximum per channel (the positivity and bounds checks' numbers); ``enstrophy``: mean
    |curl u|^2 / 2 of a divergence-free velocity (the budgets check's; NaN for MHD)."""

    divb: torch.Tensor = field(metadata=series_layout())
    divb_spectral: torch.Tensor = field(metadata=series_layout())
    variance: torch.Tensor = field(metadata=series_layout(CHANNELS))
    energy_ratio: torch.Tensor = field(metadata=series_layout())
    kinetic_energy: torch.Tensor = field(metadata=series_layout())
    mean_abs_b: torch.Tensor = field(metadata=series_layout())
    mass: torch.Tensor = field(metadata=series_layout())
    min_density: torch.Tensor = field(metadata=series_layout())
    change: torch.Tensor = field(metadata=series_layout(CHANNELS))
    mean: torch.Tensor = field(metadata=series_layout(CHANNELS))
    momentum: torch.Tensor = field(metadata=series_layout(3))
    minimum: torch.Tensor = field(metadata=series_layout(CHANNELS))
    maximum: torch.Tensor = field(metadata=series_layout(CHANNELS))
    enstrophy: torch.Tensor = field(metadata=series_layout())


#: the names of the per-step series every record holds, in ``FrameSeries``'s order
FRAME_SERIES = tuple(f.name for f in fields(FrameSeries))
#: each series' field (its layout)
SERIES_FIELDS: dict[str, Field[Any]] = {f.name: f for f in fields(FrameSeries)}


def spectrum_steps(settings: DiagnosticSettings, n_steps: int) -> list[int]:
    """The configured spectrum steps that fit in K, plus step 1 and the last step."""
    return sorted({1, n_steps, *[s for s in settings.spectrum_steps if 1 <= s <= n_steps]})


def spectrum_shells(layout: FieldLayout, spatial_shape: Sequence[int]) -> int:
    """M, the number of integer shells of a record's spectra on a grid ``spatial_shape``:
    ``N//2 + 1`` for the smallest axis of the plane perpendicular to the guide field (or of the
    grid, where the layout has no guide field and the spectra are NaN)."""
    if layout.has_guide_field:
        axes: Sequence[int] = layout.perpendicular_axes
    else:
        axes = range(len(spatial_shape))
    return min(int(spatial_shape[a]) for a in axes) // 2 + 1


def nan_spectra(n_traj: int, n_spectra: int, n_shells: int) -> torch.Tensor:
    """``[B, S, 2, M]`` NaN spectra (CPU float64): a record's, where none were computed."""
    return torch.full((n_traj, n_spectra, 2, n_shells), float("nan"), dtype=torch.float64)


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


def frame_series(
    frames: torch.Tensor,
    previous: torch.Tensor | None,
    layout: FieldLayout,
    settings: DiagnosticSettings,
    *,
    spectrum_at: Sequence[int] = (),
) -> tuple[dict[str, torch.Tensor], torch.Tensor | None, d.FrameStatistics]:
    """The ``FRAME_SERIES`` of consecutive frames ``[B, n, *S, C]`` (each ``[B, n, ...]``),
    the spectra of the frames ``spectrum_at`` (indices into n; ``[len, B, 2, M]``, else
    ``None``, also where the layout has no guide field) and the frames' statistics (batched
    ``[B * n, ...]``). ``previous [B, *S, C]``: the frame before the first one (``None``: the
    first change is NaN)."""
    b, n = frames.shape[:2]
    flat = frames.reshape(b * n, *frames.shape[2:])
    methods = tuple(dict.fromkeys((settings.divergence_method, "spectral")))
    stats = d.frame_statistics(
        flat,
        layout=layout,
        spacing=settings.spacing,
        spectrum=[i * n + j for j in spectrum_at for i in range(b)],
        methods=methods,
    )

    def per_step(t: torch.Tensor) -> torch.Tensor:
        return t.view(b, n, *t.shape[1:])

    n_points = math.prod(frames.shape[2:-1])
    if previous is None:
        before = torch.full_like(frames[:, :1], float("nan"))
    else:
        before = previous[:, None].to(device=frames.device, dtype=frames.dtype)
    preceding = before if n == 1 else torch.cat((before, frames[:, :-1]), dim=1)
    change = d.squared_error_sums(flat, preceding.reshape(flat.shape)) / n_points
    if layout.has("density"):
        density = stats.minimum[:, layout.density]
    else:
        density = torch.full_like(stats.mass, float("nan"))
    values = {
        "divb": per_step(stats.divb(settings.divergence_method)),
        "divb_spectral": per_step(stats.divb("spectral")),
        "variance": per_step(stats.variance),
        "energy_ratio": per_step(stats.energy_ratio),
        "kinetic_energy": per_step(stats.kinetic_energy),
        "mean_abs_b": per_step(stats.mean_abs_b),
        "mass": per_step(stats.mass),
        "min_density": per_step(density),
        "change": per_step(change),
        "mean": per_step(stats.mean),
        "momentum": per_step(stats.momentum),
        "minimum": per_step(stats.minimum),
        "maximum": per_step(stats.maximum),
        "enstrophy": per_step(stats.enstrophy),
    }
    spectra = None
    if stats.spectrum is not None:
        spectra = stats.spectrum.view(len(spectrum_at), b, *stats.spectrum.shape[1:])
    return values, spectra, stats


__all__ = [
    "CHANNELS",
    "FRAME_SERIES",
    "SERIES_FIELDS",
    "FrameSeries",
    "SeriesStore",
    "frame_series",
    "nan_spectra",
    "series_layout",
    "series_ndim",
    "spectrum_shells",
    "spectrum_steps",
    "trailing_shape",
]
