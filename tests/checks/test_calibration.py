"""Calibrated verdicts: medians over trajectories, floors for 0/0 and x/0, the absolute div B
rule, non-finite basins, fixed snapshot keys, and NaN in the truth as a data error."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import h5py
import pytest
import torch

from physcheck.checks.run import run_check
from physcheck.config import Thresholds, build_settings
from physcheck.datasets import dataset_dir
from physcheck.errors import DataError
from physcheck.outputs.payloads import snapshot_payload
from physcheck.suite import Suite
from tests.checks import paper_records as paper


def flat(n_traj: int = 3, n_steps: int = 30) -> paper.Replay:
    """A truth-like rollout (no blow-up) on ``n_traj`` trajectories."""
    truth = paper.make_truth(n_traj, n_steps, [1, 5, 10, n_steps], density=torch.full((n_traj,), 0.86))
    base = paper.make_rollout(
        truth,
        truth.variance[:, -1].clone(),
        step1_vrmse=0.1,
        vrmse_at_k=torch.full((n_traj,), 1.2),
        divb_at_k=torch.full((n_traj,), paper.TRUTH_DIVB),
        mean_abs_b_at_k=torch.full((n_traj,), paper.TRUTH_MEAN_ABS_B),
    )
    return paper.Replay(truth, base)


def test_vrmse_bounds_apply_to_the_median_over_trajectories() -> None:
    replay = flat()
    replay.base.vrmse[1, 0] = 5.0  # one trajectory starts badly; the median does not
    ctx = replay.context()
    (r,) = run_check(ctx, "vrmse")
    assert ctx.measures.window_vrmse is not None
    assert r.passed and r.trajectory is None
    assert r.value == pytest.approx(float(ctx.measures.window_vrmse.median()))
    replay.base.vrmse[2, 0] = 5.0  # two of three: the median does
    (r,) = run_check(replay.context(), "vrmse")
    assert not r.passed and r.step == 1 and "the first step is already wrong" in r.message


def test_a_ratio_within_bound_with_a_tenfold_field_fails_on_absolute_div_b() -> None:
    replay = flat(1)
    replay.base.divb[:] = 2 * paper.TRUTH_DIVB  # 2x in ratio, under the factor 3
    replay.base.mean_abs_b[:] = 10 * paper.TRUTH_MEAN_ABS_B  # |B| 10x: div B 20x in absolute
    (r,) = run_check(replay.context(), "solenoidality")
    assert not r.passed and r.value == pytest.approx(20)
    replay.base.mean_abs_b[:] = paper.TRUTH_MEAN_ABS_B
    (r,) = run_check(replay.context(), "solenoidality")
    assert r.passed


def test_a_large_field_more_solenoidal_than_the_truth_is_not_blamed() -> None:
    replay = flat(1)
    replay.base.divb[:] = 0.01 * paper.TRUTH_DIVB
    replay.base.mean_abs_b[:] = 1e4  # a blow-up: the variance checks judge its size
    (r,) = run_check(replay.context(), "solenoidality")
    assert r.passed


def test_zero_over_zero_and_x_over_zero_amplifications_are_floored_and_named() -> None:
    replay = flat(1)
    replay.truth.variance[..., 1] = 0.0  # the truth's B_x is constant
    replay.base.variance[..., 1] = 0.0  # and so is the prediction's: 0/0 is agreement
    results = {r.channel: r for r in run_check(replay.context(), "channel_variance")}
    assert results["Bx"].passed and results["Bx"].value == 1.0
    replay.base.variance[..., 1] = 0.05  # x/0: a large, finite, named amplification
    results = {r.channel: r for r in run_check(replay.context(), "channel_variance")}
    bx = results["Bx"]
    assert not bx.passed and math.isfinite(float(bx.value))  # type: ignore[arg-type]
    assert "the truth's Bx is constant there" in bx.message
    assert "infinitely" not in bx.message


def test_a_non_finite_rollout_has_its_own_basin_and_fails_determinism() -> None:
    replay = flat(1)
    nan = replay.base.variance.clone()
    nan[:, -5:] = math.nan
    replay.base.variance = nan
    replay.perturbed = [replay.base, replay.base]  # the same NaN rollout, twice
    ctx = replay.context()
    assert ctx.measures.final_basins == ["non-finite"]
    (r,) = run_check(ctx, "basin_determinism")
    assert not r.passed and "cannot be told" in r.message


def test_nan_noise_and_bad_thresholds_are_refused_up_front() -> None:
    with pytest.raises(ValueError, match="noise"):
        build_settings({}, {"noise": "nan"})
    with pytest.raises(ValueError, match="variance_low"):
        Thresholds().with_overrides({"variance_low": 20})
    with pytest.raises(ValueError, match="finite"):
        Thresholds().with_overrides({"basin_tau": "inf"})


def test_snapshot_keys_do_not_depend_on_thresholds() -> None:
    keys = []
    for first, last in ((21, 60), (5, 12)):
        settings = build_settings(
            {"cache": False, "thresholds": {"vrmse_window_first": first, "vrmse_window_last": last}},
            {"models": ["exact=tests.zoo:exact"], "checks": "finite", "window": "3:1:20"},
        )
        suite = Suite(settings)
        payload = snapshot_payload(suite, "exact", 0)
        keys.append(sorted(payload["vrmse"]) + sorted(k for k in payload if k != "_meta"))
    assert keys[0] == keys[1]


def test_nan_in_the_truth_is_a_data_error_naming_file_and_frame(tmp_path: Path) -> None:
    source = dataset_dir() / "data" / "test"
    split = tmp_path / "data" / "test"
    split.mkdir(parents=True)
    for f in source.glob("*.hdf5"):
        shutil.copy(f, split / f.name)
    target = next(split.glob("*.hdf5"))
    with h5py.File(target, "r+") as f:
        f["t1_fields"]["velocity"][1, 10, 2, 3, 4, 1] = float("nan")
    settings = build_settings(
        {"cache": False, "data": str(tmp_path)},
        {"models": ["exact=tests.zoo:exact"], "checks": "finite"},
    )
    with pytest.raises(DataError, match=rf"{target.name}.*trajectory 1.*frame 10: NaN or Inf in vy"):
        Suite(settings).results("exact")
