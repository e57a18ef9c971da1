"""The streaming record builder: batched steps give the per-step numbers; early stops flush."""

from __future__ import annotations

import pytest
import torch

import physcheck.diagnostics as d
from physcheck.config import DiagnosticSettings
from physcheck.engine import rollout
from physcheck.fields import MHD_LAYOUT
from physcheck.records import RecordBuilder, TruthRecord
from physcheck.strategies import mhd_state
from tests.zoo.basic import LinearMix, NaNAt

SETTINGS = DiagnosticSettings(spectrum_steps=(1, 2, 5))
SERIES = ("vrmse", "divb", "variance", "energy_ratio", "mean_abs_b", "mass", "spectra")


@pytest.fixture(scope="module")
def window() -> tuple[torch.Tensor, torch.Tensor]:
    """history ``[2, 2, 8, 8, 8, 7]`` and a truth ``[2, 7, ...]`` (float32)."""
    states = torch.stack(
        [torch.stack([mhd_state(8, seed=10 * b + t) for t in range(9)]) for b in range(2)]
    )
    return states[:, :2].float(), states[:, 2:].float()


def record(window, step_batch: int | None, model=None, **kwargs):
    history, truth = window
    builder = RecordBuilder(
        truth,
        MHD_LAYOUT,
        SETTINGS,
        truth_record=kwargs.pop("truth_record", None),
        reference=kwargs.pop("reference", None),
        keep_frames=True,
        step_batch=step_batch,
    )
    result = rollout(model or LinearMix(), history, truth.shape[1], on_step=builder, **kwargs)
    return builder.finish(result.first_nonfinite_step), result


@pytest.mark.parametrize("step_batch", [2, 3, 8])
def test_batched_steps_give_the_per_step_numbers(window, step_batch: int) -> None:
    one, result = record(window, 1)
    batched, _ = record(window, step_batch)
    for name in SERIES:
        torch.testing.assert_close(
            getattr(batched, name), getattr(one, name), rtol=1e-6, atol=1e-12
        )
    torch.testing.assert_close(batched.frames, one.frames, rtol=0, atol=0)
    torch.testing.assert_close(one.frames, result.frames.float(), rtol=0, atol=0)


def test_batched_comparisons_with_a_reference(window) -> None:
    base, _ = record(window, 1)
    truth_record = TruthRecord.compute(window[1], MHD_LAYOUT, SETTINGS)
    one, _ = record(window, 1, reference=base.frames, truth_record=truth_record, noise=1e-3)
    batched, _ = record(window, 4, reference=base.frames, truth_record=truth_record, noise=1e-3)
    for name in ("vs_reference_vrmse", "vs_reference_relative", "vrmse"):
        torch.testing.assert_close(
            getattr(batched, name), getattr(one, name), rtol=1e-6, atol=1e-12
        )
    # the relative distance is |frame - reference| / |frame|, computed directly
    frames = one.frames.double()
    want = (frames - base.frames.double()).flatten(2).norm(dim=2) / frames.flatten(2).norm(dim=2)
    torch.testing.assert_close(one.vs_reference_relative, want, rtol=1e-5, atol=0)
    assert (one.vs_reference_vrmse > 0).all()


def test_record_matches_the_single_diagnostics(window) -> None:
    rec, result = record(window, 3)
    frames, truth = result.frames.double(), window[1].double()
    torch.testing.assert_close(rec.vrmse, d.vrmse(frames, truth), rtol=1e-5, atol=0)
    torch.testing.assert_close(
        rec.divb, d.divb_ratio(frames[..., 1:4], method="central"), rtol=1e-5, atol=0
    )
    torch.testing.assert_close(rec.variance, d.channel_variance(frames), rtol=1e-5, atol=1e-12)
    spectrum = d.perpendicular_spectrum(frames[:, 4, ..., 2:3])[1]  # step 5, B_y
    torch.testing.assert_close(rec.spectra[:, 2, 0], spectrum, rtol=1e-5, atol=1e-14)


def test_an_early_stop_flushes_the_buffered_steps_and_pads_with_nan(window) -> None:
    every = slice(None)  # every trajectory turns NaN at step 3, so 'stop' ends the rollout
    one, result = record(window, 1, model=NaNAt(3, trajectory=every), nonfinite="stop")
    batched, _ = record(window, 4, model=NaNAt(3, trajectory=every), nonfinite="stop")
    assert result.stopped_at == 3 < window[1].shape[1]
    for name in ("vrmse", "divb", "mass"):
        a, b = getattr(one, name), getattr(batched, name)
        assert torch.equal(torch.isnan(a), torch.isnan(b)), name
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-12, equal_nan=True)
    assert torch.isnan(batched.vrmse[:, result.stopped_at :]).all()


def test_step_batch_must_be_positive(window) -> None:
    with pytest.raises(ValueError, match="step_batch must be >= 1"):
        RecordBuilder(window[1], MHD_LAYOUT, SETTINGS, step_batch=0)
