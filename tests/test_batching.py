"""Batched variants, mixed precision and memory: the base and perturbed rollouts as one batch
give the one-at-a-time numbers and verdicts; ``bfloat16`` runs with autocast and is judged
against the reference precision; an out-of-memory step is retried in smaller chunks."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.engine import rollout
from physcheck.errors import ConfigError
from physcheck.jsonio import to_json_data
from physcheck.outputs.payloads import key_numbers
from physcheck.strategies import mhd_state
from physcheck.suite import Suite


def run(models: list[str], batch: bool = True, **cli: Any) -> Suite:
    return Suite(build_settings({"cache": False, "batch": batch}, {"models": models, **cli}))


def comparable(suite: Suite, name: str) -> str:
    results = [dataclasses.asdict(r) for r in suite.results(name)]
    numbers = dict(key_numbers(suite, name))
    numbers.pop("_meta", None)
    return json.dumps(to_json_data({"results": results, "numbers": numbers}), sort_keys=True)


MODELS = [
    "demo=demo",
    "noisy=tests.zoo:noise_sensitive_basin",
    "chaotic=tests.zoo:chaotic_blowup",
    "nan=tests.zoo:nan_at_frame",
]


@pytest.fixture(scope="module")
def serial_and_batched() -> tuple[Suite, Suite]:
    options = {
        "trajectories": "0-1",
        "perturbations": "3",
        "window": "3:3:16",
        "checks": "basin_determinism,precision,vrmse,finite,channel_variance",
    }
    return run(MODELS, batch=False, **options), run(MODELS, **options)


@pytest.mark.parametrize("model", [m.split("=")[0] for m in MODELS])
def test_batched_and_serial_runs_give_equal_numbers_and_verdicts(
    serial_and_batched: tuple[Suite, Suite], model: str
) -> None:
    serial, batched = serial_and_batched
    assert comparable(batched, model) == comparable(serial, model)
    # the same rollouts, counted per variant; in the batched run base and perturbed ones
    # went through the model together
    assert batched.rollout_counts == serial.rollout_counts
    assert (model, ("base", "noise0", "noise1", "noise2")) in batched.batches
    assert serial.batches == []


def test_the_oracle_batched_equals_the_oracle_one_at_a_time() -> None:
    """The solver integrates each row with its own trajectory's forcing, in any batch."""
    options = {"trajectories": "0", "perturbations": "2", "window": "3:1:6", "checks": "basin_determinism,vrmse"}
    serial, batched = run(["r=reference"], batch=False, **options), run(["r=reference"], **options)
    assert comparable(batched, "r") == comparable(serial, "r")
    assert batched.batches == [("r", ("base", "noise0", "noise1"))]


def test_equivariance_batched_equals_one_at_a_time() -> None:
    """The input and its ten transforms (eight judged, two reported) as one batch, the rotated
    inputs' full rollouts as another: the same gaps and orbit as eleven plus three separate
    rollouts."""
    options = {"trajectories": "0-1", "checks": "equivariance", "window": "3:3:12"}
    serial, batched = run(["demo=demo"], batch=False, **options), run(["demo=demo"], **options)
    assert comparable(batched, "demo") == comparable(serial, "demo")
    record = batched.equivariance("demo")
    assert record.orbit and record.gap.shape[:2] == (10, 2)


def test_the_batch_holds_base_and_perturbed_rows() -> None:
    suite = run(["p=persistence"], trajectories="0-1", perturbations="2", window="3:1:6")
    assert suite.batch_group("p", "base") == ["base", "noise0", "noise1"]
    assert suite.batch_group("p", "float64") == ["float64"]
    suite.record("p", "base")
    assert suite.batch_group("p", "noise1") == ["noise1"]  # computed with the base
    serial = run(["p=persistence"], trajectories="0-1", perturbations="2", window="3:1:6", batch=False)
    assert serial.batch_group("p", "base") == ["base"]


def test_batching_follows_the_device_unless_set() -> None:
    auto = Suite(build_settings({}, {"models": ["p=persistence"], "device": "cpu"}))
    assert auto.settings.batch_variants is None and auto.batching is False
    on = build_settings({}, {"models": ["p=persistence"], "batch": "on", "device": "cpu"})
    assert Suite(on).batching is True
    with pytest.raises(ConfigError, match=r"use on, off or auto"):
        build_settings({}, {"batch": "sometimes"})


class Spy(torch.nn.Module):
    """Records the precision it runs in: its weights' dtype, autocast's state and dtype."""

    n_history = 1

    def __init__(self) -> None:
        super().__init__()
        self.mix = torch.nn.Linear(7, 7)
        with torch.no_grad():
            self.mix.weight.copy_(torch.eye(7))
            self.mix.bias.zero_()
        self.seen: list[tuple[torch.dtype, bool, torch.dtype]] = []

    def step(self, history: torch.Tensor) -> torch.Tensor:
        out = self.mix(history[:, -1])
        self.seen.append((self.mix.weight.dtype, torch.is_autocast_enabled("cpu"), out.dtype))
        return out


def test_bfloat16_runs_with_autocast() -> None:
    spy = Spy()
    history = mhd_state(8, seed=0)[None, None].float()
    result = rollout(spy, history, 3, dtype=torch.bfloat16)
    assert result.frames is not None and result.frames.dtype == torch.float32
    assert spy.seen == [(torch.float32, True, torch.bfloat16)] * 3
    assert spy.mix.weight.dtype == torch.float32
    # an identity in bfloat16 keeps 8 bits of mantissa
    err = (result.frames[:, 0] - history[:, 0]).abs().max() / history.abs().max()
    assert 1e-5 < float(err) < 1e-2


def test_bfloat16_base_is_judged_against_the_reference_precision() -> None:
    options = {"trajectories": "0", "perturbations": "0", "checks": "precision", "window": "3:3:10"}
    high = run(["demo=demo"], dtype="bfloat16", **options).results("demo")
    assert all("bfloat16" in r.message and "float64" in r.message for r in high), high
    low = run(["demo=demo"], dtype="bfloat16", reference_dtype="float32", **options)
    (result,) = low.results("demo")
    assert "in bfloat16" in result.message and "in float32" in result.message
    same = run(["demo=demo"], dtype="float32", reference_dtype="float32", **options)
    (skipped,) = same.results("demo")
    assert skipped.skipped == "the base rollout already runs in float32"


class RunsOutOfMemory:
    """Raises torch's out-of-memory error on batches of more than ``limit`` rows."""

    n_history = 1

    def __init__(self, limit: int) -> None:
        self.limit, self.batches = limit, []

    def step(self, history: torch.Tensor) -> torch.Tensor:
        if history.shape[0] > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        self.batches.append(history.shape[0])
        return history[:, -1] * 0.5


def test_an_out_of_memory_step_is_retried_in_smaller_chunks() -> None:
    history = torch.stack([mhd_state(8, seed=s)[None] for s in range(5)]).float()
    model = RunsOutOfMemory(limit=2)
    result = rollout(model, history, 2)
    assert result.frames is not None
    torch.testing.assert_close(result.frames[:, 1], history[:, 0] * 0.25)
    assert max(model.batches) <= 2
    with pytest.raises(torch.OutOfMemoryError):
        rollout(RunsOutOfMemory(limit=0), history, 1)


def test_the_basin_map_batched_equals_one_at_a_time() -> None:
    """The basin map's extra windows roll the base and perturbed rollouts out as one batch
    too: the same rows as one rollout at a time."""
    options = {
        "trajectories": "0-1",
        "perturbations": "2",
        "window": "20:3:8",
        "checks": "finite",
        "starts": "22,24",
    }
    models = ["demo=demo", "nan=tests.zoo:nan_at_frame", "exact=tests.zoo:exact"]
    serial, batched = run(models, batch=False, **options), run(models, **options)
    demo, sizes = batched.model("demo"), []
    step = demo.step
    demo.step = lambda history: sizes.append(history.shape[0]) or step(history)  # type: ignore[method-assign]
    for name in ("demo", "nan", "exact"):
        rows = batched.basin_map(name)
        assert json.dumps(to_json_data(rows)) == json.dumps(to_json_data(serial.basin_map(name)))
        assert [r["start"] for r in rows] == [22, 22, 24, 24]
    assert set(sizes) == {3 * 2}  # base + 2 perturbed rollouts x 2 trajectories, per step
    # the extra windows' rollouts are not the run's: they are not counted as its batches
    assert all(group == ("base",) for _, group in batched.batches)
