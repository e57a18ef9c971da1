"""A gate is never green by accident: a run whose every selected check skipped fails unless
skips are accepted, and a setting that makes a check vacuous is a usage error."""

from __future__ import annotations

import pytest

import tests.zoo  # noqa: F401
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
