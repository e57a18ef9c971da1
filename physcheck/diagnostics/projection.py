"""Solenoidal (divergence-free) projection of the magnetic field.

``B^(n) <- B^(n) - n (n . B^(n)) / |n|^2`` for every mode with ``n != 0`` after the Nyquist
wavenumber of even axes is set to 0 (the convention of the spectral divergence); the mean
(guide) field is untouched. The projection is idempotent, its output has spectral divergence
at round-off, and an already solenoidal field comes back unchanged (to round-off).
"""

from __future__ import annotations

import torch

from physcheck.diagnostics._fourier import derivative_wavenumbers
from physcheck.diagnostics._tensor import (
    FIELD_DIMS,
    Spacing,
    as_tensor,
    require_field,
    require_vector_field,
)
from physcheck.fields import MHD_LAYOUT, FieldLayout


def solenoidal_projection(B: torch.Tensor, *, spacing: Spacing = 1.0) -> torch.Tensor:
    """Divergence-free part of ``B [..., X, Y, Z, 3]`` (same shape, device and dtype).

    Non-finite input gives NaN everywhere (the FFT mixes all points).
    """
    b = as_tensor(B)
    require_vector_field(b)
    shape = tuple(b.shape[-4:-1])
    b_hat = torch.fft.rfftn(b, dim=FIELD_DIMS)
    kx, ky, kz = derivative_wavenumbers(shape, spacing, device=b.device, dtype=b.dtype)  # type: ignore[arg-type]
    k = torch.stack(torch.broadcast_tensors(kx, ky, kz), dim=-1)  # type: ignore[no-untyped-call]  # [X, Y, Zr, 3]
    k2 = (k**2).sum(dim=-1, keepdim=True)
    inv_k2 = torch.where(
        k2 > 0, 1.0 / torch.where(k2 > 0, k2, torch.ones_like(k2)), torch.zeros_like(k2)
    )
    k_dot_b = (k * b_hat).sum(dim=-1, keepdim=True)
    projected: torch.Tensor = torch.fft.irfftn(b_hat - k * k_dot_b * inv_k2, s=shape, dim=FIELD_DIMS)
    return projected


def project_state(
    state: torch.Tensor, *, layout: FieldLayout = MHD_LAYOUT, spacing: Spacing = 1.0
) -> torch.Tensor:
    """``state [..., X, Y, Z, C]`` with its magnetic channels projected onto div B = 0.

    Other channels are returned untouched; the input is not modified. Usable as a rollout
    hook: ``rollout(model, history, K, hooks=[project_state])``.
    """
    s = as_tensor(state)
    require_field(s, "state")
    channels = list(layout.magnetic)
    out = s.clone()
    out[..., channels] = solenoidal_projection(s[..., channels], spacing=spacing)
    return out
