"""The plugin end to end, with pytester: collection, ids, markers, outputs, errors, fixtures."""

from __future__ import annotations

import json

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
import tests.zoo  # noqa: F401

FAST = [
    "-p",
    "no:cacheprovider",
    "--physcheck-window",
    "3:1:12",
    "--physcheck-trajectories",
    "0",
    "--physcheck-perturbations",
    "2",
    "--physcheck-no-snapshot",
]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*FAST, *args)


def test_suite_is_collected_without_a_test_file(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "physcheck::finite[[]exact-traj0[]]",
            "physcheck::solenoidality[[]exact-traj0[]]",
            "physcheck::channel_variance[[]exact-traj0-By[]]",
        ]
    )
    result.stdout.fnmatch_lines(["physcheck::vrmse[[]exact[]]", "physcheck::skill[[]exact[]]"])
    n_items = 2 + 14 + 7  # two checks over the model, fourteen per trajectory, seven channels
    result.stdout.fnmatch_lines([f"{n_items} tests collected*"])


def test_exact_model_passes_and_exit_code_is_zero(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--physcheck-model", "exact=tests.zoo:exact")
    # skipped: equivariance (the replay cannot match a turned input), and bounds and budgets
    # (the mhd profile has no field with a maximum principle and no scalar budget)
    result.assert_outcomes(passed=20, skipped=3)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*physcheck summary*",
            "model exact (tests.zoo:exact)*",
            "*step-1 VRMSE median 0 *",
            "*solenoidality*1*0*0*",
        ]
    )


def test_a_broken_model_fails_its_check_with_the_message(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        "--physcheck-model",
        "drain=tests.zoo:mass_drain",
        "--physcheck-checks",
        "mean_field,finite",
    )
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*mean_field[[]drain-traj0[]]*", "*mass <rho> off the truth's*"])


def test_json_results_are_identical_between_runs(pytester: pytest.Pytester) -> None:
    args = [
        "--physcheck-model",
        "drain=tests.zoo:mass_drain",
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-no-cache",
    ]
    run(pytester, *args, "--physcheck-json", "a.json")
    run(pytester, *args, "--physcheck-json", "b.json")
    a, b = (pytester.path / "a.json").read_bytes(), (pytester.path / "b.json").read_bytes()
    assert a == b
    doc = json.loads(a)
    assert (
        doc["settings"]["window"] == "3:1:12"
        and doc["settings"]["models"]["exact"] == "tests.zoo:exact"
    )
    energy = next(r for r in doc["results"] if r["check"] == "mean_field" and r["model"] == "drain")
    assert energy["passed"] is False and "mass" in energy["message"]
    assert set(energy) >= {
        "check",
        "model",
        "trajectory",
        "channel",
        "passed",
        "value",
        "threshold",
        "message",
    }
    assert doc["models"]["exact"]["horizon"] == [13]


def test_each_rollout_is_computed_once_and_the_disk_cache_skips_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
def pytest_sessionfinish(session):
    plugin = session.config.pluginmanager.get_plugin("physcheck-suite")
    s = plugin.suite
    print("COMPUTED", sorted(s.rollout_counts.items()), "HITS", sorted(s.cache_hits.items()))
"""
    )
    first = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", "-s")
    first.stdout.fnmatch_lines(
        [
            "*COMPUTED [[](('exact', 'base'), 1), (('exact', 'float64'), 1), (('exact', 'noise0'), 1), (('exact', 'noise1'), 1)[]] HITS [[][]]"
        ]
    )
    second = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", "-s")
    second.stdout.fnmatch_lines(["*COMPUTED [[][]] HITS [[]*(('exact', 'base'), 1)*[]]"])
    third = run(
        pytester, "--physcheck-model", "exact=tests.zoo:exact", "-s", "--physcheck-no-cache"
    )
    third.stdout.fnmatch_lines(["*COMPUTED [[](('exact', 'base'), 1)*"])
    assert third.ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--physcheck-model", "exact=tests.zoo:exact", "--physcheck-checks", "finite,divb"],
            "*physcheck: unknown check(s) divb; known checks: finite, vrmse*",
        ),
        (
            ["--physcheck-model", "bad=walrus:only-config.yaml"],
            "*physcheck: model 'bad': bad walrus spec*",
        ),
        (["--physcheck-model", "=demo"], "*physcheck: bad model name*"),
        (
            ["--physcheck-model", "x=no_such_module_xyz:make"],
            "*physcheck: model spec 'no_such_module_xyz:make': cannot import*",
        ),
        (
            ["--physcheck-model", "exact=tests.zoo:exact", "--physcheck-data", "nowhere/at/all"],
            "*physcheck: no such dataset path*",
        ),
        (
            ["--physcheck-model", "exact=tests.zoo:exact", "--physcheck-threshold", "nope=1"],
            "*physcheck: unknown threshold 'nope'*",
        ),
        (
            ["--physcheck-model", "exact=tests.zoo:exact", "--physcheck-window", "90:1:50"],
            "*past the trajectory's end*",
        ),
    ],
)
def test_bad_settings_stop_with_one_clear_line(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert not [line for line in result.stderr.lines if "Traceback" in line]


def test_gpu_marker_selects_the_gpu_suite(pytester: pytest.Pytester) -> None:

    on_cpu = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-device",
        "cpu",
        "-m",
        "not gpu",
        "--collect-only",
        "-q",
    )
    on_cpu.stdout.fnmatch_lines(["23 tests collected*"])  # CPU items carry no gpu marker
    on_cuda = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-device",
        "cuda",
        "-m",
        "gpu",
        "--physcheck-checks",
        "finite",
        "-rs",
    )
    if torch.cuda.is_available():
        on_cuda.assert_outcomes(passed=1)
    else:  # a GPU gate on a machine without one fails with one line; it never passes empty
        assert on_cuda.ret == pytest.ExitCode.USAGE_ERROR
        on_cuda.stderr.fnmatch_lines(["ERROR: physcheck: --physcheck-device cuda asks for the GPU gate*"])


def test_physics_marker_and_keyword_selection(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "-m",
        "physics",
        "-k",
        "solenoidality",
        "--collect-only",
        "-q",
    )
    result.stdout.fnmatch_lines(
        ["physcheck::solenoidality[[]exact-traj0[]]", "1/23 tests collected*"]
    )
    assert result.ret == pytest.ExitCode.OK


def test_fixtures_for_users_own_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import physcheck

def test_my_physics(physcheck_model, physcheck_truth, physcheck_rollout):
    assert physcheck_model.n_history == 1
    assert physcheck_truth.truth.shape[1] == 12
    assert physcheck_rollout.vrmse.shape[:2] == (1, 12)
    frames = physcheck.rollout(physcheck_model, physcheck_truth.history, 12).frames
    physcheck.assert_solenoidal(frames, physcheck_truth.truth)
"""
    )
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-model",
        "mono=tests.zoo:monopole_noise",
        "--physcheck-checks",
        "finite",
        "-k",
        "my_physics",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_my_physics[[]mono[]]*", "*magnetic monopoles*"])


def test_fixtures_skip_without_a_model(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(physcheck_model):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*no model configured: pass --physcheck-model NAME=SPEC*"])


def test_pyproject_settings_and_cli_precedence(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        """
[tool.physcheck]
models = {exact = "tests.zoo:exact"}
window = "3:1:12"
trajectories = "0"
checks = ["finite", "energy"]
perturbations = 0
snapshot = false
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "physcheck::finite[[]exact-traj0[]]",
            "physcheck::energy[[]exact-traj0[]]",
            "2 tests collected*",
        ]
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--collect-only", "-q", "--physcheck-checks", "vrmse"
    )
    result.stdout.fnmatch_lines(["physcheck::vrmse[[]exact[]]", "1 test collected*"])
    pytester.makepyprojecttoml("[tool.physcheck]\nmodelz = 1\n")
    bad = pytester.runpytest("-p", "no:cacheprovider")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: physcheck: unknown physcheck setting(s) modelz*"])


def test_nan_rollout_is_a_failed_check_not_a_crash(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--physcheck-model",
        "nan=tests.zoo:nan_at_frame",
        "--physcheck-trajectories",
        "0",
        "--physcheck-checks",
        "finite,solenoidality,spectrum,precision",
        "--physcheck-perturbations",
        "0",
        "--physcheck-report",
        "report",
        "--physcheck-json",
        "nan.json",
    )
    result.stdout.fnmatch_lines(["*finite[[]nan-traj0[]]*step 28: first NaN/Inf*"])
    result.stdout.fnmatch_lines(["physcheck report: report/index.html"])
    assert (pytester.path / "report" / "fig-vrmse.png").is_file()
    doc = json.loads((pytester.path / "nan.json").read_text())
    assert doc["models"]["nan"]["horizon"] == [28]
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "INTERNALERROR" not in result.stdout.str()


def test_junit_properties_are_plain_values(pytester: pytest.Pytester) -> None:
    """JUnit XML gets the check, model, status, value and threshold as plain values (the
    structured numbers travel on the report, not in user_properties)."""
    import xml.etree.ElementTree as ET

    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-checks",
        "finite,vrmse",
        "--physcheck-json",
        "out.json",
        "--junitxml",
        "junit.xml",
    )
    assert result.ret == pytest.ExitCode.OK
    cases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    properties = [
        {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in cases
        if case.get("name", "").startswith("vrmse")
    ]
    (vrmse,) = properties
    assert vrmse["physcheck_check"] == "vrmse" and vrmse["physcheck_model"] == "exact"
    assert vrmse["physcheck_status"] == "passed"
    float(vrmse["physcheck_value"] or "nan")
    float(vrmse["physcheck_threshold"] or "nan")
    assert not any(v and v[0] in "{([" for p in properties for v in p.values())
    document = json.loads((pytester.path / "out.json").read_text())
    assert {r["check"] for r in document["results"]} == {"finite", "vrmse"}
    assert "exact" in document["models"]


def test_output_paths_are_relative_to_the_invocation_directory(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyprojecttoml("[tool.physcheck]\nwindow = '3:1:12'\n")
    sub = pytester.mkdir("sub")
    monkeypatch.chdir(sub)
    result = pytester.runpytest(
        *FAST,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-checks",
        "finite",
        "--physcheck-json",
        "out.json",
        "--rootdir",
        str(pytester.path),
    )
    assert result.ret == pytest.ExitCode.OK
    assert (sub / "out.json").exists() and not (pytester.path / "out.json").exists()
