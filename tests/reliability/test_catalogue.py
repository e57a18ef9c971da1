"""The catalogue of bad inputs and faults: each asserts the exact outcome a user sees.

Every error a user can cause is either a usage error before collection (one
``ERROR: physcheck: ...`` line, exit 4) or a failing item with one concise message; nothing
runs that should not (a crafted cache file), nothing is lost (results of a long run), and no
stale result comes back (edited code or weights miss the cache).
"""

from __future__ import annotations

import json
import pickle
import shutil
import textwrap
from pathlib import Path

import pytest
import torch

import physcheck.suite  # noqa: F401  (in-process pytester runs must not re-import torch)
import tests.zoo  # noqa: F401
from physcheck.config import build_settings
from physcheck.datasets import dataset_dir
from physcheck.models import model_hash
from physcheck.suite import Suite

FAST = [
    "-p",
    "no:cacheprovider",
    "--physcheck-window",
    "3:1:6",
    "--physcheck-trajectories",
    "0",
    "--physcheck-perturbations",
    "0",
    "--physcheck-no-snapshot",
    "--physcheck-only",
]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*FAST, *args)


def assert_usage_error(result: pytest.RunResult, *patterns: str) -> None:
    """Exit 4 with one ``ERROR: physcheck: ...`` line matching every pattern."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = [line for line in result.stderr.lines if line.startswith("ERROR: physcheck:")]
    assert len(lines) == 1, result.stderr.lines
    for pattern in patterns:
        assert pattern in lines[0], lines[0]


def model_module(pytester: pytest.Pytester, name: str, body: str) -> str:
    pytester.makepyfile(**{name: textwrap.dedent(body)})
    pytester.syspathinsert()
    return name


# -- the cache ------------------------------------------------------------------------------------
class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, ("open('PWNED', 'w').write('ran')",))


def test_a_crafted_cache_entry_does_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = build_settings(
        {"cache_dir": str(tmp_path / "cache")},
        {"models": ["exact=tests.zoo:exact"], "checks": "finite", "window": "3:1:4"},
    )
    suite = Suite(settings)
    suite.results("exact")
    entries = list((tmp_path / "cache").glob("*.safetensors"))
    assert len(entries) == 1
    for entry in entries:  # replace the entry by a pickle that would write a file when loaded
        entry.write_bytes(pickle.dumps({"app": Boom()}))
    again = Suite(settings)
    with pytest.warns(UserWarning, match="not a valid record"):
        again.results("exact")
    assert not (tmp_path / "PWNED").exists()
    assert again.rollout_counts[("exact", "base")] == 1  # recomputed, and rewritten
    assert Suite(settings).results("exact")


def test_editing_a_models_code_misses_the_cache(pytester: pytest.Pytester) -> None:
    body = """
        import torch
        class Model:
            n_history = 1
            def step(self, history):
                return history[:, -1] * 1.0{suffix}
        def model(data=None):
            return Model()
        """
    model_module(pytester, "edited_model", body.format(suffix=""))
    settings = build_settings(
        {"cache_dir": str(pytester.path / "cache")},
        {"models": ["m=edited_model:model"], "checks": "finite", "window": "3:1:4"},
    )
    first = Suite(settings)
    first.results("m")
    assert first.rollout_counts[("m", "base")] == 1
    hit = Suite(settings)
    hit.results("m")
    assert hit.cache_hits[("m", "base")] == 1
    import edited_model  # noqa: F401  (the module the suite imported)

    model_module(pytester, "edited_model", body.format(suffix=" + 0.0  # edited"))
    edited = Suite(settings)
    edited.results("m")
    assert edited.rollout_counts[("m", "base")] == 1  # the edit misses the cache


def test_editing_a_weights_file_misses_the_cache(tmp_path: Path) -> None:
    from physcheck.models.baselines import Persistence

    weights = tmp_path / "w.bin"
    weights.write_bytes(b"one")
    model = Persistence()
    model.weight_files = [weights]  # type: ignore[attr-defined]
    before = model_hash(model, "x")
    weights.write_bytes(b"two")
    assert model_hash(model, "x") != before


def test_a_plain_object_that_reads_numpy_weights_from_a_file_misses_the_cache_when_it_changes(
    tmp_path: Path,
) -> None:
    import numpy as np

    class ReadsItsWeights:  # not an nn.Module, names no weight file: its arrays make its hash
        n_history = 1

        def __init__(self, path: Path) -> None:
            self.scale = np.load(path)

        def step(self, history: torch.Tensor) -> torch.Tensor:
            return history[:, -1] * float(self.scale[0])

    path = tmp_path / "scale.npy"
    np.save(path, np.array([1.0]))
    before = model_hash(ReadsItsWeights(path), "x")
    np.save(path, np.array([0.5]))
    assert model_hash(ReadsItsWeights(path), "x") != before


def test_bfloat16_weights_hash(tmp_path: Path) -> None:
    net = torch.nn.Linear(3, 3).to(torch.bfloat16)
    assert len(model_hash(net, "bf16")) == 16


def test_a_model_that_edits_its_input_cannot_corrupt_the_others(tmp_path: Path) -> None:
    settings = build_settings(
        {"cache": False},
        {
            "models": ["vandal=tests.zoo.faults:vandal", "exact=tests.zoo:exact"],
            "checks": "finite,stability_horizon",
            "window": "3:1:6",
        },
    )
    suite = Suite(settings)
    suite.results("vandal")
    clean = Suite(build_settings({"cache": False}, {"models": ["exact=tests.zoo:exact"], "checks": "finite,stability_horizon", "window": "3:1:6"}))
    assert [r.value for r in suite.results("exact")] == [r.value for r in clean.results("exact")]


# -- usage errors before collection ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "patterns"),
    [
        (["--physcheck-noise", "nan"], ["'noise'", "finite"]),
        (["--physcheck-threshold", "variance_high=nan"], ["variance_high", "finite"]),
        (["--physcheck-threshold", "basin_tau=abc"], ["basin_tau", "number"]),
        (["--physcheck-threshold", "variance_low=-1"], ["variance_low", "negative"]),
        (["--physcheck-threshold", "variance_low=20"], ["variance_low", "variance_high"]),
        (["--physcheck-trajectories", "1-0"], ["1-0", "empty"]),
        (["--physcheck-checks", ","], ["no check selected"]),
        (["--physcheck-device", "cuda"], ["cuda", "no CUDA"]),
        (["--physcheck-window", "3:1:500"], ["past the trajectory's end"]),
        (["--physcheck-model", "m=tests.zoo.faults:wrong_channels"], ["m", "channels"]),
    ],
    ids=[
        "nan-noise",
        "nan-threshold",
        "text-threshold",
        "negative-threshold",
        "unordered-thresholds",
        "empty-trajectories",
        "no-checks",
        "cuda-without-gpu",
        "window-too-long",
        "wrong-channel-count",
    ],
)
def test_bad_settings_stop_with_one_line(
    pytester: pytest.Pytester, args: list[str], patterns: list[str]
) -> None:
    if "cuda" in args and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    if not any(a.startswith("--physcheck-model") for a in args):
        args = ["--physcheck-model", "exact=tests.zoo:exact", *args]
    assert_usage_error(run(pytester, *args), *patterns)


def test_a_gpu_gate_without_a_gpu_fails(pytester: pytest.Pytester) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", "-m", "gpu")
    assert_usage_error(result, "-m 'gpu'", "no CUDA", "must not pass without running")


@pytest.mark.parametrize(
    ("toml", "patterns"),
    [
        ("models = 5", ["'models'", "table"]),
        ('thresholds = "strict"', ["'thresholds'", "table"]),
        ("perturbations = 1.5", ["'perturbations'", "integer"]),
    ],
    ids=["models-int", "thresholds-text", "perturbations-float"],
)
def test_config_values_of_the_wrong_type(
    pytester: pytest.Pytester, toml: str, patterns: list[str]
) -> None:
    pytester.makepyprojecttoml(f"[tool.physcheck]\n{toml}\n")
    assert_usage_error(pytester.runpytest("-p", "no:cacheprovider", "--physcheck-only"), *patterns)


def test_two_settings_files_are_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.physcheck]\nwindow = 'paper'\n")
    pytester.makefile(".toml", physcheck="window = 'early'\n")
    assert_usage_error(pytester.runpytest("-p", "no:cacheprovider"), "physcheck.toml", "keep one")


def test_an_unwritable_json_path_is_found_before_the_run(pytester: pytest.Pytester) -> None:
    blocker = pytester.path / "file"
    blocker.write_text("not a folder")
    result = run(
        pytester,
        "--physcheck-model",
        "exact=tests.zoo:exact",
        f"--physcheck-json={blocker}/results.json",
    )
    assert_usage_error(result, "--physcheck-json", "cannot write")


def test_wrong_field_names_are_found_before_collection(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    import h5py

    source = dataset_dir() / "data" / "test"
    split = tmp_path / "data" / "test"
    split.mkdir(parents=True)
    target = split / next(source.glob("*.hdf5")).name
    shutil.copy(next(source.glob("*.hdf5")), target)
    with h5py.File(target, "r+") as f:
        f["t1_fields"].move("velocity", "momentum")
        f["t1_fields"].attrs["field_names"] = ["magnetic_field", "momentum"]
    result = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", f"--physcheck-data={tmp_path}")
    assert_usage_error(result, "velocity_x", "missing")


def test_a_short_history_window_is_found_before_collection(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-model", "demo",
        "--physcheck-window", "3:1:10",
    )
    assert_usage_error(result, "needs 3", "3:3:10")


# -- model specs ----------------------------------------------------------------------------------
def test_a_class_with_a_step_method_is_instantiated() -> None:
    from physcheck.models import load

    model = load("tests.zoo.faults:PlainClass", data=None)
    assert model.n_history == 1 and not isinstance(model, type)


def test_a_module_subclass_without_init_gets_no_options() -> None:
    from physcheck.models import load

    model = load("tests.zoo.faults:BareModule", data=object(), device="cpu")
    assert isinstance(model, torch.nn.Module)


# -- rootdir and settings with a space-separated option ----------------------------------------------
def test_a_space_separated_data_path_keeps_the_rootdir_and_settings(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    data = tmp_path / "elsewhere" / "MHD"
    shutil.copytree(dataset_dir(), data, ignore=shutil.ignore_patterns("train", "valid", "*.lock"))
    pytester.makepyprojecttoml(
        "[tool.physcheck]\nchecks = ['finite']\nsnapshot_dir = 'snaps'\n"
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-model", "exact=tests.zoo:exact",
        "--physcheck-data", str(data), "--physcheck-window", "3:1:4", "--physcheck-trajectories", "0",
        "--snapshot-update",
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.lines[-20:]
    result.stdout.fnmatch_lines([f"rootdir: {pytester.path}*"])
    result.assert_outcomes(passed=2)  # checks = ['finite'] from [tool.physcheck], + a snapshot
    assert (pytester.path / "snaps" / "exact-traj0.json").is_file()
    assert not (data / "snaps").exists()


# -- failures users can read ----------------------------------------------------------------------
def test_a_model_that_raises_fails_each_item_with_one_line_computed_once(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        "--physcheck-model",
        "bad=tests.zoo.faults:raises_later",
        "--physcheck-checks",
        "finite,stability_horizon,energy",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        ["*physcheck: model 'bad' failed: RuntimeError: diverged at step 3 (at *faults.py:*"]
    )
    assert "CallInfo" not in result.stdout.str()
    assert result.stdout.str().count("step calls: ") == 0
    calls = [line for line in result.stdout.lines if "FAILED physcheck::" in line]
    assert len(calls) == 3


def test_a_long_run_reports_progress(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", "--physcheck-checks", "finite")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["physcheck: rolling out exact (base, 1 trajectories x 6 steps*", "physcheck: rolled out exact (base) in *s"])


def test_threads_are_capped(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "def pytest_sessionfinish(session):\n    import torch\n    print('THREADS', torch.get_num_threads())\n"
    )
    result = run(pytester, "--physcheck-model", "exact=tests.zoo:exact", "--physcheck-checks", "finite", "--physcheck-threads", "1", "-s")
    assert result.ret == pytest.ExitCode.OK
    assert "THREADS 1" in result.stdout.str()


# -- snapshots ------------------------------------------------------------------------------------
def snapshot_run(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    args = [a for a in FAST if a != "--physcheck-no-snapshot"]
    return pytester.runpytest(
        *args, "--physcheck-model", "exact=tests.zoo:exact", "--physcheck-checks", "finite", *extra
    )


def test_snapshot_corrupt_then_repaired(pytester: pytest.Pytester) -> None:
    assert snapshot_run(pytester, "--snapshot-update").ret == 0
    path = pytester.path / "__snapshots__" / "physcheck" / "exact-traj0.json"
    path.write_text("{ not json")
    broken = snapshot_run(pytester)
    broken.stdout.fnmatch_lines(["*snapshot __snapshots__/physcheck/exact-traj0.json is unreadable*"])
    assert broken.ret == pytest.ExitCode.TESTS_FAILED
    repaired = snapshot_run(pytester, "--snapshot-update")
    repaired.stdout.fnmatch_lines(["*rewrote snapshot*"])
    assert snapshot_run(pytester).ret == 0


def test_snapshot_update_writes_only_values_beyond_tolerance(pytester: pytest.Pytester) -> None:
    assert snapshot_run(pytester, "--snapshot-update").ret == 0
    path = pytester.path / "__snapshots__" / "physcheck" / "exact-traj0.json"
    doc = json.loads(path.read_text())
    doc["energy"]["mean_abs_B"]["pred"] *= 1 + 1e-9  # within tolerance: must stay as written
    doc["energy"]["mean_abs_B"]["truth"] *= 2  # beyond tolerance: must be updated
    path.write_text(json.dumps(doc))
    result = snapshot_run(pytester, "--snapshot-update")
    result.stdout.fnmatch_lines(["*snapshot: updated snapshot *exact-traj0.json: 1 updated*"])
    after = json.loads(path.read_text())
    assert after["energy"]["mean_abs_B"]["pred"] == doc["energy"]["mean_abs_B"]["pred"]
    assert after["energy"]["mean_abs_B"]["truth"] != doc["energy"]["mean_abs_B"]["truth"]


def test_a_snapshot_from_another_window_is_reported_as_such(pytester: pytest.Pytester) -> None:
    assert snapshot_run(pytester, "--snapshot-update").ret == 0
    other = pytester.runpytest(
        *[a for a in FAST if a not in ("--physcheck-no-snapshot", "3:1:6")][:2],
        "--physcheck-window", "3:1:5", "--physcheck-trajectories", "0", "--physcheck-perturbations", "0",
        "--physcheck-only", "--physcheck-model", "exact=tests.zoo:exact", "--physcheck-checks", "finite",
    )
    other.stdout.fnmatch_lines(["*was made under window '3:1:6' (this run: '3:1:5')*"])
    assert other.ret == pytest.ExitCode.TESTS_FAILED


def test_recording_nan_warns(tmp_path: Path) -> None:
    from physcheck.snapshot import Tolerance, check_file_snapshot
    from physcheck.snapshot.files import SnapshotWarning

    with pytest.warns(SnapshotWarning, match="non-finite values"):
        ok, lines = check_file_snapshot(
            tmp_path / "s.json", {"a": float("nan")}, Tolerance(), update=True, command="x"
        )
    assert ok and any("non-finite" in line for line in lines)


def test_a_crashed_xdist_worker_is_reported_not_lost(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", str(repo))  # the subprocess imports tests.zoo.faults
    json_path = pytester.path / "results.json"
    result = pytester.runpytest_subprocess(
        *FAST,
        "-p",
        "xdist",
        "-n",
        "1",
        "--max-worker-restart",
        "0",
        "--physcheck-model",
        "dies=tests.zoo.faults:kills_its_process",
        "--physcheck-model",
        "exact=tests.zoo:exact",
        "--physcheck-checks",
        "finite",
        f"--physcheck-json={json_path}",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # a failed gate, never "no tests ran"
    result.stdout.fnmatch_lines(["*model dies (tests.zoo.faults:kills_its_process)*", "*CRASHED: the worker running physcheck::*dies* crashed*"])
    document = json.loads(json_path.read_text())
    assert "worker 'gw0' crashed" in document["crashed"]["dies"]


def test_a_crashed_xdist_worker_alone_fails_the_gate(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", str(repo))  # the subprocess imports tests.zoo.faults
    result = pytester.runpytest_subprocess(
        *FAST,
        *("-p", "xdist", "-n", "1", "--max-worker-restart", "0"),
        *("--physcheck-model", "dies=tests.zoo.faults:kills_its_process"),
        *("--physcheck-checks", "finite"),
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-2000:]
