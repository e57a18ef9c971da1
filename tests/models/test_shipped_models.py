"""The reference oracle reproduces the shipped truth; the demo surrogate loads and predicts step 1 well."""

from __future__ import annotations

import pytest
import torch

from physcheck.data import EARLY, open_dataset
from physcheck.datasets import default_dataset
from physcheck.diagnostics import vrmse
from physcheck.engine import rollout
from physcheck.models import ModelSpecError, load


@pytest.fixture(scope="module")
def data():
    return open_dataset(default_dataset())


def test_oracle_rollout_matches_the_test_truth(data) -> None:
    """Measured: channel-mean VRMSE ~1e-7 per step (float32 storage of the frames), growing
    slowly; asserted with margin at 1e-5 over the first 8 steps of both trajectories."""
    oracle = load("reference", data=data)
    history, truth = zip(
        *(data.read_window(i, EARLY, oracle.n_history) for i in range(data.n_trajectories)),
        strict=True,
    )
    frames = rollout(oracle, torch.stack(history), 8).frames
    per_step = vrmse(frames, torch.stack(truth)[:, :8]).mean(dim=-1)
    assert per_step.max().item() < 1e-5


def test_demo_surrogate_predicts_step_one_well_and_drifts(data) -> None:
    demo = load("demo", data=data)
    assert demo.n_history == 3
    history, truth = data.read_window(0, EARLY, demo.n_history)
    frames = rollout(demo, history[None], 50).frames
    per_step = vrmse(frames[0], truth).mean(dim=-1)
    assert per_step[0].item() < 0.1  # measured 0.028
    assert per_step[-1].item() > 5 * per_step[0].item()  # it drifts, like real surrogates


def test_reference_needs_physcheck_made_data(tmp_path) -> None:
    with pytest.raises(ModelSpecError, match="needs the dataset"):
        load("reference")


def test_spec_errors_are_one_clear_line() -> None:
    for spec, message in [
        ("", "empty model spec"),
        ("walrus:only.yaml", "use walrus:CONFIG.yaml:CHECKPOINT.pt"),
        ("nosuchthing", "unknown model spec"),
        ("math:pi", "is not a physcheck surrogate"),
        ("no_such_module_abc:x", "cannot import"),
        ("physcheck:nothing_here", "has no attribute"),
    ]:
        with pytest.raises(ModelSpecError, match=message) as info:
            load(spec)
        assert "\n" not in str(info.value)


def test_package_module_attr_specs_build_surrogates(data) -> None:
    exact = load("tests.zoo:exact", data=data)
    assert exact.n_history == 1
    assert load("tests.zoo:Replay", data=data).n_history == 1
