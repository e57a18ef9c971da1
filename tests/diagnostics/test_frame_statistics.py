"""The fused streaming path gives the single-purpose diagnostics' numbers."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import physcheck.diagnostics as d
from physcheck.fields import MHD_FIELDS, FieldLayout
from physcheck.strategies import mhd_state, mhd_states, solenoidal_field


def expected(frame: torch.Tensor, layout: FieldLayout, spacing=1.0) -> dict[str, torch.Tensor]:
    """The numbers from the single-purpose diagnostics (real-space central divergence)."""
    b = frame[..., list(layout.magnetic)]
    e = d.energies(frame, layout=layout)
    perp = frame[..., list(layout.perpendicular_magnetic)]
    spectra = [
        d.perpendicular_spectrum(perp[..., i : i + 1], guide_axis=layout.guide_axis)[1]
        for i in range(2)
    ]
    rho = frame[..., layout.density : layout.density + 1]
    return {
        "mean": frame.mean(dim=(1, 2, 3)),
        "momentum": (rho * frame[..., list(layout.velocity)]).mean(dim=(1, 2, 3)),
        "variance": d.channel_variance(frame),
        "magnetic_energy": e.magnetic,
        "kinetic_energy": e.kinetic,
        "energy_ratio": e.ratio,
        "mean_abs_b": e.mean_abs_b,
        "mass": e.mass,
        "divb_spectral": d.divb_ratio(b, spacing=spacing, method="spectral"),
        "divb_central": d.divb_ratio(b, method="central", spacing=spacing),
        "spectrum": torch.stack(spectra, dim=1),
    }


def assert_matches(frame: torch.Tensor, layout: FieldLayout, rtol: float, spacing=1.0) -> None:
    stats = d.frame_statistics(frame, layout=layout, spacing=spacing)
    for name, want in expected(frame, layout, spacing).items():
        got = getattr(stats, name)
        assert got.shape == want.shape, name
        atol = rtol * float(want.abs().max())
        if name.startswith("divb"):  # a solenoidal field's ratio is round-off: compare absolutely
            atol = max(atol, 1e3 * torch.finfo(frame.dtype).eps)
        torch.testing.assert_close(got, want, rtol=rtol, atol=atol, msg=name)


def permuted_layout(guide_axis: int) -> tuple[FieldLayout, list[int]]:
    """A layout whose magnetic and velocity channels are neither first nor contiguous."""
    order = [4, 1, 0, 5, 2, 6, 3]
    return FieldLayout(tuple(MHD_FIELDS[i] for i in order), guide_axis=guide_axis), order


@pytest.mark.parametrize("guide_axis", [0, 1, 2])
@pytest.mark.parametrize("dtype,rtol", [(torch.float64, 1e-10), (torch.float32, 2e-5)])
def test_matches_single_diagnostics(guide_axis: int, dtype: torch.dtype, rtol: float) -> None:
    frame = torch.stack([mhd_state(16, seed=s) for s in (0, 5)]).to(dtype)
    assert_matches(frame, FieldLayout(guide_axis=guide_axis), rtol)


@pytest.mark.parametrize("guide_axis", [0, 2])
def test_any_channel_order(guide_axis: int) -> None:
    layout, order = permuted_layout(guide_axis)
    frame = mhd_state(16, seed=3)[None][..., order]
    assert_matches(frame, layout, 1e-10)


def test_non_cubic_grid_and_spacing() -> None:
    torch.manual_seed(0)
    frame = torch.randn(2, 16, 8, 12, 7, dtype=torch.float64)
    frame[..., 0] = frame[..., 0].abs() + 1  # a positive density
    assert_matches(frame, FieldLayout(), 1e-10, spacing=(0.5, 1.0, 2.0))


@settings(max_examples=25, deadline=None)
@given(state=mhd_states(), guide_axis=st.sampled_from([0, 1, 2]))
def test_matches_on_random_states(state: torch.Tensor, guide_axis: int) -> None:
    assert_matches(state[None], FieldLayout(guide_axis=guide_axis), 1e-9)


def test_solenoidal_field_has_round_off_spectral_divergence() -> None:
    b = solenoidal_field(32, seed=4)
    frame = torch.cat([torch.ones(32, 32, 32, 1, dtype=b.dtype), b, torch.zeros_like(b)], dim=-1)
    stats = d.frame_statistics(frame[None])
    assert float(stats.divb_spectral) < 1e-13
    assert float(stats.divb_central) > 1e-3  # the central operator sees a solenoidal field's modes


def test_only_the_asked_operators_and_spectrum_are_computed() -> None:
    stats = d.frame_statistics(mhd_state(8)[None], methods=("central",), spectrum=False)
    assert stats.divb_spectral is None and stats.spectrum is None
    assert stats.divb("central") is stats.divb_central
    with pytest.raises(ValueError, match=r"methods=\('spectral',\)"):
        stats.divb("spectral")
    with pytest.raises(ValueError, match="unknown divergence method"):
        d.frame_statistics(mhd_state(8)[None], methods=("upwind",))


def test_wrong_layout_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"\[B, X, Y, Z, C\] with C = 7"):
        d.frame_statistics(mhd_state(8)[None, ..., :5])
    with pytest.raises(ValueError, match=r"\[B, X, Y, Z, C\]"):
        d.frame_statistics(mhd_state(8))


def test_half_precision_frames_are_computed_in_float32() -> None:
    frame = mhd_state(8)[None]
    stats = d.frame_statistics(frame.to(torch.bfloat16))
    assert stats.variance.dtype == torch.float32
    want = d.frame_statistics(frame.to(torch.bfloat16).float())
    torch.testing.assert_close(stats.energy_ratio, want.energy_ratio)


def test_nonfinite_values_reach_only_the_numbers_they_touch() -> None:
    frame = mhd_state(8)[None].repeat(2, 1, 1, 1, 1)
    frame[0, 1, 2, 3, 0] = float("nan")  # density of trajectory 0
    frame[1, 1, 2, 3, 2] = float("inf")  # B_y of trajectory 1
    stats = d.frame_statistics(frame)
    assert torch.isnan(stats.mass[0]) and torch.isnan(stats.kinetic_energy[0])
    assert torch.isfinite(stats.magnetic_energy[0]) and torch.isfinite(stats.divb_central[0])
    assert torch.isfinite(stats.spectrum[0]).all()
    assert not torch.isfinite(stats.divb_central[1]) and not torch.isfinite(stats.spectrum[1]).all()
    assert torch.isfinite(stats.mass[1]) and torch.isfinite(stats.kinetic_energy[1])


@pytest.mark.parametrize("convention", ["well", "ddof0"])
def test_vrmse_from_sums_equals_vrmse(convention: str) -> None:
    truth = torch.stack([mhd_state(16, seed=1), mhd_state(16, seed=2)]).float()
    pred = truth * 1.05 + 0.01
    sse = d.squared_error_sums(pred, truth)
    torch.testing.assert_close(sse, ((pred - truth) ** 2).sum(dim=(1, 2, 3)), rtol=1e-5, atol=0)
    _, variance = d.channel_moments(truth)
    got = d.vrmse_from_sums(sse, variance, 16**3, convention=convention)
    torch.testing.assert_close(got, d.vrmse(pred, truth, convention=convention), rtol=1e-5, atol=0)
    with pytest.raises(ValueError, match="unknown VRMSE convention"):
        d.vrmse_from_sums(sse, variance, 16**3, convention="rmse")  # type: ignore[arg-type]


def test_channel_moments_are_accurate_where_the_mean_dwarfs_the_spread() -> None:
    """A one-pass E[x^2] - E[x]^2 in float32 would be off by O(1) here; two passes are not."""
    state = mhd_state(32, seed=7)[None]
    state[..., 0] = 10.0 + 1e-2 * state[..., 0]  # mean / std ~ 1e4
    frame = state.float()
    mean, variance = d.channel_moments(frame)
    exact = frame.double()  # the float32 values, exactly
    torch.testing.assert_close(variance.double(), d.channel_variance(exact), rtol=1e-4, atol=0)
    torch.testing.assert_close(mean.double(), exact.mean(dim=(1, 2, 3)), rtol=1e-6, atol=1e-7)
    stats = d.frame_statistics(frame)
    torch.testing.assert_close(
        stats.variance.double(), d.channel_variance(exact), rtol=1e-4, atol=0
    )


@pytest.mark.gpu
def test_cuda_matches_cpu() -> None:
    frame = torch.stack([mhd_state(32, seed=s) for s in (0, 1)])
    cpu = d.frame_statistics(frame)
    gpu = d.frame_statistics(frame.cuda())
    for name in ("variance", "energy_ratio", "divb_central", "divb_spectral", "spectrum"):
        torch.testing.assert_close(getattr(gpu, name).cpu(), getattr(cpu, name), msg=name)


def test_numpy_input_is_accepted() -> None:
    frame = mhd_state(8)[None]
    stats = d.frame_statistics(frame.numpy())
    torch.testing.assert_close(stats.energy_ratio, d.frame_statistics(frame).energy_ratio)
    _, variance = d.channel_moments(frame.numpy())
    torch.testing.assert_close(variance, d.channel_variance(frame))
    assert d.squared_error_sums(frame.numpy(), frame).abs().max() == 0


def test_a_2d_scalar_layout_gets_the_generic_numbers_and_nan_for_the_rest() -> None:
    """A profile without MHD fields (one scalar on a 2D grid): moments and minima by their
    definitions, everything made of density, velocity or B NaN, no spectrum."""
    layout = FieldLayout(("concentration",), guide_axis=None, spatial_dims=2)
    frame = torch.rand(3, 12, 10, 1, dtype=torch.float64) + 0.5
    stats = d.frame_statistics(frame, layout=layout)
    torch.testing.assert_close(stats.mean, frame.mean(dim=(1, 2)))
    torch.testing.assert_close(stats.variance, frame.var(dim=(1, 2), correction=0))
    torch.testing.assert_close(stats.minimum, frame.amin(dim=(1, 2)))
    assert stats.momentum.shape == (3, 2)
    for value in (stats.mass, stats.kinetic_energy, stats.magnetic_energy, stats.mean_abs_b):
        assert value.shape == (3,) and bool(value.isnan().all())
    assert bool(stats.divb("central").isnan().all()) and stats.spectrum is None
    mean, variance = d.channel_moments(frame)
    torch.testing.assert_close((mean, variance), (stats.mean, stats.variance))
    with pytest.raises(ValueError, match=r"\[B, X, Y, C\] with C = 1"):
        d.frame_statistics(frame[..., None, :], layout=layout)


def test_a_2d_flow_gets_its_mass_momentum_and_kinetic_energy() -> None:
    layout = FieldLayout(("density", "velocity_x", "velocity_y"), guide_axis=None, spatial_dims=2)
    frame = torch.rand(2, 8, 6, 3, dtype=torch.float64)
    stats = d.frame_statistics(frame, layout=layout)
    rho, v = frame[..., 0], frame[..., 1:]
    torch.testing.assert_close(stats.mass, rho.mean(dim=(1, 2)))
    torch.testing.assert_close(stats.momentum, (rho[..., None] * v).mean(dim=(1, 2)))
    torch.testing.assert_close(
        stats.kinetic_energy, 0.5 * (rho * v.square().sum(dim=-1)).mean(dim=(1, 2))
    )
    assert bool(stats.energy_ratio.isnan().all())  # no magnetic field


def test_the_minimum_is_each_channels_spatial_minimum() -> None:
    frame = mhd_state(8, seed=3)[None].double()
    stats = d.frame_statistics(frame)
    torch.testing.assert_close(stats.minimum, frame.amin(dim=(1, 2, 3)))
