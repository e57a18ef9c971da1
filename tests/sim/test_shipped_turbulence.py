"""The shipped trajectories are developed MHD turbulence, not noise."""

from __future__ import annotations

import pytest
import torch

import physcheck.diagnostics as d
from physcheck.data import open_dataset
from physcheck.datasets import dataset_dir


@pytest.fixture(scope="module")
def frames() -> torch.Tensor:
    data = open_dataset(dataset_dir(), split="test")
    return torch.stack([data.read_frames(i, 0, data.n_time) for i in range(data.n_trajectories)])


def test_density_fluctuates(frames: torch.Tensor) -> None:
    rho = frames[..., 0]
    assert (rho.std(dim=(2, 3, 4)) > 0.03).all()
    assert (rho > 0).all()


def test_perpendicular_spectra_fall_with_n(frames: torch.Tensor) -> None:
    shells, e = d.perpendicular_spectrum(frames[:, :, ::10, ..., 2:4].flatten(0, 1))
    median = e.median(dim=0).values
    # the dealiased solver holds energy below n = N/3; from the injection shell on it falls
    assert torch.all(median[2:8].diff() < 0)
    assert (d.spectral_slope(shells, e) < -1.5).all()


def test_anisotropy_from_the_guide_field(frames: torch.Tensor) -> None:
    """Variation along the guide field (x) is weaker than across it: at n >= 3 the spectrum of
    modes with n_par (= n_x) ~ 0 holds more energy than that of modes with n_y ~ 0."""
    b_perp = frames[:, ::10, ..., 2:4].flatten(0, 1)
    _, across = d.perpendicular_spectrum(b_perp)
    _, along = d.perpendicular_spectrum(b_perp, guide=torch.tensor([0.0, 1.0, 0.0]))
    assert (across[:, 3:].sum(-1) > 3 * along[:, 3:].sum(-1)).all()


def test_guide_field_energy_and_constraint(frames: torch.Tensor) -> None:
    e = d.energies(frames)
    assert torch.allclose(
        e.mean_abs_b.mean(), torch.tensor(0.72), atol=0.05
    )  # B0 = Ms / Ma = 0.714
    assert ((e.ratio > 1) & (e.ratio < 4)).all()  # magnetically dominated, sub-Alfvenic
    assert (d.divb_ratio(frames[..., 1:4], method="spectral") < 1e-6).all()  # float32 round-off
    central = d.divb_ratio(frames[..., 1:4], method="central")
    assert (central > 1e-3).all() and (central < 1e-1).all()  # the central operator's floor
