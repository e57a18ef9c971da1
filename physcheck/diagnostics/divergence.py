"""Divergence of the magnetic field and the divB ratio.

``B``: ``[..., X, Y, Z, 3]`` (components x, y, z last), periodic. ``spacing``: grid
spacing dx (one number, or (dx, dy, dz)); 1 grid unit by default, so divergences are in
units of B per grid unit.
"""

from __future__ import annotations

from typing import Literal

import torch

from physcheck.diagnostics._fourier import derivative_table, parseval_weights
from physcheck.diagnostics._shared import component_transforms, magnetic_norms
from physcheck.diagnostics._tensor import (
    FIELD_DIMS,
    SCALAR_DIMS,
    Spacing,
    as_tensor,
    require_vector_field,
    spacing_triple,
)
from physcheck.errors import ArgumentError

Method = Literal["spectral", "central"]


def _spectral(b: torch.Tensor, spacing: Spacing) -> torch.Tensor:
    shape = (b.shape[-4], b.shape[-3], b.shape[-2])
    b_hat = torch.fft.rfftn(b, dim=FIELD_DIMS)
    kx, ky, kz = derivative_table(shape, spacing_triple(spacing), b.device, b.dtype)
    div_hat = 1j * (kx * b_hat[..., 0] + ky * b_hat[..., 1] + kz * b_hat[..., 2])
    div: torch.Tensor = torch.fft.irfftn(div_hat, s=shape, dim=SCALAR_DIMS)
    return div


def _central_unscaled(b: torch.Tensor, spacing: Spacing) -> tuple[torch.Tensor, float]:
    """``(d, s)`` with ``d * s`` the periodic central divergence
    ``sum_j (B_j(x + e_j) - B_j(x - e_j)) / (2 dx_j)``, ``d`` ``[..., X, Y, Z]``.

    With shifted slices instead of ``torch.roll`` (no shifted copies): each axis's interior in
    one pass, its two periodic end planes apart. The common factor ``s = 1 / (2 dx)`` is left
    to the caller (one pass fewer).
    """
    scales = [1.0 / (2 * dx) for dx in spacing_triple(spacing)]
    components = b.unbind(dim=-1)
    div = torch.empty(b.shape[:-1], dtype=b.dtype, device=b.device)
    track = torch.is_grad_enabled() and b.requires_grad
    for j, dim in enumerate(SCALAR_DIMS):
        component, n, weight = components[j], components[j].shape[dim], scales[j] / scales[0]
        # (target, ahead, behind, length): the interior x = 1 .. n-2 takes B(x + 1) - B(x - 1),
        # the end planes x = 0 and x = n - 1 wrap around; on a single plane (n = 1) both
        # neighbours are the point itself
        runs = (
            [(1, 2, 0, n - 2), (0, 1, n - 1, 1), (n - 1, 0, n - 2, 1)] if n > 1 else [(0, 0, 0, 1)]
        )
        for target, ahead, behind, length in runs:
            if length <= 0:
                continue
            out = div.narrow(dim, target, length)
            plus = component.narrow(dim, ahead, length)
            minus = component.narrow(dim, behind, length)
            if j == 0 and not track:
                torch.sub(plus, minus, out=out)
            elif j == 0:  # out= does not support autograd
                out.copy_(plus - minus)
            else:
                out.add_(plus, alpha=weight).sub_(minus, alpha=weight)
    return div, scales[0]


def _central(b: torch.Tensor, spacing: Spacing) -> torch.Tensor:
    """The periodic central divergence ``[..., X, Y, Z]`` (see ``_central_unscaled``)."""
    div, scale = _central_unscaled(b, spacing)
    return div.mul_(scale)


def _spectral_mean_square(b: torch.Tensor, spacing: Spacing) -> torch.Tensor:
    """``mean_S(div B^2)`` of the spectral divergence by Parseval, ``[...]``: the weighted sum of
    ``|sum_j k_j FFT(B_j)|^2`` over the rfft grid (no inverse FFT). The transforms of B_x, B_y,
    B_z are the memoized ones (``_shared.component_transforms``), which
    ``perpendicular_spectrum`` of the same components reuses."""
    shape = (b.shape[-4], b.shape[-3], b.shape[-2])
    ks = derivative_table(shape, spacing_triple(spacing), b.device, b.dtype)
    div_hat: torch.Tensor | None = None
    for k, b_hat in zip(ks, component_transforms(b), strict=True):
        term = torch.view_as_real(b_hat) * k[..., None]  # [..., X, Y, Zr, 2]; the i of i k drops
        div_hat = term if div_hat is None else div_hat.add_(term)
    assert div_hat is not None
    zr = div_hat.shape[-2]
    per_plane = div_hat.square_().reshape(*div_hat.shape[:-4], -1, zr, 2).sum(dim=(-3, -1))
    weighted: torch.Tensor = per_plane @ parseval_weights(shape, b.device, b.dtype)
    return weighted


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
    raise ArgumentError(f"unknown divergence method {method!r}; use 'spectral' or 'central'")


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

    The spectral ``rms_S(div B)`` comes from the FFTs of the components by Parseval (no inverse
    FFT); those FFTs, and ``mean_S |B|``, are shared with ``perpendicular_spectrum`` and
    ``energies`` of the same frame (see ``_memo``).
    """
    b = as_tensor(B)
    require_vector_field(b)
    if method == "spectral":
        mean_square = _spectral_mean_square(b, spacing)
    elif method == "central":
        div, scale = _central_unscaled(b, spacing)
        mean_square = div.square_().mean(dim=SCALAR_DIMS) * scale**2
    else:
        raise ArgumentError(f"unknown divergence method {method!r}; use 'spectral' or 'central'")
    rms_div = torch.sqrt(mean_square)
    mean_abs_b = magnetic_norms(b)[1]
    ratio = rms_div / mean_abs_b
    return torch.where((rms_div == 0) & (mean_abs_b == 0), torch.zeros_like(ratio), ratio)
