"""``--physcheck-baseline``, ``--physcheck-compare`` and ``--physcheck-markdown`` in a pytest
session: regression items that pass on the same model, fail on a worse one with the interval,
refuse an incomparable baseline before any rollout, and a scorecard file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tests.zoo  # noqa: F401  (in-process pytester runs import the zoo)
from tests.reliability.test_catalogue import FAST, assert_usage_error

CHECKS = ("--physcheck-checks", "finite,vrmse,stability_horizon,channel_variance")


def session(pytester: pytest.Pytester, model: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*FAST, *CHECKS, "--physcheck-model", model, *args)


@pytest.fixture()
def exact_baseline(pytester: pytest.Pytester) -> Path:
    result = session(pytester, "m=tests.zoo:exact", "--physcheck-json", "accepted.json")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
    return pytester.path / "accepted.json"


def test_the_same_model_against_its_baseline_passes_every_regression_item(
    pytester: pytest.Pytester, exact_baseline: Path
) -> None:
    result = session(
        pytester, "m=tests.zoo:exact", "--physcheck-baseline", str(exact_baseline),
        "--physcheck-json", "new.json",
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
    result.stdout.fnmatch_lines(["*baseline: m against baseline m: * equivalent*"])
    document = json.loads((pytester.path / "new.json").read_text())
    verdicts = {c["verdict"] for c in document["comparisons"]["m"]["numbers"]}
    assert verdicts == {"equivalent"}
    assert document["settings"]["baseline"]["path"] == str(exact_baseline)


def test_a_worse_model_fails_its_regression_items_and_the_scorecard_says_so(
    pytester: pytest.Pytester, exact_baseline: Path
) -> None:
    result = session(
        pytester, "m=persistence", "--physcheck-baseline", str(exact_baseline),
        "--physcheck-markdown", "card.md",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*m: vrmse.step1 regressed against baseline m: * 90% interval * beyond the margin*",
            "*FAILED physcheck::regression[[]m-vrmse[]]*",
        ]
    )
    card = (pytester.path / "card.md").read_text()
    assert "❌ regression" in card and "| vrmse | vrmse.step1" in card


def test_two_models_of_one_run_compare_side_by_side(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        *FAST, *CHECKS,
        "--physcheck-model", "new=persistence", "--physcheck-model", "old=tests.zoo:exact",
        "--physcheck-compare", "new=old", "--physcheck-compare", "old=new",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert any("regression[new-vrmse-vs-old]" in line for line in failed), failed
    assert not any("regression[old-" in line for line in failed), failed  # old improves on new


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--physcheck-window", "3:1:5"), "window 3:1:5 against 3:1:6"),
        (("--physcheck-trajectories", "1"), "trajectories [1] against [0]"),
    ],
)
def test_an_incomparable_baseline_is_a_usage_error_before_any_rollout(
    pytester: pytest.Pytester, exact_baseline: Path, args: tuple[str, ...], named: str
) -> None:
    result = session(pytester, "m=tests.zoo:exact", "--physcheck-baseline", str(exact_baseline), *args)
    assert_usage_error(result, "cannot be compared with this run", named)


def test_a_missing_baseline_or_unknown_comparison_is_one_line(pytester: pytest.Pytester) -> None:
    result = session(pytester, "m=persistence", "--physcheck-baseline", "nowhere.json")
    assert_usage_error(result, "nowhere.json: no such results file")
    result = session(pytester, "m=persistence", "--physcheck-compare", "m=other")
    assert_usage_error(result, "no model 'other' in this run")


def test_the_report_draws_the_baseline_beside_the_model(pytester: pytest.Pytester) -> None:
    pytest.importorskip("matplotlib", reason="the report's figures need matplotlib (the report extra)")
    # imported before the in-process sessions, so that their module snapshots keep one copy
    import physcheck.report.build  # noqa: F401
    import physcheck.report.figures  # noqa: F401
    first = session(pytester, "m=tests.zoo:exact", "--physcheck-json", "accepted.json", "--physcheck-report", "old")
    assert first.ret == pytest.ExitCode.OK
    result = session(
        pytester, "m=persistence", "--physcheck-baseline", "accepted.json", "--physcheck-report", "new"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["physcheck report: *new*index.html*"])
    shown = json.loads((pytester.path / "new" / "results.json").read_text())
    assert set(shown["series"]) == {"m", "m (baseline)"}  # every figure draws both
    accepted = json.loads((pytester.path / "accepted.json").read_text())
    assert shown["series"]["m (baseline)"] == accepted["series"]["m"]
    assert {r["model"] for r in shown["results"]} == {"m"}  # the tables judge the model only
