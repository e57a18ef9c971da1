"""``Runner``: rolls out without a store or a suite (it is handed the base frames), gives the
records the suite gives, and counts what it computed."""

from __future__ import annotations

import ast
from pathlib import Path

import torch

import physcheck.suite
from physcheck.config import build_settings
from physcheck.suite import Suite
from physcheck.suite.runner import Runner
from physcheck.suite.variant import BASE, FLOAT64, perturbed
from tests.suite.small_inputs import OPTIONS, inputs_of

SUITE = Path(physcheck.suite.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_runner_and_the_store_do_not_import_each_other() -> None:
    assert not {m for m in imported_modules(SUITE / "runner.py") if "store" in m}
    assert not {m for m in imported_modules(SUITE / "store.py") if "runner" in m}


def test_records_rolled_out_alone_equal_the_suites(tmp_path: Path) -> None:
    runner = Runner(inputs_of(tmp_path))
    base = runner.compute("p", BASE, base_frames=lambda: None, keep_base_frames=True)
    assert base.frames is not None
    noise = runner.compute("p", perturbed(1), base_frames=lambda: base.frames, keep_base_frames=True)
    twin = runner.compute("p", FLOAT64, base_frames=lambda: base.frames, keep_base_frames=True)
    suite = Suite(build_settings({"cache": False}, OPTIONS))
    for mine, variant in ((base, "base"), (noise, "noise1"), (twin, "float64")):
        theirs = suite.record("p", variant)
        assert torch.equal(mine.vrmse, theirs.vrmse), variant
        if variant != "base":
            assert mine.vs_reference_vrmse is not None and theirs.vs_reference_vrmse is not None
            assert torch.equal(mine.vs_reference_vrmse, theirs.vs_reference_vrmse), variant
    assert runner.rollout_counts == {("p", "base"): 1, ("p", "noise1"): 1, ("p", "float64"): 1}


def test_a_batch_counts_each_block_and_names_its_variants(tmp_path: Path) -> None:
    lines: list[str] = []
    runner = Runner(inputs_of(tmp_path), progress=lines.append)
    records = runner.compute_batch("p", [BASE, perturbed(0), perturbed(1)], keep_base_frames=True)
    assert list(records) == [BASE, perturbed(0), perturbed(1)]
    assert runner.batches == [("p", ("base", "noise0", "noise1"))]
    assert runner.rollout_counts == {("p", "base"): 1, ("p", "noise0"): 1, ("p", "noise1"): 1}
    assert any("base + noise0 + noise1 batched: 3 rows x 4 steps" in line for line in lines)
    alone = runner.compute("p", perturbed(1), base_frames=lambda: records[BASE].frames, keep_base_frames=True)
    assert torch.equal(alone.vrmse, records[perturbed(1)].vrmse)


def test_with_early_stop_a_perturbed_rollout_follows_the_base_frames(tmp_path: Path) -> None:
    runner = Runner(inputs_of(tmp_path))
    frames = torch.arange(2 * 3, dtype=torch.float32).reshape(1, 3, 2)
    follow = runner.follow(frames, blocks=2)
    assert follow is not None and torch.equal(follow(2), frames[:, 1].repeat(2, 1))
    assert Runner(inputs_of(tmp_path, early_stop="off")).follow(frames) is None
