"""Perpendicular spectra: single modes, Parseval, prescribed power laws, bands."""

from __future__ import annotations

import math

import pytest
import torch

from physcheck.diagnostics import (
    band_energies,
    low_high_ratio,
    perpendicular_spectrum,
    pile_up,
    spectral_slope,
    wavenumbers,
)


def grid(n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    x = torch.arange(n, dtype=torch.float64)
    return torch.meshgrid(x, x, x, indexing="ij")


def test_wavenumbers_integer_and_angular() -> None:
    assert wavenumbers(8).tolist() == [0, 1, 2, 3, -4, -3, -2, -1]
    torch.testing.assert_close(
        wavenumbers(8, angular=True, spacing=2.0, dtype=torch.float64),
        wavenumbers(8, dtype=torch.float64) * 2 * math.pi / 16,
    )


@pytest.mark.parametrize("mode", [(0, 3, 0), (1, 2, 2), (0, 0, 5), (2, 4, 3)])
def test_single_fourier_mode_puts_all_power_in_one_shell(mode: tuple[int, int, int]) -> None:
    n = 16
    gx, gy, gz = grid(n)
    amplitude = 0.7
    f = amplitude * torch.cos(2 * math.pi * (mode[0] * gx + mode[1] * gy + mode[2] * gz) / n)
    shells, e = perpendicular_spectrum(f[..., None], n_par_max=n)
    m = round(math.hypot(mode[1], mode[2]))
    assert shells.shape == (n // 2 + 1,) and e.shape == (n // 2 + 1,)
    torch.testing.assert_close(
        e[m], torch.tensor(amplitude**2 / 2, dtype=torch.float64)
    )  # mean of cos^2
    assert e.sum() == pytest.approx(e[m].item(), rel=1e-12)


def test_modes_beyond_n_par_max_are_excluded() -> None:
    n = 16  # default n_par_max = N/16 = 1
    gx, gy, _ = grid(n)
    f = torch.cos(2 * math.pi * (2 * gx + 3 * gy) / n)  # n_par = 2 > 1
    _, e = perpendicular_spectrum(f[..., None])
    assert e.abs().max() < 1e-20
    f = torch.cos(2 * math.pi * (1 * gx + 3 * gy) / n)  # n_par = 1 <= 1
    _, e = perpendicular_spectrum(f[..., None])
    assert e[3] == pytest.approx(0.5)


def test_parseval_sum_over_shells_equals_mean_square() -> None:
    # a field band-limited to n_perp <= N/2 and n_par <= n_par_max: every mode lands in a shell
    n = 16
    g = torch.Generator().manual_seed(0)
    f_hat = torch.randn(n, n, n, 2, dtype=torch.complex128, generator=g)
    k = wavenumbers(n, dtype=torch.float64)
    kx, ky, kz = torch.meshgrid(k, k, k, indexing="ij")
    keep = (kx.abs() <= 1) & (ky**2 + kz**2 < (n / 2 - 0.5) ** 2)
    f = torch.fft.ifftn(f_hat * keep[..., None], dim=(0, 1, 2)).real
    _, e = perpendicular_spectrum(f, n_par_max=1)
    torch.testing.assert_close(e.sum(), (f**2).sum(-1).mean())


def power_law_field(n: int, a: float, seed: int) -> torch.Tensor:
    """Two components, uniform along x, with E(m) = m^-a exactly in every shell m >= 1."""
    k = wavenumbers(n, dtype=torch.float64)
    ky, kz = torch.meshgrid(k, k, indexing="ij")
    shell = torch.floor(torch.sqrt(ky**2 + kz**2) + 0.5).long()
    counts = torch.bincount(shell.flatten(), minlength=n)
    power = torch.where(
        (shell > 0) & (shell <= n // 2), shell.double() ** -a / counts[shell], torch.zeros(())
    )
    # unit-modulus Hermitian phases from the FFT of real white noise keep the field real
    g = torch.Generator().manual_seed(seed)
    noise_hat = torch.fft.fft2(torch.randn(n, n, generator=g, dtype=torch.float64))
    unit = noise_hat / noise_hat.abs()
    f_hat = unit * torch.sqrt(power / 2) * n**2  # |f_hat|^2 / N^4 = P / 2 per component
    field2d = torch.fft.ifft2(f_hat).real
    f = field2d[None].expand(n, n, n)
    return torch.stack([f, f], dim=-1)


@pytest.mark.parametrize("a", [1.0, 5 / 3, 2.0, 3.0, 4.0])
def test_prescribed_power_law_slope_is_recovered(a: float) -> None:
    shells, e = perpendicular_spectrum(power_law_field(32, a, seed=int(a * 10)))
    slope = spectral_slope(shells, e)
    assert slope.item() == pytest.approx(-a, abs=0.05)


def test_slope_range_and_errors() -> None:
    shells = torch.arange(17, dtype=torch.float64)
    e = torch.where(shells > 0, shells**-2.5, torch.zeros(()))
    assert spectral_slope(shells, e, lo=1, hi=16).item() == pytest.approx(-2.5)
    with pytest.raises(ValueError, match="at least two shells"):
        spectral_slope(shells, e, lo=10, hi=10)
    e[3] = 0.0
    assert torch.isnan(spectral_slope(shells, e))


def test_bands_of_constructed_spectra_are_exact() -> None:
    # N = 64: 33 shells; low 0-7, mid 8-23, high 24-32
    e = torch.zeros(33, dtype=torch.float64)
    e[:8] = 1.0
    e[8:24] = 0.5
    e[24:] = 0.25
    bands = band_energies(e)
    assert bands.low.item() == 8.0 and bands.mid.item() == 8.0 and bands.high.item() == 9 * 0.25
    assert low_high_ratio(e).item() == pytest.approx(8.0 / 2.25)
    later = e.clone()
    later[24:] *= 50.0
    later[:8] *= 2.0
    assert pile_up(later, e).item() == pytest.approx(25.0)
    assert pile_up(e, e).item() == pytest.approx(1.0)


def test_guide_vector_equals_guide_axis_for_an_axis_vector() -> None:
    f = power_law_field(16, 2.0, seed=1) + 0.1 * torch.randn(
        16, 16, 16, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2)
    )
    _, by_axis = perpendicular_spectrum(f, guide_axis=0)
    _, by_vector = perpendicular_spectrum(
        f, guide=torch.tensor([2.0, 0.0, 0.0], dtype=torch.float64)
    )
    torch.testing.assert_close(by_axis, by_vector)
    _, along_y = perpendicular_spectrum(f.permute(1, 0, 2, 3), guide_axis=1)
    torch.testing.assert_close(along_y, by_axis)


def test_batched_guide_vectors() -> None:
    f = torch.randn(2, 8, 8, 8, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    guides = torch.tensor([[1.0, 0, 0], [0, 0, 1.0]], dtype=torch.float64)
    _, batched = perpendicular_spectrum(f, guide=guides)
    _, first = perpendicular_spectrum(f[0], guide_axis=0)
    _, second = perpendicular_spectrum(f[1], guide_axis=2)
    torch.testing.assert_close(batched, torch.stack([first, second]))


def test_nonfinite_field_gives_nan_spectrum() -> None:
    f = torch.randn(8, 8, 8, 2)
    f[0, 0, 0, 0] = float("nan")
    _, e = perpendicular_spectrum(f)
    assert torch.isnan(e).all()
    big = torch.randn(8, 8, 8, 2) * 1e10
    assert torch.isfinite(perpendicular_spectrum(big)[1]).all()
