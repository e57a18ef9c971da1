"""The divergence of a layout's divergence-free field on a grid of any dimension (1 to 3):
the ratio ``rms(div F) / <|F|>`` under the spectral and the central operator, by Parseval from
one real FFT of ``F`` (no inverse transform); from the same transform, an incompressible
flow's enstrophy ``mean |curl u|^2 / 2``.

The 3D magnetic field keeps its fused path in ``frame_statistics`` (shared with the
perpendicular spectrum); this module serves every other divergence-free field (an
incompressible flow's velocity in 2D or 3D). Operators, per axis ``j`` with ``N_j`` points of
spacing ``dx_j``: spectral ``k_j = 2 pi n_j / (N_j dx_j)`` (Nyquist 0), central
``sin(2 pi n_j / N_j) / dx_j``. The ratio has units of 1/length (grid units with spacing 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import torch

from physcheck.diagnostics._tensor import Spacing, spacing_per_axis
from physcheck.errors import ArgumentError
from physcheck.fields import FieldLayout


@lru_cache(maxsize=32)
def _tables(
    shape: tuple[int, ...], spacing: tuple[float, ...], device: torch.device, dtype: torch.dtype
) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...], torch.Tensor]:
    """Spectral and central wavenumbers per axis (broadcastable to the rfft grid) and the
    Parseval weight of each last-axis plane over ``(prod N)^2`` (shared tensors: never edit)."""
    n_dims = len(shape)
    spectral, central = [], []
    for axis, (n, dx) in enumerate(zip(shape, spacing, strict=True)):
        last = axis == n_dims - 1
        index = torch.arange(n // 2 + 1 if last else n, dtype=torch.float64)
        signed = index if last else torch.where(index < (n + 1) // 2, index, index - n)
        k = 2 * math.pi * signed / (n * dx)
        s = torch.sin(2 * math.pi * index / n) / dx
        if n % 2 == 0:
            k[n // 2] = 0.0
            s[n // 2] = 0.0
        view = [1] * n_dims
        view[axis] = k.numel()
        spectral.append(k.to(device, dtype).reshape(view))
        central.append(s.to(device, dtype).reshape(view))
    n_last = shape[-1]
    weight = torch.full((n_last // 2 + 1,), 2.0, dtype=torch.float64)
    weight[0] = 1.0
    if n_last % 2 == 0:
        weight[-1] = 1.0
    weight = (weight / float(math.prod(shape)) ** 2).to(device, dtype)
    return tuple(spectral), tuple(central), weight


def solenoidal_ratios(
    rows: torch.Tensor,
    layout: FieldLayout,
    spacing: Spacing,
    methods: Sequence[str],
) -> tuple[torch.Tensor, dict[str, torch.Tensor], torch.Tensor]:
    """``(<|F|> [B], {method: rms(div F) / <|F|> [B]}, enstrophy [B])`` of
    ``layout.solenoidal`` from channel rows ``[B, C, *S]``; 0/0 (a zero field) is 0. The
    enstrophy, ``mean |curl F|^2 / 2`` (spectral operator; in 2D ``curl F`` is the scalar
    ``d_x F_y - d_y F_x``), is that of an incompressible flow's velocity, NaN for another
    field or in 1D."""
    if layout.solenoidal is None:
        raise ArgumentError("the layout has no divergence-free field")
    shape = tuple(rows.shape[2:])
    n_dims = len(shape)
    index = torch.tensor(layout.vector(layout.solenoidal), device=rows.device)
    field = rows.index_select(1, index)  # [B, D, *S]
    mean_abs = field.square().sum(dim=1).sqrt().flatten(1).mean(dim=-1)
    spectral, central, weight = _tables(
        shape, spacing_per_axis(spacing, n_dims), rows.device, rows.dtype
    )
    field_hat = torch.fft.rfftn(field, dim=tuple(range(2, 2 + n_dims)))
    enstrophy = torch.full_like(mean_abs, math.nan)
    if layout.solenoidal == "velocity" and n_dims >= 2:
        k = spectral
        pairs = [(0, 1)] if n_dims == 2 else [(1, 2), (2, 0), (0, 1)]
        squares = sum(
            (field_hat[:, b] * k[a] - field_hat[:, a] * k[b]).abs().square().flatten(1, -2).sum(1)
            for a, b in pairs
        )
        assert isinstance(squares, torch.Tensor)
        enstrophy = 0.5 * (squares @ weight)
    ratios = {}
    for method in methods:
        k = {"spectral": spectral, "central": central}[method]
        div_hat = sum(field_hat[:, j] * k[j] for j in range(n_dims))
        assert isinstance(div_hat, torch.Tensor)
        power = div_hat.abs().square().flatten(1, -2).sum(dim=1)  # [B, last-axis planes]
        rms = (power @ weight).sqrt()
        ratio = rms / mean_abs
        ratios[method] = torch.where((rms == 0) & (mean_abs == 0), torch.zeros_like(ratio), ratio)
    return mean_abs, ratios, enstrophy


__all__ = ["solenoidal_ratios"]
