"""A gate is never green by accident: a run whose every selected check skipped fails unless
skips are accepted, and a setting that makes a check vacuous is a usage error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tests.zoo  # noqa: F401
from physcheck.datasets import dataset_dir
from tests.reliability.test_catalogue import assert_usage_error, run


def test_a_gate_whose_every_check_skipped_fails(pytester: pytest.Pytester) -> None:
    args = ["--physcheck-model", "exact=tests.zoo:exact", "--physcheck-checks", "basin_determinism"]
    result = run(pytester, *args)  # no perturbed rollouts: the check skips
    result.assert_outcomes(skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*every selected check skipped (1 items): the gate judged nothing*"]
    )
    accepted = run(pytester, *args, "--physcheck-allow-skips")
    accepted.assert_outcomes(skipped=1)
    assert accepted.ret == pytest.ExitCode.OK
    assert "judged nothing" not in accepted.stdout.str()


def test_a_gate_with_one_judged_check_keeps_its_status(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-checks",
        "basin_determinism,finite",
    )
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == pytest.ExitCode.OK


def test_zero_noise_with_basin_determinism_stops_the_session(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-perturbations",
        "2",
        "--physcheck-noise",
        "0",
    )
    assert_usage_error(result, "noise 0 makes basin_determinism vacuous")


BROKEN_PROPERTY = """
class Broken:
    @property
    def n_history(self):
        raise RuntimeError("weights not found on this node")
"""


def test_a_model_that_exits_the_process_fails_its_items_with_one_line(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        "--physcheck-model",
        "bye=tests.zoo.faults:calls_sys_exit",
        "--physcheck-checks",
        "finite",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*physcheck: model 'bye' failed: SystemExit: 0 (at *zoo/faults.py:*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_an_unexpected_fault_while_preparing_is_one_line_and_debug_shows_it(
    pytester: pytest.Pytester,
) -> None:
    from tests.reliability.test_catalogue import model_module

    module = model_module(pytester, "broken_model", BROKEN_PROPERTY)
    args = ["--physcheck-model", f"broken={module}:Broken", "--physcheck-checks", "finite"]
    assert_usage_error(
        run(pytester, *args), "RuntimeError", "weights not found on this node", "--physcheck-debug"
    )
    debug = run(pytester, *args, "--physcheck-debug")
    assert debug.ret not in (pytest.ExitCode.OK, pytest.ExitCode.USAGE_ERROR)
    assert "Traceback" in debug.stdout.str() + debug.stderr.str() or "raise RuntimeError" in (
        debug.stdout.str() + debug.stderr.str()
    )


def test_a_cache_that_cannot_be_written_warns_once_and_the_run_goes_on(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "blocker").write_text("a file where the cache's folder would go\n")
    pytester.makepyprojecttoml('[tool.physcheck]\ncache_dir = "blocker/cache"\n')
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-checks",
        "finite,vrmse",
    )
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
    out = result.stdout.str()
    assert out.count("the rollout cache") == 1, out
    assert "the run goes on without it" in out


FLOAT64_ONLY_BLOW_UP = """
import torch


class Float64Blows:
    n_history = 1

    def to(self, device=None, dtype=None):
        return self

    def step(self, history):
        last = history[:, -1].clone()
        if history.dtype == torch.float64:  # only the twin: overflows to inf within a few steps
            last[..., 1:4] = last[..., 1:4] * 1e200
        return last
"""


def test_a_float64_only_blow_up_fails_precision_and_passes_finite(
    pytester: pytest.Pytester,
) -> None:
    from tests.reliability.test_catalogue import model_module

    module = model_module(pytester, "float64_blows", FLOAT64_ONLY_BLOW_UP)
    result = run(
        pytester,
        "--physcheck-model",
        f"m={module}:Float64Blows",
        "--physcheck-checks",
        "finite,precision",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["traj 0, step 1: only float64 blows up (float64 blows up from step 1*", "*finite*1*0*0*"]
    )
    assert "math domain error" not in result.stdout.str()


@pytest.mark.parametrize(
    "addopts",
    ["--co", "-m 'not benchmark and not slow' --strict-markers"],
    ids=["collect-only", "unknown-markers"],
)
def test_a_data_dir_inside_another_project_never_brings_its_addopts(
    pytester: pytest.Pytester, tmp_path: Path, addopts: str
) -> None:
    other = tmp_path / "other-project"
    data = other / "fixtures" / "MHD"
    shutil.copytree(dataset_dir(), data, ignore=shutil.ignore_patterns("train", "valid", "*.lock"))
    (other / "pyproject.toml").write_text(f'[tool.pytest.ini_options]\naddopts = "{addopts}"\n')
    pytester.makepyprojecttoml("[tool.physcheck]\nchecks = ['finite', 'dynamics']\n")
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--physcheck-only",
        "--physcheck-no-snapshot",
        "--physcheck-model",
        "hold=persistence",
        "--physcheck-data",
        str(data),
        "--physcheck-window",
        "3:1:4",
        "--physcheck-trajectories",
        "0",
    )
    # persistence never changes: dynamics fails, and the gate says so
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.lines[-20:]
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"rootdir: {pytester.path}*"])


def test_results_that_cannot_be_written_at_the_end_are_one_line_and_a_failure(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import physcheck.outputs.results as results

    def full_disk(path: object, document: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(results, "write_results", full_disk)
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-checks",
        "finite",
        "--physcheck-json",
        "out/results.json",
    )
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["physcheck: the results were not written to out/results.json (No space left on device)*"]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("key", "value"),
    [("start_frame", "three"), ("trajectories", [0.5]), ("n_history", -1), ("seed", "x")],
)
def test_bad_prediction_metadata_is_a_usage_error_naming_the_file(
    pytester: pytest.Pytester, key: str, value: object
) -> None:
    import numpy as np

    meta: dict[str, object] = {"start_frame": 3, "trajectories": [0], "n_history": 1}
    meta[key] = value
    frames = np.zeros((1, 6, 16, 16, 16, 7), dtype=np.float32)
    np.savez(pytester.path / "p.npz", frames=frames, **{k: np.asarray(v) for k, v in meta.items()})
    result = run(pytester, "--physcheck-predictions", "p=p.npz", "--physcheck-checks", "finite")
    assert_usage_error(result, "p.npz", key)


def test_a_model_module_with_a_syntax_error_is_one_line_naming_its_file(
    pytester: pytest.Pytester,
) -> None:
    from tests.reliability.test_catalogue import model_module

    module = model_module(pytester, "typo_model", "class Typo:\n    n_history = 1 +\n")
    result = run(pytester, "--physcheck-model", f"t={module}:Typo", "--physcheck-checks", "finite")
    assert_usage_error(result, "importing 'typo_model' raised SyntaxError", "typo_model.py, line 2")


def test_a_hung_model_fails_its_items_naming_the_step(pytester: pytest.Pytester) -> None:
    import time

    started = time.perf_counter()
    result = run(
        pytester,
        "--physcheck-model",
        "h=tests.zoo.faults:hangs_at_step_3",
        "--physcheck-checks",
        "finite,vrmse",
        "--physcheck-step-timeout",
        "1",
    )
    assert time.perf_counter() - started < 25  # not the 30 s the step hangs for
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*model 'h'*step 3: the model did not return within 1 s (--physcheck-step-timeout)*"]
    )


def test_a_usage_error_on_xdist_workers_is_said_once_with_exit_4(pytester: pytest.Pytester) -> None:
    """Workers prepare the suite; their usage error reaches the controller, which says it once
    and exits 4, instead of "no tests ran" with the reason lost on the workers."""
    from tests.reliability.test_catalogue import FAST

    result = pytester.runpytest_subprocess(
        *FAST,
        *("-p", "xdist", "-n", "2"),
        *("--physcheck-model", "oracle=reference", "--physcheck-checks", "finite"),
        *("--physcheck-data", str(pytester.path / "no-such-data")),
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-2000:]
    lines = [line for line in result.stderr.lines if line.startswith("ERROR: physcheck:")]
    assert len(lines) == 1 and "no such dataset path" in lines[0], result.stderr.lines


def test_a_model_that_raises_in_its_first_step_fails_its_items_and_the_others_run(
    pytester: pytest.Pytester,
) -> None:
    """The model's own error in the preflight probe is its failure, not a usage error that
    would take the other models' verdicts with it."""
    result = run(
        pytester,
        *("--physcheck-model", "big=tests.zoo.faults:out_of_memory"),
        *("--physcheck-model", "oracle=reference"),
        *("--physcheck-checks", "finite,vrmse"),
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-2000:]
    result.assert_outcomes(failed=2, passed=2)
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert len(failed) == 2 and all("[big" in line for line in failed)
    result.stdout.fnmatch_lines(
        ["*physcheck: model 'big' failed: MemoryError: CUDA out of memory* (at *faults.py:*"]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
