"""``--physcheck-baseline DIR``: a directory of saved rollouts (``physcheck export``) as the
baseline, gated in the same run: the same model is equivalent on every number, a degraded one
fails its VRMSE item, and a directory without the model's file or made on another window is
refused in one line before any rollout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import physcheck.suite  # noqa: F401  (in-process pytester runs must not re-import torch)
import tests.baseline.degraded  # noqa: F401  (in-process pytester runs import the model)
from physcheck.config import build_settings
from physcheck.suite import Suite
from tests.reliability.test_catalogue import assert_usage_error

CHECKS = "finite,vrmse,stability_horizon,skill,channel_variance,basin_determinism"
OPTIONS = {"window": "3:3:6", "trajectories": "0-1", "perturbations": "2", "checks": CHECKS}
ARGS = [
    "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-no-snapshot", "--physcheck-no-cache",
    *[arg for key, value in OPTIONS.items() for arg in (f"--physcheck-{key}", value)],
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's rollouts on the smoke set, as ``physcheck export DIR`` writes them."""
    folder = tmp_path_factory.mktemp("accepted")
    suite = Suite(build_settings({"cache": False}, {"models": ["demo=demo"], **OPTIONS}))
    assert [name for name, _ in suite.export_models(folder)] == ["demo"]
    return folder


def session(pytester: pytest.Pytester, model: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*ARGS, "--physcheck-model", model, *args)


def comparisons(pytester: pytest.Pytester) -> dict[str, dict[str, Any]]:
    document = json.loads((pytester.path / "new.json").read_text())
    return {c["number"]: c for c in document["comparisons"]["demo"]["numbers"]}


def test_the_saved_rollouts_of_the_same_model_are_equivalent_on_every_number(
    pytester: pytest.Pytester, saved: Path
) -> None:
    result = session(
        pytester, "demo=demo", "--physcheck-baseline", str(saved), "--physcheck-json", "new.json",
    )
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    # the demo fails its own vrmse and skill checks; none of its regression items fails
    assert failed and not any("regression[" in line for line in failed), failed
    result.stdout.fnmatch_lines(["baseline: demo against baseline demo.hdf5: 6 equivalent"])
    found = comparisons(pytester)
    assert len(found) == 6
    assert {c["verdict"] for c in found.values()} == {"equivalent"}, found
    assert {c["difference"] for c in found.values()} == {0.0}
    basin = found["basin_determinism"]  # 2 trajectories x 2 perturbed rollouts, paired one by one
    assert (basin["units"], basin["unit"]) == (4, "trajectory × perturbation")
    assert (found["vrmse.step1"]["units"], found["vrmse.step1"]["unit"]) == (2, "trajectory")


def test_a_degraded_model_fails_its_vrmse_item_against_the_saved_rollouts(
    pytester: pytest.Pytester, saved: Path
) -> None:
    result = session(
        pytester, "demo=tests.baseline.degraded:degraded_demo", "--physcheck-baseline", str(saved),
        "-k", "regression",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*demo: vrmse.step1 regressed against baseline demo.hdf5: * over 2 units (trajectory)",
            "*FAILED physcheck::regression[[]demo-vrmse[]]*",
        ]
    )


def test_a_folder_without_the_models_file_is_refused_in_one_line(
    pytester: pytest.Pytester, saved: Path
) -> None:
    result = session(pytester, "other=demo", "--physcheck-baseline", str(saved))
    assert_usage_error(result, str(saved), "no saved rollouts of model 'other'", "physcheck export")


def test_saved_rollouts_of_another_window_are_refused_naming_it(
    pytester: pytest.Pytester, saved: Path
) -> None:
    result = session(pytester, "demo=demo", "--physcheck-baseline", str(saved), "--physcheck-window", "3:3:5")
    assert_usage_error(result, "demo.hdf5 cannot be compared with this run", "window 3:3:5 against 3:3:6")


def test_the_report_draws_the_saved_baseline_beside_the_model(
    pytester: pytest.Pytester, saved: Path
) -> None:
    pytest.importorskip("matplotlib", reason="the report's figures need matplotlib (the report extra)")
    import physcheck.report.build  # noqa: F401  (one copy across the in-process sessions)
    import physcheck.report.figures  # noqa: F401

    result = session(
        pytester, "demo=tests.baseline.degraded:degraded_demo", "--physcheck-baseline", str(saved),
        "--physcheck-report", "new",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    shown = json.loads((pytester.path / "new" / "results.json").read_text())
    assert set(shown["series"]) == {"demo", "demo (baseline)"}  # every figure draws both
    assert shown["series"]["demo (baseline)"] != shown["series"]["demo"]
    assert {r["model"] for r in shown["results"]} == {"demo"}  # the tables judge the model only
