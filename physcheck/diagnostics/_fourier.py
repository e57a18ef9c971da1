"""Wavenumber grids shared by the spectral diagnostics (divergence, spectra, projection).

All transforms here are real-to-complex over the three spatial axes, so the last
spatial axis (z) holds only ``N_z // 2 + 1`` non-negative wavenumbers.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from physcheck.diagnostics._tensor import Spacing, spacing_triple


def integer_wavenumbers(
    n: int,
    *,
    half: bool = False,
    device: torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Integer wavenumbers ``N * fftfreq(N)`` (``rfftfreq`` with ``half``), as floats.

    For even N the Nyquist entry is ``-N/2`` (``+N/2`` with ``half``).
    """
    freq = torch.fft.rfftfreq if half else torch.fft.fftfreq
    values: torch.Tensor = freq(n, d=1.0 / n, device=device, dtype=dtype)
    return values


def derivative_wavenumbers(
    shape: tuple[int, int, int], spacing: Spacing, *, device: torch.device, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Angular wavenumbers ``k_j = 2 pi n_j / (N_j dx_j)`` for a first derivative, broadcastable
    to the rfft grid ``[X, Y, Z//2 + 1]``, with the Nyquist wavenumber of each even axis set to 0
    (so that the derivative of a real field is real and the projection is idempotent).
    """
    dxs = spacing_triple(spacing)
    ks = []
    for axis, (n, dx) in enumerate(zip(shape, dxs, strict=True)):
        half = axis == 2
        k = integer_wavenumbers(n, half=half, device=device, dtype=dtype) * (2 * math.pi / (n * dx))
        if n % 2 == 0:
            k[-1 if half else n // 2] = 0.0
        view = [1, 1, 1]
        view[axis] = k.numel()
        ks.append(k.reshape(view))
    return ks[0], ks[1], ks[2]


@lru_cache(maxsize=64)
def derivative_table(
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
    device: torch.device,
    dtype: torch.dtype,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``derivative_wavenumbers``, cached per grid (shared tensors: never edit them in place)."""
    return derivative_wavenumbers(shape, spacing, device=device, dtype=dtype)


@lru_cache(maxsize=64)
def parseval_weights(
    shape: tuple[int, int, int], device: torch.device, dtype: torch.dtype
) -> torch.Tensor:
    """Weight of each rfft z-plane in a Parseval sum, ``[Z//2 + 1]``: 1 for z = 0 and (even Z)
    Nyquist, 2 for the interior planes (which stand for their conjugate twins), over ``S^2``
    (``S = X Y Z``), so that ``sum_modes w |f_hat|^2 = mean_S(f^2)``. Cached per grid (a shared
    tensor: never edit it in place)."""
    nz = shape[2]
    weight = torch.full((nz // 2 + 1,), 2.0, dtype=torch.float64, device=device)
    weight[0] = 1.0
    if nz % 2 == 0:
        weight[-1] = 1.0
    return (weight / float(math.prod(shape)) ** 2).to(dtype)
