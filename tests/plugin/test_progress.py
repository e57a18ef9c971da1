"""Rollout progress reaches the terminal of a plain pytest run (not pytest's capture), and
``-q -q`` silences it."""

from __future__ import annotations

import pytest

from physcheck.formatting import step_line

ARGS = [
    "-p",
    "no:cacheprovider",
    "--physcheck-model",
    "hold=persistence",
    "--physcheck-window",
    "3:1:10",
    "--physcheck-trajectories",
    "0",
    "--physcheck-checks",
    "finite",
    "--physcheck-no-snapshot",
    "--physcheck-no-cache",
]


def test_progress_lines_appear_in_a_plain_pytest_run(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*ARGS)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(
        [
            "*physcheck: rolling out hold (base*",
            "*physcheck: hold (base): step 2/10, * steps/s, ETA * s*",
            "*physcheck: rolled out hold (base) in * s*",
        ]
    )


def test_twice_quiet_silences_progress(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*ARGS, "-q", "-q")
    assert result.ret == 0
    assert "rolling out" not in result.stdout.str() + result.stderr.str()


def test_a_step_line_gives_rate_and_eta() -> None:
    assert step_line("demo", "base", 10, 50, 5.0) == (
        "  demo (base): step 10/50, 2 steps/s, ETA 20 s"
    )


def test_each_xdist_worker_prints_its_own_progress_lines(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        *ARGS,
        "--physcheck-model",
        "hold2=persistence",
        "-p",
        "xdist",
        "-n",
        "2",
        "-p",
        "no:benchmark",
    )
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    lines = result.stdout.lines + result.stderr.lines
    rolled = [line for line in lines if "physcheck: rolled out" in line]
    assert {line.split("]")[0] + "]" for line in rolled} == {"[gw0]", "[gw1]"}, lines
