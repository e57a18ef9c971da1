"""``physcheck fixtures stats``: the spectral numbers are statistics over every frame."""

from __future__ import annotations

import math

import torch

from physcheck.diagnostics import frame_statistics, low_high_ratio, spectral_slope
from physcheck.sim.statistics import truth_statistics


def _frames(n_traj: int, n_time: int, n: int = 16) -> torch.Tensor:
    """Random frames whose magnetic field gets smoother frame by frame (a spectrum that
    steepens in time), so that statistics over a few frames differ from those over all."""
    g = torch.Generator().manual_seed(3)
    frames = torch.randn(n_traj, n_time, n, n, n, 7, generator=g, dtype=torch.float64)
    frames[..., 0] += 2.0  # a positive density
    k = torch.fft.fftfreq(n, d=1.0 / n, dtype=torch.float64)
    kk = torch.sqrt(sum(a**2 for a in torch.meshgrid(k, k, k, indexing="ij")))  # type: ignore[misc]
    for t in range(n_time):
        damp = (1 + kk) ** (-0.5 * t)
        b = torch.fft.fftn(frames[:, t, ..., 1:4], dim=(1, 2, 3)) * damp[None, ..., None]
        frames[:, t, ..., 1:4] = torch.fft.ifftn(b, dim=(1, 2, 3)).real
    return frames


def test_the_slope_and_band_ratio_are_over_every_frame() -> None:
    frames = _frames(2, 6)
    fit, cutoff = (2.0, 5.0), 8.0
    stats = truth_statistics(frames, fit=fit, cutoff=cutoff)
    flat = frames.reshape(12, *frames.shape[2:])
    spectra = frame_statistics(flat, spectrum=True, methods=("central",)).spectrum
    assert spectra is not None
    e = spectra.sum(dim=-2)
    slopes = spectral_slope(torch.arange(e.shape[-1], dtype=e.dtype), e, lo=fit[0], hi=fit[1])
    assert math.isclose(stats["slope"], float(slopes.mean()), rel_tol=1e-9)
    assert math.isclose(stats["slope_spread"], float(slopes.std()), rel_tol=1e-9)
    assert math.isclose(
        stats["low_high"], float(low_high_ratio(e, cutoff=cutoff).median()), rel_tol=1e-9
    )
    # the frames' slopes differ, so a statistic over two of them would not be this one
    assert float(slopes.std()) > 0.1
