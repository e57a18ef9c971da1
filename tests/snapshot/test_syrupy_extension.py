"""The physcheck_snapshot fixture with syrupy, end to end (pytester)."""

from __future__ import annotations

import pytest

TEST = """
import pytest

VALUE = {value}

@pytest.mark.physcheck_snapshot(rtol=1e-3, atol=1e-9)
def test_numbers(physcheck_snapshot):
    assert physcheck_snapshot == {{"vrmse": {{"By": VALUE, "Bz": 0.5}}, "basin": "By", "horizon": 51, "nan": float("nan"), "_meta": {{"torch": "{torch}"}}}}

def test_other(physcheck_snapshot):
    assert physcheck_snapshot == {{"slope": -3.0}}
"""


def write(pytester: pytest.Pytester, value: str = "1.0", torch: str = "2.13") -> None:
    pytester.makepyfile(test_numbers=TEST.format(value=value, torch=torch))


def snapshot_files(pytester: pytest.Pytester) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(pytester.path.rglob("__snapshots__/**/*.json"))}


def test_create_then_pass_and_files_stay_byte_identical(pytester: pytest.Pytester) -> None:
    write(pytester)
    missing = pytester.runpytest("-p", "no:cacheprovider")
    missing.assert_outcomes(failed=2)
    missing.stdout.fnmatch_lines(
        ["*no snapshot yet: create it with `python -m pytest * --snapshot-update`*"]
    )
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update").assert_outcomes(passed=2)
    files = snapshot_files(pytester)
    assert set(files) == {"test_numbers.json", "test_other.json"}
    assert (
        b'"nan": "NaN"' in files["test_numbers.json"] and b"rtol" not in files["test_numbers.json"]
    )
    write(pytester, value="1.0004")  # drift inside tolerance
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update").assert_outcomes(passed=2)
    assert snapshot_files(pytester) == files  # no churn


def test_change_beyond_tolerance_fails_with_a_readable_diff(pytester: pytest.Pytester) -> None:
    write(pytester)
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update")
    write(pytester, value="1.01")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 value(s) differ from the snapshot beyond tolerance:*",
            "*vrmse.By: expected 1.0, got 1.01 (relative error 0.01; tolerance rtol 0.001, atol 1e-09)*",
            "*accept the new numbers on purpose with `python -m pytest * --snapshot-update`*",
        ]
    )


def test_update_rewrites_only_what_changed(pytester: pytest.Pytester) -> None:
    write(pytester)
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update")
    before = snapshot_files(pytester)
    write(pytester, value="2.0")
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update").assert_outcomes(passed=2)
    after = snapshot_files(pytester)
    assert after["test_other.json"] == before["test_other.json"]
    assert (
        after["test_numbers.json"] != before["test_numbers.json"]
        and b"2.0" in after["test_numbers.json"]
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_meta_changes_neither_fail_nor_rewrite(pytester: pytest.Pytester) -> None:
    write(pytester)
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update")
    before = snapshot_files(pytester)
    write(pytester, torch="9.9")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update").assert_outcomes(passed=2)
    assert snapshot_files(pytester) == before


def test_nan_becoming_a_number_fails(pytester: pytest.Pytester) -> None:
    write(pytester)
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update")
    pytester.makepyfile(
        test_numbers=TEST.format(value="1.0", torch="2.13").replace('float("nan")', "0.0")
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*nan: expected 'NaN', got 0.0 (NaN matches only NaN)*"])


def test_configured_tolerance_applies_without_a_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.physcheck]\nsnapshot_rtol = 0.1\n")
    pytester.makepyfile(
        test_cfg="def test_x(physcheck_snapshot):\n    assert physcheck_snapshot == {'a': 1.0}\n"
    )
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update")
    pytester.makepyfile(
        test_cfg="def test_x(physcheck_snapshot):\n    assert physcheck_snapshot == {'a': 1.05}\n"
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    pytester.makepyfile(
        test_cfg="def test_x(physcheck_snapshot):\n    assert physcheck_snapshot == {'a': 1.5}\n"
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1)
