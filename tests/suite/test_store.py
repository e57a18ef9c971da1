"""``RecordStore``: a record is computed once per store and, with the disk cache, once across
stores; what it cannot use of the cache only makes it slower; it hands the base record's
frames to whatever computes the other variants."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from physcheck.cache import CacheWarning
from physcheck.records import DiagnosticRecord
from physcheck.suite.inputs import Inputs
from physcheck.suite.plan import RolloutPlan
from physcheck.suite.runner import Runner
from physcheck.suite.store import RecordStore
from physcheck.suite.variant import BASE, FLOAT64, Variant, perturbed
from tests.suite.small_inputs import inputs_of


class Computer:
    """Computes with a runner and writes down what it was asked (and what base frames it got)."""

    def __init__(self, inputs: Inputs) -> None:
        self.runner = Runner(inputs)
        self.plan = RolloutPlan(inputs)
        self.asked: list[list[str]] = []
        self.base_frames: list[torch.Tensor | None] = []

    def __call__(
        self, name: str, variants: list[Variant], base_frames: Callable[[], torch.Tensor | None]
    ) -> dict[Variant, DiagnosticRecord]:
        self.asked.append([str(v) for v in variants])
        out = {}
        for v in variants:
            frames = base_frames if not v.is_base else (lambda: None)

            def remember(frames: Callable[[], torch.Tensor | None] = frames) -> torch.Tensor | None:
                got = frames()
                self.base_frames.append(got)
                return got

            out[v] = self.runner.compute(
                name, v, base_frames=remember, keep_base_frames=self.plan.keeps_frames(name)
            )
        return out


def store_of(inputs: Inputs, computer: Computer, *, together: bool = False) -> RecordStore:
    plan = RolloutPlan(inputs)

    def group(name: str, variant: Variant) -> list[Variant]:
        if not together:
            return [variant]
        return plan.batch_group(name, variant, computed=lambda v: store.has(name, v))

    store = RecordStore(inputs, plan, group=group, compute=computer)
    return store


def test_a_record_is_computed_once_and_then_kept(tmp_path: Path) -> None:
    inputs = inputs_of(tmp_path)
    computer = Computer(inputs)
    store = store_of(inputs, computer)
    first = store.record("p", BASE)
    assert store.record("p", BASE) is first and store.has("p", BASE)
    assert computer.asked == [["base"]] and store.cache is None


def test_the_disk_cache_misses_once_then_hits_in_a_new_store(tmp_path: Path) -> None:
    inputs = inputs_of(tmp_path, cache=True)
    computer = Computer(inputs)
    miss = store_of(inputs, computer).record("p", FLOAT64)
    # the twin compared with the base, which was computed (and cached) first
    assert computer.asked == [["float64"], ["base"]]
    again = Computer(inputs)
    hit_store = store_of(inputs, again)
    hit = hit_store.record("p", FLOAT64)
    assert again.asked == [] and hit_store.cache_hits[("p", "float64")] == 1
    assert torch.equal(hit.vrmse, miss.vrmse)
    other = inputs_of(tmp_path, cache=True, seed="5")  # another seed: another key
    assert store_of(other, Computer(other)).key("p", BASE, 1) != hit_store.key("p", BASE, 1)


def test_a_cache_that_cannot_be_written_is_dropped_after_one_warning(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    inputs = inputs_of(tmp_path, cache=True)
    computer = Computer(inputs)
    store = store_of(inputs, computer)
    with pytest.warns(CacheWarning, match="cannot be used"):
        store.record("p", BASE)
    assert store.cache is None and computer.asked == [["base"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.record("p", perturbed(0))


def test_the_perturbed_rollouts_get_the_base_records_frames(tmp_path: Path) -> None:
    inputs = inputs_of(tmp_path)
    computer = Computer(inputs)
    store = store_of(inputs, computer, together=True)
    store.record("p", perturbed(1))
    # batching off on the CPU: the asked variant alone, after the base it compares with
    assert computer.asked == [["noise1"], ["base"]]
    base = store.record("p", BASE)
    assert base.frames is not None
    assert [f is base.frames for f in computer.base_frames] == [True]
