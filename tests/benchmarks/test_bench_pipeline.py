"""physcheck's per-frame diagnostics against a research-script numpy baseline (per frame, per-bin
masks) and the_well's power_spectrum, on one 64^3 x 7 frame, side by side in one run."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physcheck.checks.record import RecordBuilder
from physcheck.checks.result import DiagnosticSettings
from physcheck.fields import MHD_LAYOUT
from physcheck.strategies import mhd_state
from tests.benchmarks import numpy_baseline
from tests.benchmarks.conftest import synchronize

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(scope="module")
def frames() -> tuple[torch.Tensor, torch.Tensor]:
    truth = mhd_state(64, seed=0, dtype=torch.float32)
    pred = (truth * 1.01 + 0.01 * mhd_state(64, seed=1, dtype=torch.float32)).contiguous()
    return pred, truth


@pytest.mark.parametrize("device", DEVICES)
def test_physcheck_frame_diagnostics(benchmark, frames, device: str) -> None:
    """Everything the checks need from one predicted frame: VRMSE, div B, variances, energies,
    the perpendicular spectrum (pred and truth diagnostics precomputed once, as in a run)."""
    pred, truth = (f.to(device) for f in frames)
    builder = RecordBuilder(
        truth[None, None],
        MHD_LAYOUT,
        DiagnosticSettings(spectrum_steps=(1,)),
        reference=truth[None, None],
    )
    benchmark.group = "frame-diagnostics-64^3"

    def run() -> None:
        builder.rows = {k: [] for k in builder.rows}
        builder(1, pred[None])
        synchronize(device)

    benchmark(run)


def test_numpy_baseline_frame_diagnostics(benchmark, frames) -> None:
    pred, truth = (f.numpy().astype(np.float64) for f in frames)
    benchmark.group = "frame-diagnostics-64^3"
    out = benchmark.pedantic(
        numpy_baseline.frame_diagnostics, args=(pred, truth), rounds=3, iterations=1
    )
    assert out["spectrum_pred"].shape == (33,)


def test_baseline_computes_the_same_numbers(frames) -> None:
    """The baseline is a fair one: it gives physcheck's numbers."""
    import physcheck.diagnostics as d

    pred, truth = frames
    base = numpy_baseline.frame_diagnostics(pred.double().numpy(), truth.double().numpy())
    np.testing.assert_allclose(
        base["vrmse"], d.vrmse(pred.double(), truth.double()).numpy(), rtol=1e-10
    )
    np.testing.assert_allclose(
        base["divb_central_pred"],
        float(d.divb_ratio(pred.double()[..., 1:4], method="central")),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        base["divb_spectral_pred"], float(d.divb_ratio(pred.double()[..., 1:4])), rtol=1e-8
    )
    np.testing.assert_allclose(
        base["spectrum_pred"],
        d.perpendicular_spectrum(pred.double()[..., 2:4])[1].numpy(),
        rtol=1e-8,
        atol=1e-20,
    )


def test_the_well_power_spectrum(benchmark, frames) -> None:
    """the_well's isotropic power_spectrum of the two perpendicular B components (a peer's spectrum)."""
    from the_well.benchmark.metrics.spectral import power_spectrum

    from physcheck.models.walrus import well_metadata

    pred, _ = frames
    meta = well_metadata(["density", "b_y", "b_z"], (64, 64, 64))
    field = pred[..., 2:4]
    benchmark.group = "frame-diagnostics-64^3"
    benchmark(power_spectrum, field, meta)


def test_physcheck_perpendicular_spectrum_only(benchmark, frames) -> None:
    import physcheck.diagnostics as d

    pred, _ = frames
    benchmark.group = "frame-diagnostics-64^3"
    benchmark(d.perpendicular_spectrum, pred[..., 2:4])
