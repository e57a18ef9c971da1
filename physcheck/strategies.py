"""Hypothesis strategies for physics property tests of MHD fields and states.

Everything is built on small periodic grids (8^3 or 16^3 by default) so that property
tests stay fast. Fields come back as torch tensors in The Well's channels-last layout.

- ``solenoidal_fields()``: ``B [X, Y, Z, 3]`` = guide field + curl of a random vector
  potential with a chosen spectral slope; spectrally divergence-free to round-off.
- ``mhd_states()``: full MHD_64-layout states ``[X, Y, Z, 7]`` (positive density,
  solenoidal B with a guide field along x, random velocity).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from physcheck.errors import OptionalDependencyError

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - exercised by a plain install
    raise OptionalDependencyError(
        "physcheck.strategies needs Hypothesis: pip install 'physcheck[hypothesis]'"
    ) from None

from physcheck.diagnostics.projection import solenoidal_projection

GRID_SIZES = (8, 16)


def random_field(
    n: int, components: int, *, slope: float, seed: int, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """A real random field ``[n, n, n, components]`` whose shell power falls as ``|k|^slope``
    (the mean mode is zero). Deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    k = np.fft.fftfreq(n, d=1.0 / n)
    kx, ky, kz = np.meshgrid(k, k, k, indexing="ij")
    kmag = np.sqrt(kx**2 + ky**2 + kz**2)
    # shell power ~ k^slope means mode amplitude^2 ~ k^(slope - 2) in 3D
    amplitude = np.where(kmag > 0, np.power(np.maximum(kmag, 1.0), (slope - 2) / 2), 0.0)
    noise = rng.standard_normal((components, n, n, n))
    field = np.real(np.fft.ifftn(np.fft.fftn(noise, axes=(1, 2, 3)) * amplitude, axes=(1, 2, 3)))
    field /= max(float(np.sqrt(np.mean(field**2))), 1e-300)
    return torch.from_numpy(np.moveaxis(field, 0, -1).copy()).to(dtype)


def solenoidal_field(
    n: int,
    *,
    slope: float = -5 / 3,
    guide: float = 1.0,
    rms: float = 0.3,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """``B [n, n, n, 3]``: guide field ``guide * x_hat`` plus solenoidal fluctuations of rms ``rms``
    with perpendicular-shell power ~ ``k^slope``."""
    fluctuation = solenoidal_projection(random_field(n, 3, slope=slope, seed=seed, dtype=dtype))
    fluctuation = fluctuation * (rms / torch.sqrt(torch.mean(fluctuation**2) * 3))
    fluctuation[..., 0] += guide
    return fluctuation


@st.composite
def solenoidal_fields(
    draw: st.DrawFn, *, sizes: tuple[int, ...] = GRID_SIZES, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """Solenoidal ``B [N, N, N, 3]`` with a guide field along x and a power-law spectrum."""
    n = draw(st.sampled_from(sizes))
    slope = draw(st.floats(-4.0, -1.0))
    guide = draw(st.floats(0.0, 2.0))
    rms = draw(st.floats(0.05, 1.0))
    seed = draw(st.integers(0, 2**31 - 1))
    return solenoidal_field(n, slope=slope, guide=guide, rms=rms, seed=seed, dtype=dtype)


def mhd_state(
    n: int, *, ma: float = 0.7, ms: float = 0.5, seed: int = 0, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """An MHD_64-layout state ``[n, n, n, 7]``: density ``exp`` of a small random field (positive,
    mean near 1), B with guide field ``B0 = Ms/Ma`` along x, velocity of rms ``Ms``."""
    b0 = ms / ma
    b = solenoidal_field(n, slope=-5 / 3, guide=b0, rms=0.5 * b0, seed=seed, dtype=dtype)
    v = random_field(n, 3, slope=-5 / 3, seed=seed + 1, dtype=dtype) * (ms / math.sqrt(3))
    log_rho = random_field(n, 1, slope=-5 / 3, seed=seed + 2, dtype=dtype) * (0.3 * ms)
    return torch.cat([torch.exp(log_rho), b, v], dim=-1)


@st.composite
def mhd_states(
    draw: st.DrawFn, *, sizes: tuple[int, ...] = GRID_SIZES, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """Full MHD states ``[N, N, N, 7]`` in MHD_64 channel order (density, B_xyz, v_xyz)."""
    n = draw(st.sampled_from(sizes))
    ma = draw(st.sampled_from([0.7, 2.0]))
    ms = draw(st.floats(0.2, 1.0))
    seed = draw(st.integers(0, 2**31 - 4))
    return mhd_state(n, ma=ma, ms=ms, seed=seed, dtype=dtype)
