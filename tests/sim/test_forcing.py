"""The Ornstein-Uhlenbeck forcing: reproducible from (seed, interval), solenoidal, large-scale."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from physcheck.sim import forcing
from physcheck.sim.forcing import OUForcing, forcing_modes, ou_coefficients
from physcheck.sim.spectral import SpectralGrid

torch.set_num_threads(1)


def make(n: int = 16, **kwargs: float) -> OUForcing:
    grid = SpectralGrid(n, 2 * math.pi, device="cpu", dtype=torch.float64)
    options = dict(amplitude=0.3, correlation=2.0, frame_interval=0.5, n_min=1.0, n_max=2.0)
    options.update(kwargs)
    return OUForcing(grid, **options)  # type: ignore[arg-type]


def test_modes_are_one_per_pair_in_the_shell() -> None:
    modes = forcing_modes(1.0, 2.0)
    assert len(modes) == 16  # 6 + 12 + 8 + 6 vectors with 1 <= |n|^2 <= 4, halved
    norms = np.sqrt((modes**2).sum(1))
    assert (norms >= 1).all() and (norms <= 2).all()
    keys = {tuple(m) for m in modes.tolist()}
    assert not any(tuple(-c for c in m) in keys for m in modes.tolist())
    guided = forcing_modes(1.0, 2.0, n_par_min=1)
    assert len(guided) == 10 and (guided[:, 0] != 0).all()


def test_coefficients_depend_only_on_seed_and_interval() -> None:
    late = ou_coefficients(7, 40, 16, 0.8).copy()
    forcing._STREAMS.clear()
    early = [ou_coefficients(7, j, 16, 0.8).copy() for j in range(5)]
    assert np.array_equal(ou_coefficients(7, 40, 16, 0.8), late)  # computed in another order
    forcing._STREAMS.clear()
    assert np.array_equal(ou_coefficients(7, 3, 16, 0.8), early[3])
    assert not np.array_equal(ou_coefficients(8, 3, 16, 0.8), early[3])
    with pytest.raises(ValueError, match="before the start"):
        ou_coefficients(7, -1, 16, 0.8)


def test_coefficients_follow_the_discrete_ou_recurrence() -> None:
    r = 0.8
    a = np.stack([ou_coefficients(3, j, 16, r) for j in range(4000)])
    # stationary unit variance per real component and lag-1 correlation r
    assert a.real.var() == pytest.approx(1.0, rel=0.05)
    lag1 = (a[1:].real * a[:-1].real).mean() / (a.real**2).mean()
    assert lag1 == pytest.approx(r, abs=0.03)


def test_forcing_field_is_real_solenoidal_large_scale_and_of_the_stated_rms() -> None:
    f = make()
    g = f.grid
    rms = []
    for j in range(200):
        f_hat = f.spectrum([1, 2], j)
        assert g.div(f_hat).abs().max().item() < 1e-9
        field = g.ifft(f_hat)
        assert torch.allclose(g.fft(field), f_hat, atol=1e-9)  # Hermitian: a real field
        rms.append(torch.sqrt((field**2).sum(1).mean(dim=(-3, -2, -1))))
        n_mag = torch.sqrt((g.n_int**2).sum(0))
        outside = (n_mag < 1) | (n_mag > 2)
        assert f_hat.abs()[:, :, outside].max().item() == 0
    mean_square = torch.stack(rms).pow(2).mean().item()
    assert math.sqrt(mean_square) == pytest.approx(0.3, rel=0.1)


def test_forcing_is_constant_within_an_interval_and_per_trajectory() -> None:
    f = make()
    a, b = f.spectrum([5, 6], 10), f.spectrum([5, 6], 10)
    assert torch.equal(a, b)
    assert not torch.equal(a[0], a[1])
    assert torch.equal(f.spectrum([6], 10)[0], a[1])  # a trajectory's forcing ignores the batch


def test_the_forced_shell_must_stay_below_the_dealiasing_cutoff() -> None:
    with pytest.raises(ValueError, match="dealiasing cutoff"):
        make(n=6, n_max=2.0)
