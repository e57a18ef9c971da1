"""Energies, channel variances and basin labels on constructed states."""

from __future__ import annotations

import math

import pytest
import torch

from physcheck.diagnostics import (
    BASIN_FIRST,
    BASIN_NONE,
    BASIN_NONFINITE,
    BASIN_SECOND,
    BLOW_UP_NONFINITE,
    amplification,
    basin_label,
    basin_names,
    blow_up_label,
    blow_up_names,
    channel_variance,
    energies,
    perpendicular_asymmetry,
)
from physcheck.fields import FieldLayout
from physcheck.strategies import mhd_state


def uniform_state(
    rho: float, b: tuple[float, float, float], v: tuple[float, float, float], n: int = 4
) -> torch.Tensor:
    values = torch.tensor([rho, *b, *v], dtype=torch.float64)
    return values.expand(n, n, n, 7).clone()


def test_energies_of_a_uniform_state() -> None:
    e = energies(uniform_state(2.0, (1.0, 2.0, 2.0), (0.0, 3.0, 4.0)))
    assert e.magnetic.item() == pytest.approx(9 / 2)
    assert e.kinetic.item() == pytest.approx(2.0 * 25 / 2)
    assert e.ratio.item() == pytest.approx(4.5 / 25)
    assert e.mean_abs_b.item() == pytest.approx(3.0)
    assert e.mass.item() == pytest.approx(2.0)


def test_energies_of_a_wave() -> None:
    n = 16
    x = torch.arange(n, dtype=torch.float64)
    gx = x[:, None, None].expand(n, n, n)
    state = uniform_state(1.0, (1.0, 0.0, 0.0), (0.0, 0.0, 0.0), n)
    state[..., 2] = 0.5 * torch.sin(2 * math.pi * gx / n)  # b_y
    state[..., 5] = 0.5 * torch.sin(2 * math.pi * gx / n)  # u_y
    e = energies(state)
    assert e.magnetic.item() == pytest.approx((1 + 0.125) / 2)
    assert e.kinetic.item() == pytest.approx(0.125 / 2)


def test_channel_variance_is_population_variance() -> None:
    state = mhd_state(8, seed=4)
    torch.testing.assert_close(
        channel_variance(state), state.reshape(-1, 7).var(dim=0, correction=0)
    )
    assert channel_variance(state[None].expand(3, 8, 8, 8, 7)).shape == (3, 7)


def test_basin_labels() -> None:
    a = torch.ones(5, 7, dtype=torch.float64)
    a[0, 2] = 1e9  # By
    a[1, 3] = 1e3  # Bz
    a[2, 2] = a[2, 3] = 50.0  # tie above tau -> By
    a[3, 2] = 5.0  # below tau
    a[4, 2] = float("nan")  # a non-finite rollout: its basin cannot be told
    codes = basin_label(a)
    assert codes.tolist() == [BASIN_FIRST, BASIN_SECOND, BASIN_FIRST, BASIN_NONE, BASIN_NONFINITE]
    assert basin_names(codes) == ["By", "Bz", "By", "none", "non-finite"]
    assert basin_names(codes[1]) == "Bz"
    assert basin_label(a[3], tau=4.0).item() == BASIN_FIRST
    # with the guide field along z the perpendicular components are Bx and By
    along_z = FieldLayout(guide_axis=2)
    assert basin_names(basin_label(a, layout=along_z), layout=along_z)[0] == "By"
    assert basin_names(torch.tensor(BASIN_FIRST), layout=along_z) == "Bx"


def test_amplification_and_asymmetry() -> None:
    truth = mhd_state(8, seed=5)
    pred = truth.clone()
    pred[..., 2] *= 100.0
    a = amplification(pred, truth)
    assert a[2].item() == pytest.approx(1e4)
    assert a[3].item() == pytest.approx(1.0)
    assert perpendicular_asymmetry(a).item() == pytest.approx(4.0)
    assert perpendicular_asymmetry(amplification(truth, truth)).item() == pytest.approx(0.0)
    assert basin_label(a).item() == BASIN_FIRST


def test_blow_up_labels_name_the_channel_that_blows_up_most() -> None:
    """The basin of a dataset without a guide field: the channel amplified the most above tau."""
    layout = FieldLayout(("tracer", "pressure", "velocity_x", "velocity_y"), None, 2)
    a = torch.ones(5, 4, dtype=torch.float64)
    a[0, 1] = 1e4  # pressure
    a[1, 2] = a[1, 3] = 50.0  # a tie above tau: the first
    a[2, 0] = 5.0  # below tau
    a[3, 3] = float("inf")  # counts as above tau
    a[4, 0] = float("nan")  # not a number: cannot be told
    codes = blow_up_label(a)
    assert codes.tolist() == [2, 3, BASIN_NONE, 4, BLOW_UP_NONFINITE]
    assert blow_up_names(codes, layout=layout) == [
        "pressure",
        "vx",
        "none",
        "vy",
        "non-finite",
    ]
    assert blow_up_names(codes[0], layout=layout) == "pressure"
    assert blow_up_label(a[2], tau=4.0).item() == 1
