"""physcheck's per-frame diagnostics against a research-script numpy baseline (per frame, per-bin
masks) and the_well's power_spectrum, on one 64^3 x 7 frame, side by side in one run."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

import physcheck.diagnostics as d
from physcheck.config import DiagnosticSettings
from physcheck.fields import MHD_LAYOUT
from physcheck.records import DiagnosticRecord, RecordBuilder, TruthRecord
from physcheck.strategies import mhd_state
from tests.benchmarks import numpy_baseline
from tests.benchmarks.conftest import synchronize

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


SETTINGS = DiagnosticSettings(spectrum_steps=(1,))


@pytest.fixture(scope="module")
def frames() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(pred, truth, reference): one 64^3 x 7 frame each, float32."""
    truth = mhd_state(64, seed=0, dtype=torch.float32)
    pred = (truth * 1.01 + 0.01 * mhd_state(64, seed=1, dtype=torch.float32)).contiguous()
    reference = (pred + 1e-3 * mhd_state(64, seed=2, dtype=torch.float32)).contiguous()
    return pred, truth, reference


def physcheck_frame(
    pred: torch.Tensor,
    truth: torch.Tensor,
    reference: torch.Tensor,
    truth_record: TruthRecord | None = None,
    reference_variance: torch.Tensor | None = None,
) -> tuple[DiagnosticRecord, TruthRecord]:
    """physcheck's numbers for one predicted frame; the truth's (and the reference's variances)
    too unless already known."""
    truth_k = truth[None, None]
    if truth_record is None:
        truth_record = TruthRecord.compute(truth_k, MHD_LAYOUT, SETTINGS)
    reference_k = reference[None, None]
    if reference_variance is None:  # in a run, the reference rollout's record holds these
        reference_variance = d.channel_moments(reference[None])[1][:, None]
    builder = RecordBuilder(
        truth_k,
        MHD_LAYOUT,
        SETTINGS,
        truth_record=truth_record,
        reference=reference_k,
        reference_variance=reference_variance,
    )
    builder(1, pred[None])
    return builder.finish(torch.zeros(1, dtype=torch.long)), truth_record


@pytest.mark.parametrize("device", DEVICES)
def test_physcheck_frame_diagnostics(benchmark, frames, device: str) -> None:
    """One predicted frame, as in a run: the truth's numbers are computed once per session and
    shared by every model and variant (and a reference rollout's variances come with its
    record), so the prediction's own numbers and its comparisons are what is timed."""
    pred, truth, reference = (f.to(device) for f in frames)
    _, truth_record = physcheck_frame(pred, truth, reference)
    reference_variance = d.channel_moments(reference[None])[1][:, None]
    benchmark.group = "frame-diagnostics-64^3"

    def run() -> None:
        physcheck_frame(pred, truth, reference, truth_record, reference_variance)
        synchronize(device)

    benchmark(run)


@pytest.mark.parametrize("device", DEVICES)
def test_physcheck_frame_diagnostics_cold(benchmark, frames, device: str) -> None:
    """The same numbers from scratch, truth's included: the numpy baseline's exact workload."""
    pred, truth, reference = (f.to(device) for f in frames)
    benchmark.group = "frame-diagnostics-64^3"

    def run() -> None:
        physcheck_frame(pred, truth, reference)
        synchronize(device)

    benchmark(run)


def test_numpy_baseline_frame_diagnostics(benchmark, frames) -> None:
    pred, truth, reference = (f.numpy().astype(np.float64) for f in frames)
    benchmark.group = "frame-diagnostics-64^3"
    out = benchmark.pedantic(
        numpy_baseline.frame_diagnostics, args=(pred, truth, reference), rounds=3, iterations=1
    )
    assert out["spectrum_pred"].shape == (2, 33)


def test_baseline_computes_the_same_numbers(frames) -> None:
    """The baseline is a fair one: it computes exactly physcheck's numbers."""
    pred, truth, reference = (f.double() for f in frames)
    base = numpy_baseline.frame_diagnostics(pred.numpy(), truth.numpy(), reference.numpy())
    record, truth_record = physcheck_frame(pred, truth, reference)
    close = {"rtol": 1e-9, "atol": 1e-20}
    np.testing.assert_allclose(base["vrmse"], record.vrmse[0, 0].numpy(), **close)
    for name, rec in (("pred", record), ("truth", truth_record)):
        np.testing.assert_allclose(base[f"divb_central_{name}"], float(rec.divb[0, 0]), **close)
        np.testing.assert_allclose(base[f"variance_{name}"], rec.variance[0, 0].numpy(), **close)
        e = base[f"energies_{name}"]
        np.testing.assert_allclose(e["ratio"], float(rec.energy_ratio[0, 0]), **close)
        np.testing.assert_allclose(e["mean_abs_b"], float(rec.mean_abs_b[0, 0]), **close)
        np.testing.assert_allclose(e["mass"], float(rec.mass[0, 0]), **close)
        np.testing.assert_allclose(base[f"spectrum_{name}"], rec.spectra[0, 0].numpy(), **close)
    np.testing.assert_allclose(
        base["vs_reference_vrmse"], float(record.vs_reference_vrmse[0, 0]), **close
    )
    np.testing.assert_allclose(
        base["vs_reference_relative"], float(record.vs_reference_relative[0, 0]), **close
    )
    np.testing.assert_allclose(
        numpy_baseline.divb_ratio(
            numpy_baseline.divergence_spectral(pred[..., 1:4].numpy()), pred[..., 1:4].numpy()
        ),
        float(d.divb_ratio(pred[..., 1:4], method="spectral")),
        rtol=1e-8,
    )


def public_frame_numbers(frame: torch.Tensor) -> dict[str, object]:
    """``numpy_baseline.frame_numbers`` through the public single-purpose diagnostics, called
    the way a library user would (one call per number, views of the frame)."""
    first = MHD_LAYOUT.magnetic[0]
    return {
        "divb_central": d.divb_ratio(frame[..., first : first + 3], method="central"),
        "energies": d.energies(frame),
        "variance": d.channel_variance(frame),
        "spectrum": torch.stack(
            [
                d.perpendicular_spectrum(frame[..., c : c + 1])[1]
                for c in MHD_LAYOUT.perpendicular_magnetic
            ]
        ),
    }


def public_frame_diagnostics(
    pred: torch.Tensor, truth: torch.Tensor, reference: torch.Tensor
) -> dict[str, object]:
    """``numpy_baseline.frame_diagnostics`` (its exact workload) through the public functions."""
    out: dict[str, object] = {"vrmse": d.vrmse(pred, truth)}
    out.update({f"{k}_pred": v for k, v in public_frame_numbers(pred).items()})
    out.update({f"{k}_truth": v for k, v in public_frame_numbers(truth).items()})
    out["vs_reference_vrmse"] = d.vrmse(pred, reference).mean()
    out["vs_reference_relative"] = torch.linalg.vector_norm(
        pred - reference
    ) / torch.linalg.vector_norm(pred)
    return out


@pytest.mark.parametrize("device", DEVICES)
def test_public_frame_diagnostics(benchmark, frames, device: str) -> None:
    """The numpy baseline's exact workload (a prediction's VRMSE against the truth and a
    reference, its and the truth's divB, energies, variances and B_perp spectra) through the
    public single-purpose functions. The shared-intermediate memo is cleared before every round
    (outside the timing), so each round computes from scratch; within a round the calls share
    work, as a user's calls on one frame do. The numpy baseline's time is measured here too, for
    the ratio in ``extra_info`` (no assertion on speed)."""
    pred, truth, reference = (f.to(device) for f in frames)
    benchmark.group = "frame-diagnostics-64^3"

    def setup() -> tuple[tuple[()], dict[str, object]]:
        d.clear_cache()
        return (), {}

    def run() -> None:
        public_frame_diagnostics(pred, truth, reference)
        synchronize(device)

    benchmark.pedantic(run, setup=setup, rounds=60, warmup_rounds=3)
    d.clear_cache()
    arrays = [f.numpy().astype(np.float64) for f in frames]
    baseline = []
    for _ in range(3):
        start = time.perf_counter()
        numpy_baseline.frame_diagnostics(*arrays)
        baseline.append(time.perf_counter() - start)
    if benchmark.stats:
        median = benchmark.stats.stats.median
        benchmark.extra_info["ms_per_frame"] = median * 1e3
        benchmark.extra_info["numpy_baseline_ms"] = float(np.median(baseline)) * 1e3
        benchmark.extra_info["speedup_vs_numpy"] = float(np.median(baseline)) / median
    benchmark.extra_info["torch_threads"] = torch.get_num_threads()


def test_public_functions_compute_the_baseline_numbers(frames) -> None:
    """The public path of ``test_public_frame_diagnostics`` computes the baseline's numbers."""
    pred, truth, reference = (f.double() for f in frames)
    d.clear_cache()
    base = numpy_baseline.frame_diagnostics(pred.numpy(), truth.numpy(), reference.numpy())
    ours = public_frame_diagnostics(pred, truth, reference)
    assert set(ours) == set(base)
    close = {"rtol": 1e-9, "atol": 1e-20}
    for name, want in base.items():
        got = ours[name]
        if isinstance(want, dict):
            assert isinstance(got, d.Energies)
            for field, value in want.items():
                np.testing.assert_allclose(value, float(getattr(got, field)), **close)
        else:
            assert isinstance(got, torch.Tensor)
            np.testing.assert_allclose(want, got.numpy(), **close, err_msg=name)
    # again with the memo warm (every intermediate shared): the same numbers
    again = public_frame_diagnostics(pred, truth, reference)
    for name, value in ours.items():
        torch.testing.assert_close(again[name], value, rtol=0, atol=0, msg=name)


def test_the_well_power_spectrum(benchmark, frames) -> None:
    """the_well's isotropic power_spectrum of the two perpendicular B components (a peer's spectrum)."""
    from the_well.benchmark.metrics.spectral import power_spectrum

    from physcheck.models.walrus import well_metadata

    pred = frames[0]
    meta = well_metadata(["density", "b_y", "b_z"], (64, 64, 64))
    field = pred[..., 2:4]
    benchmark.group = "frame-diagnostics-64^3"
    benchmark(power_spectrum, field, meta)


def test_physcheck_perpendicular_spectrum_only(benchmark, frames) -> None:
    """The public spectrum alone, cold (the memo of shared intermediates cleared every round)."""
    pred = frames[0]
    benchmark.group = "frame-diagnostics-64^3"

    def setup() -> tuple[tuple[torch.Tensor], dict[str, object]]:
        d.clear_cache()
        return (pred[..., 2:4],), {}

    benchmark.pedantic(d.perpendicular_spectrum, setup=setup, rounds=100, warmup_rounds=2)


STREAM_STEPS = 16


@pytest.mark.parametrize("device", DEVICES)
def test_streamed_frame_diagnostics(benchmark, frames, device: str) -> None:
    """A stream of 16 predicted 64^3 frames through one builder, finish included (the truth's
    numbers cached, a reference compared): per frame, divide by 16. On CUDA the builder
    batches steps, which is where a GPU's per-frame cost shows."""
    pred, truth, reference = (f.to(device) for f in frames)
    truth_k = truth[None, None].expand(1, STREAM_STEPS, *truth.shape)
    reference_k = reference[None, None].expand(1, STREAM_STEPS, *reference.shape)
    settings = DiagnosticSettings(spectrum_steps=(1, 5, 10))
    truth_record = TruthRecord.compute(truth_k, MHD_LAYOUT, settings)
    reference_variance = d.channel_moments(reference[None])[1][:, None].expand(1, STREAM_STEPS, -1)
    benchmark.group = "frame-diagnostics-64^3-stream"

    def run() -> None:
        builder = RecordBuilder(
            truth_k,
            MHD_LAYOUT,
            settings,
            truth_record=truth_record,
            reference=reference_k,
            reference_variance=reference_variance,
        )
        for step in range(1, STREAM_STEPS + 1):
            builder(step, pred[None])
        builder.finish(torch.full((1,), STREAM_STEPS + 1, dtype=torch.long))
        synchronize(device)

    benchmark(run)
    benchmark.extra_info["ms_per_frame"] = (
        benchmark.stats.stats.median * 1e3 / STREAM_STEPS if benchmark.stats else None
    )
