"""One rollout step per model at 16^3 (the device synchronised inside the timed region), and the
same step with physcheck's per-step diagnostics: the difference is physcheck's overhead."""

from __future__ import annotations

import pytest
import torch

from physcheck.config import DiagnosticSettings
from physcheck.data import EARLY, open_dataset
from physcheck.datasets import default_dataset
from physcheck.engine import StepContext, accepts_context
from physcheck.fields import MHD_LAYOUT
from physcheck.models import load
from physcheck.models.walrus import WalrusSurrogate
from physcheck.records import RecordBuilder, TruthRecord
from tests.benchmarks.conftest import synchronize
from tests.benchmarks.test_bench_suite import tiny_walrus
from tests.models.walrus_standin import IsotropicModelStandIn

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


@pytest.fixture(scope="module")
def window() -> tuple[torch.Tensor, torch.Tensor, object]:
    data = open_dataset(default_dataset())
    h, t = data.read_window(0, EARLY, 3)
    return h[None].to(DEVICE), t[None].to(DEVICE), data


def make(name: str, data: object) -> object:
    if name == "walrus-standin":
        return WalrusSurrogate(IsotropicModelStandIn(), n_history=3).to(DEVICE)
    if name == "walrus-tiny":
        return tiny_walrus().to(DEVICE)
    return load(name, data=data, device=DEVICE)


@pytest.mark.parametrize("name", ["demo", "reference", "walrus-standin", "walrus-tiny"])
def test_model_step(benchmark, window, name: str) -> None:
    history, _, data = window
    model = make(name, data)
    benchmark.group = f"rollout-step-16^3-{DEVICE}"

    # the oracle is told which frame it predicts and of which trajectory (forced data)
    extra = {"context": StepContext(EARLY.first, (0,))} if accepts_context(model) else {}

    def step() -> torch.Tensor:
        with torch.inference_mode():
            out = model.step(history[:, -model.n_history :], **extra)
        synchronize(DEVICE)
        return out

    assert benchmark(step).shape == history.shape[:1] + history.shape[2:]


@pytest.mark.parametrize("name", ["demo", "walrus-standin", "walrus-tiny"])
def test_model_step_with_diagnostics(benchmark, window, name: str) -> None:
    """The same step plus physcheck's streamed diagnostics of that frame (all checks' numbers)."""
    history, truth, data = window
    model = make(name, data)
    settings = DiagnosticSettings()
    truth_record = TruthRecord.compute(truth, MHD_LAYOUT, settings)  # once per session in a run
    builder = RecordBuilder(truth, MHD_LAYOUT, settings, truth_record=truth_record, reference=truth)
    benchmark.group = f"rollout-step-16^3-{DEVICE}"

    def step() -> None:
        with torch.inference_mode():
            frame = model.step(history[:, -model.n_history :])
            builder(2, frame)  # a typical step (not one of the few spectrum steps)
        synchronize(DEVICE)

    benchmark(step)
    assert builder.n_done > 0


def test_diagnostics_of_one_step(benchmark, window) -> None:
    """physcheck's per-step work alone on a 16^3 frame (the numerator of its overhead share)."""
    history, truth, _ = window
    settings = DiagnosticSettings()
    truth_record = TruthRecord.compute(truth, MHD_LAYOUT, settings)
    builder = RecordBuilder(truth, MHD_LAYOUT, settings, truth_record=truth_record)
    frame = history[:, -1].contiguous()
    benchmark.group = f"rollout-step-16^3-{DEVICE}"

    def step() -> None:
        builder(2, frame)
        synchronize(DEVICE)

    benchmark(step)
    assert builder.n_done > 0
