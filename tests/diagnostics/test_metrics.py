"""VRMSE against the_well's, window statistics and the stability horizon."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from physcheck.diagnostics import stability_horizon, vrmse, window_statistic
from physcheck.strategies import mhd_states


def well_vrmse(pred: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    from the_well.benchmark.metrics import VRMSE
    from the_well.data.datasets import WellMetadata

    meta = WellMetadata(
        dataset_name="MHD_64",
        n_spatial_dims=3,
        spatial_resolution=tuple(truth.shape[-4:-1]),
        scalar_names=[],
        constant_scalar_names=[],
        field_names={
            0: ["density"],
            1: [
                "magnetic_field_x",
                "magnetic_field_y",
                "magnetic_field_z",
                "velocity_x",
                "velocity_y",
                "velocity_z",
            ],
        },
        constant_field_names={},
        boundary_condition_types=["PERIODIC"],
        n_files=1,
        n_trajectories_per_file=[1],
        n_steps_per_trajectory=[1],
    )
    return VRMSE.eval(pred, truth, meta)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_vrmse_equals_the_well_on_random_input(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(0)
    truth = torch.randn(2, 3, 8, 8, 8, 7, generator=g).to(dtype) * torch.linspace(0.1, 3, 7).to(
        dtype
    )
    pred = truth + 0.3 * torch.randn(2, 3, 8, 8, 8, 7, generator=g).to(dtype)
    ours, theirs = vrmse(pred, truth), well_vrmse(pred, truth)
    assert ours.shape == (2, 3, 7) and ours.dtype == dtype
    torch.testing.assert_close(ours, theirs.to(dtype), rtol=1e-6, atol=0)


def test_vrmse_equals_the_well_on_constant_truth() -> None:
    truth = torch.ones(1, 8, 8, 8, 7, dtype=torch.float64) * 2.5
    pred = truth + 1e-3 * torch.randn(
        1, 8, 8, 8, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(1)
    )
    torch.testing.assert_close(vrmse(pred, truth), well_vrmse(pred, truth), rtol=1e-6, atol=0)
    # constant truth: sqrt(mse / eps)
    mse = ((pred - truth) ** 2).mean(dim=(1, 2, 3))
    torch.testing.assert_close(vrmse(pred, truth), torch.sqrt(mse / 1e-7))


def test_ddof0_convention() -> None:
    g = torch.Generator().manual_seed(2)
    truth = torch.randn(4, 4, 4, 2, dtype=torch.float64, generator=g)
    pred = torch.randn(4, 4, 4, 2, dtype=torch.float64, generator=g)
    expected = torch.sqrt(
        ((pred - truth) ** 2).mean((0, 1, 2)) / (truth.var((0, 1, 2), correction=0) + 1e-12)
    )
    torch.testing.assert_close(vrmse(pred, truth, convention="ddof0"), expected)
    with pytest.raises(ValueError, match="unknown VRMSE convention"):
        vrmse(pred, truth, convention="paper")  # type: ignore[arg-type]


@settings(max_examples=10, deadline=None)
@given(mhd_states())
def test_vrmse_of_truth_with_itself_is_zero(state: torch.Tensor) -> None:
    assert torch.all(vrmse(state, state) == 0)
    assert torch.all(vrmse(state, state, convention="ddof0") == 0)


def test_vrmse_blown_up_prediction_stays_visible() -> None:
    truth = torch.randn(8, 8, 8, 3)
    pred = truth.clone()
    pred[0, 0, 0, 1] = float("inf")
    pred[0, 0, 0, 2] = float("nan")
    out = vrmse(pred, truth)
    assert out[0] == 0 and torch.isinf(out[1]) and torch.isnan(out[2])
    assert torch.isfinite(vrmse(truth * 1e10, truth)).all()


def test_window_statistic_clips_and_aggregates() -> None:
    values = torch.tensor(
        [[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 6.0, 6.0]], dtype=torch.float64
    )
    stat = window_statistic(values, first=3, last=60)  # clipped to K = 4
    torch.testing.assert_close(
        stat.per_trajectory, torch.tensor([3.5, 2.0, 6.0], dtype=torch.float64)
    )
    assert stat.median.item() == 3.5 and stat.mean.item() == pytest.approx(11.5 / 3)
    assert stat.q25.item() == pytest.approx(2.75) and stat.q75.item() == pytest.approx(4.75)
    per_channel = window_statistic(values[..., None].expand(3, 4, 2), first=1, last=1)
    assert per_channel.median.shape == (2,) and per_channel.median[0].item() == 1.0
    with pytest.raises(ValueError, match="empty"):
        window_statistic(values, first=5)


def test_window_statistic_even_count_median_is_numpys() -> None:
    stat = window_statistic(torch.tensor([[1.0], [2.0], [3.0], [10.0]]))
    assert stat.median.item() == 2.5


def test_stability_horizon() -> None:
    steps = torch.tensor(
        [[0.1, 0.5, 1.2, 0.8], [0.1, 0.1, 0.1, 0.1], [0.1, float("nan"), 0.1, 0.1]]
    )
    torch.testing.assert_close(
        stability_horizon(steps, channel_mean=False), torch.tensor([3, 5, 2])
    )
    per_channel = torch.stack([steps, steps * 0], dim=-1) * 2  # channel mean = steps
    torch.testing.assert_close(stability_horizon(per_channel), torch.tensor([3, 5, 2]))
    assert stability_horizon(steps[0], threshold=2.0, channel_mean=False).item() == 5


@given(st.integers(1, 3), st.integers(1, 4))
@settings(max_examples=10, deadline=None)
def test_vrmse_is_invariant_to_batching(batch: int, steps: int) -> None:
    g = torch.Generator().manual_seed(batch * 10 + steps)
    truth = torch.randn(batch, steps, 4, 4, 4, 3, generator=g, dtype=torch.float64)
    pred = torch.randn(batch, steps, 4, 4, 4, 3, generator=g, dtype=torch.float64)
    together = vrmse(pred, truth)
    one_by_one = torch.stack(
        [torch.stack([vrmse(pred[b, s], truth[b, s]) for s in range(steps)]) for b in range(batch)]
    )
    torch.testing.assert_close(together, one_by_one)
