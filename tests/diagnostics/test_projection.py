"""Solenoidal projection: idempotent, divergence-free, identity on solenoidal fields."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from physcheck.diagnostics import (
    divb_ratio,
    divergence,
    perpendicular_spectrum,
    project_state,
    solenoidal_projection,
)
from physcheck.strategies import mhd_states, random_field, solenoidal_fields


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**20), st.sampled_from([8, 12, 16]), st.floats(0.5, 2.0))
def test_projection_is_idempotent_and_divergence_free(seed: int, n: int, dx: float) -> None:
    b = random_field(n, 3, slope=-1.0, seed=seed) + torch.tensor(
        [1.0, 0.2, 0.0], dtype=torch.float64
    )
    p = solenoidal_projection(b, spacing=dx)
    scale = b.abs().max()
    assert divergence(p, method="spectral", spacing=dx).abs().max() < 1e-12 * scale
    torch.testing.assert_close(solenoidal_projection(p, spacing=dx), p, atol=1e-12 * scale, rtol=0)
    # the mean (guide) field is untouched
    torch.testing.assert_close(p.mean(dim=(0, 1, 2)), b.mean(dim=(0, 1, 2)))


@settings(max_examples=10, deadline=None)
@given(solenoidal_fields())
def test_solenoidal_field_comes_back_unchanged(b: torch.Tensor) -> None:
    assert divb_ratio(b, method="spectral") < 1e-12
    torch.testing.assert_close(solenoidal_projection(b), b, atol=1e-12, rtol=0)


def test_projection_removes_a_gradient_entirely() -> None:
    phi = random_field(16, 1, slope=-2, seed=9)[..., 0]
    n = 16
    k = torch.fft.fftfreq(n, d=1.0 / n, dtype=torch.float64) * 2 * torch.pi / n
    k[n // 2] = 0
    kx, ky, kz = torch.meshgrid(k, k, k, indexing="ij")
    ph = torch.fft.fftn(phi)
    grad = torch.stack([torch.fft.ifftn(1j * kk * ph).real for kk in (kx, ky, kz)], dim=-1)
    assert solenoidal_projection(grad).abs().max() < 1e-12


@settings(max_examples=10, deadline=None)
@given(mhd_states())
def test_project_state_touches_only_the_magnetic_channels(state: torch.Tensor) -> None:
    noisy = state.clone()
    noisy[..., 1:4] += 0.1 * random_field(state.shape[0], 3, slope=0.0, seed=1)
    out = project_state(noisy)
    torch.testing.assert_close(out[..., [0, 4, 5, 6]], noisy[..., [0, 4, 5, 6]], rtol=0, atol=0)
    assert divb_ratio(out[..., 1:4], method="spectral") < 1e-12
    assert divb_ratio(noisy[..., 1:4], method="spectral") > 1e-3
    assert noisy is not out and not torch.equal(noisy, out)


@settings(max_examples=10, deadline=None)
@given(mhd_states())
def test_swapping_y_and_z_swaps_the_component_spectra(state: torch.Tensor) -> None:
    b = state[..., 1:4]
    swapped = b.transpose(1, 2)[..., [0, 2, 1]]  # exchange the y and z axes and components
    _, e = perpendicular_spectrum(b[..., 1:3].movedim(-1, 0)[..., None])
    _, e_swapped = perpendicular_spectrum(swapped[..., 1:3].movedim(-1, 0)[..., None])
    torch.testing.assert_close(e_swapped[0], e[1])
    torch.testing.assert_close(e_swapped[1], e[0])
