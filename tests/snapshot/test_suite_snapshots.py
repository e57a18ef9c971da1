"""The auto-collected suite's snapshots: the committed demo and oracle files pass on a clean
checkout; a missing or moved snapshot fails with the instruction; updates are minimal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "tests" / "__snapshots__" / "physcheck"
ARGS = [
    "-p",
    "no:cacheprovider",
    "--physcheck-only",
    "--physcheck-checks",
    "finite",
    "-k",
    "snapshot",
]


def test_committed_snapshots_of_demo_and_oracle_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        f'[tool.physcheck]\nsnapshot_dir = "{COMMITTED}"\nsnapshot_rtol = 1e-3\nsnapshot_atol = 1e-6\n'
    )
    result = pytester.runpytest(
        *ARGS, "--physcheck-model", "demo=demo", "--physcheck-model", "reference=reference"
    )
    result.assert_outcomes(passed=4)


def test_moved_numbers_fail_with_a_diff_and_update_rewrites_only_them(
    pytester: pytest.Pytester,
) -> None:
    snapdir = pytester.path / "snaps"
    shutil.copytree(COMMITTED, snapdir)
    pytester.makepyprojecttoml(
        '[tool.physcheck]\nsnapshot_dir = "snaps"\nsnapshot_rtol = 1e-3\nsnapshot_atol = 1e-6\n'
    )
    target = snapdir / "demo-traj0.json"
    data = json.loads(target.read_text())
    data["spectrum"]["slope"] *= 1.5
    committed = data["basin"]
    moved = "Bz" if committed == "By" else "By"
    data["basin"] = moved
    target.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    other = (snapdir / "demo-traj1.json").read_bytes()
    result = pytester.runpytest(*ARGS, "--physcheck-model", "demo=demo")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*2 value(s) differ from snaps/demo-traj0.json beyond tolerance:*",
            f"*basin: expected '{moved}', got '{committed}'*",
            "*spectrum.slope: expected *relative error 0.333*",
        ]
    )
    pytester.runpytest(
        *ARGS, "--physcheck-model", "demo=demo", "--snapshot-update"
    ).assert_outcomes(passed=2)
    assert (snapdir / "demo-traj1.json").read_bytes() == other
    assert json.loads(target.read_text())["basin"] == committed


def test_missing_suite_snapshot_fails_with_the_command(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        *ARGS, "--physcheck-model", "demo=demo", "--physcheck-trajectories", "0"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*no snapshot at __snapshots__/physcheck/demo-traj0.json: create it with `python -m pytest * --snapshot-update`*"
        ]
    )
