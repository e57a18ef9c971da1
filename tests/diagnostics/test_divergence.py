"""div B against analytic cases: curls, gradients, closed-form central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from physcheck.diagnostics import divb_ratio, divergence
from physcheck.strategies import random_field


def spectral_curl(a: torch.Tensor) -> torch.Tensor:
    """Curl of ``a [X, Y, Z, 3]`` with Nyquist-zeroed angular wavenumbers (spacing 1)."""
    n = a.shape[0]
    k = torch.fft.fftfreq(n, d=1.0 / n, dtype=a.dtype) * (2 * math.pi / n)
    k[n // 2] = 0
    kx, ky, kz = torch.meshgrid(k, k, k, indexing="ij")
    ah = torch.fft.fftn(a, dim=(0, 1, 2))
    curl = torch.stack(
        [
            1j * (ky * ah[..., 2] - kz * ah[..., 1]),
            1j * (kz * ah[..., 0] - kx * ah[..., 2]),
            1j * (kx * ah[..., 1] - ky * ah[..., 0]),
        ],
        dim=-1,
    )
    return torch.fft.ifftn(curl, dim=(0, 1, 2)).real


def test_curl_of_random_vector_potential_has_spectral_divergence_at_roundoff() -> None:
    a = random_field(16, 3, slope=-2, seed=3)
    b = spectral_curl(a)
    assert divergence(b, method="spectral").abs().max() < 1e-13 * b.abs().max()
    assert divb_ratio(b, method="spectral") < 1e-13
    # ... yet its central divergence is not zero
    assert divb_ratio(b, method="central") > 1e-3


def test_central_divergence_of_a_spectral_curl_matches_the_sine_formula() -> None:
    # A = (0, 0, sin(kx x + ky y + kz z)) -> B = curl A = (ky cos, -kx cos, 0) (exact, spectral)
    n = 16
    mx, my, mz = 1, 2, 3
    k = [2 * math.pi * m / n for m in (mx, my, mz)]
    x = torch.arange(n, dtype=torch.float64)
    gx, gy, gz = torch.meshgrid(x, x, x, indexing="ij")
    phase = k[0] * gx + k[1] * gy + k[2] * gz
    b = torch.stack(
        [k[1] * torch.cos(phase), -k[0] * torch.cos(phase), torch.zeros_like(phase)], dim=-1
    )
    assert divergence(b, method="spectral").abs().max() < 1e-12
    # central difference of cos(k.x) along j is -sin(k_j) sin(k.x)
    expected = -(k[1] * math.sin(k[0]) - k[0] * math.sin(k[1])) * torch.sin(phase)
    torch.testing.assert_close(divergence(b, method="central"), expected, atol=1e-12, rtol=0)
    assert expected.abs().max() > 1e-2  # the closed form is genuinely nonzero


def test_gradient_field_has_its_known_divergence() -> None:
    # B = grad(phi), phi = sin(k.x)  ->  div B = -|k|^2 sin(k.x) (spectral, exact)
    n, dx = 16, 0.5
    m = (2, 1, 3)
    k = [2 * math.pi * mi / (n * dx) for mi in m]
    x = torch.arange(n, dtype=torch.float64) * dx
    gx, gy, gz = torch.meshgrid(x, x, x, indexing="ij")
    phase = k[0] * gx + k[1] * gy + k[2] * gz
    b = torch.stack([ki * torch.cos(phase) for ki in k], dim=-1)
    expected = -sum(ki**2 for ki in k) * torch.sin(phase)
    torch.testing.assert_close(
        divergence(b, method="spectral", spacing=dx), expected, atol=1e-10, rtol=0
    )
    central = sum(-ki * math.sin(ki * dx) / dx for ki in k) * torch.sin(phase)
    torch.testing.assert_close(
        divergence(b, method="central", spacing=dx), central, atol=1e-10, rtol=0
    )


def test_divb_ratio_definition() -> None:
    b = random_field(8, 3, slope=-1, seed=1) + torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    div = divergence(b, method="central")
    expected = torch.sqrt((div**2).mean()) / torch.linalg.vector_norm(b, dim=-1).mean()
    torch.testing.assert_close(divb_ratio(b, method="central"), expected)


def test_zero_field_has_zero_ratio_and_nonfinite_input_is_visible() -> None:
    assert divb_ratio(torch.zeros(8, 8, 8, 3)) == 0
    b = random_field(8, 3, slope=-1, seed=2)
    b[1, 2, 3, 0] = float("nan")
    assert torch.isnan(divb_ratio(b, method="spectral"))
    b[1, 2, 3, 0] = float("inf")
    assert not torch.isfinite(divb_ratio(b, method="central"))
    big = random_field(8, 3, slope=-1, seed=2).float() * 1e10
    assert torch.isfinite(divb_ratio(big, method="spectral"))


def test_layout_and_method_errors_are_clear() -> None:
    with pytest.raises(ValueError, match=r"\[\.\.\., X, Y, Z, 3\]"):
        divergence(torch.zeros(8, 8, 8, 2))
    with pytest.raises(ValueError, match="unknown divergence method"):
        divergence(torch.zeros(8, 8, 8, 3), method="upwind")  # type: ignore[arg-type]


def test_numpy_input_and_dtype_are_kept() -> None:
    b = np.random.default_rng(0).standard_normal((8, 8, 8, 3))
    out = divergence(b)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    assert divergence(torch.from_numpy(b).float()).dtype == torch.float32
