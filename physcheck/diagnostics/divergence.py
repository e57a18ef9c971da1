"""Divergence of the magnetic field and the divB ratio.

``B``: ``[..., X, Y, Z, 3]`` (components x, y, z last), periodic. ``spacing``: grid
spacing dx (one number, or (dx, dy, dz)); 1 grid unit by default, so divergences are in
units of B per grid unit.
"""

from __future__ import annotations

from typing import Literal

import torch

from physcheck.diagnostics._fourier import derivative_wavenumbers
from physcheck.diagnostics._tensor import (
    FIELD_DIMS,
    SCALAR_DIMS,
    Spacing,
    as_tensor,
    require_vector_field,
    spacing_triple,
)

Method = Literal["spectral", "central"]


def _spectral(b: torch.Tensor, spacing: Spacing) -> torch.Tensor:
    shape = tuple(b.shape[-4:-1])
    b_hat = torch.fft.rfftn(b, dim=FIELD_DIMS)
    kx, ky, kz = derivative_wavenumbers(shape, spacing, device=b.device, dtype=b.dtype)  # type: ignore[arg-type]
    div_hat = 1j * (kx * b_hat[..., 0] + ky * b_hat[..., 1] + kz * b_hat[..., 2])
    div: torch.Tensor = torch.fft.irfftn(div_hat, s=shape, dim=SCALAR_DIMS)
    return div


def _central(b: torch.Tensor, spacing: Spacing) -> torch.Tensor:
    dxs = spacing_triple(spacing)
    div = torch.zeros_like(b[..., 0])
    for j, dim in enumerate(SCALAR_DIMS):
        component = b[..., j]
        div = div + (torch.roll(component, -1, dims=dim) - torch.roll(component, 1, dims=dim)) / (
            2 * dxs[j]
        )
    return div


def divergence(
    B: torch.Tensor, *, method: Method = "spectral", spacing: Spacing = 1.0
) -> torch.Tensor:
    """div B on the grid, ``[..., X, Y, Z]``.

    - ``spectral``: ``IFFT(sum_j i k_j FFT(B_j))`` with angular ``k_j = 2 pi n_j / (N_j dx_j)``
      and the Nyquist wavenumber of even axes set to 0.
    - ``central``: periodic second-order central difference
      ``sum_j (B_j(x + e_j) - B_j(x - e_j)) / (2 dx_j)``.

    The two disagree on the same field (a spectrally solenoidal field has a nonzero central
    divergence), so compare a prediction with the truth only under the same operator.
    NaN or Inf anywhere in B makes the spectral divergence NaN everywhere (the FFT mixes all
    points) and the central one non-finite next to the bad points.
    """
    b = as_tensor(B)
    require_vector_field(b)
    if method == "spectral":
        return _spectral(b, spacing)
    if method == "central":
        return _central(b, spacing)
    raise ValueError(f"unknown divergence method {method!r}; use 'spectral' or 'central'")


def divb_ratio(
    B: torch.Tensor, *, method: Method = "central", spacing: Spacing = 1.0
) -> torch.Tensor:
    """``rms_S(div B) / mean_S(|B|)``, ``[...]``, in units of 1 / length (1 / grid unit by default).

    ``method``: ``central`` (the default, as in the ``solenoidality`` check and the diagnostic
    paper, whose truth floor is 0.033 on MHD_64) or ``spectral``. A spectrally solenoidal field
    has a nonzero central divergence, so compare a prediction with the truth under one operator.

    A zero field has ratio 0; a field with |B| = 0 everywhere but nonzero divergence cannot
    exist, so the guard only matters for exact zeros. Non-finite B gives NaN or Inf.
    In float32 the square of values beyond ~1e19 overflows to Inf.
    """
    b = as_tensor(B)
    div = divergence(b, method=method, spacing=spacing)
    rms_div = torch.sqrt(torch.mean(div**2, dim=SCALAR_DIMS))
    mean_abs_b = torch.linalg.vector_norm(b, dim=-1).mean(dim=SCALAR_DIMS)
    ratio = rms_div / mean_abs_b
    return torch.where((rms_div == 0) & (mean_abs_b == 0), torch.zeros_like(ratio), ratio)
