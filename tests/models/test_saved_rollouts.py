"""Saved rollouts (``--physcheck-predictions``, ``physcheck export``): gating files gives the
in-process numbers and verdicts; missing variants skip with the reason; bad files and files
that do not cover the window are one clear error."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from physcheck.config import build_settings
from physcheck.data.formats import FORMATS
from physcheck.data.predictions import open_predictions, prediction_writer
from physcheck.errors import ConfigError, DataError, ModelSpecError
from physcheck.jsonio import to_json_data
from physcheck.outputs.payloads import key_numbers
from physcheck.suite import Suite


def suite_of(models: list[str], predictions: list[str] = (), **cli: Any) -> Suite:  # type: ignore[assignment]
    options: dict[str, Any] = {"models": models, "predictions": list(predictions)}
    options.update(cli)
    return Suite(build_settings({"cache": False}, options))


def comparable(suite: Suite, name: str) -> str:
    """A model's results and key numbers as canonical JSON, provenance (the model spec, the
    checkpoint hash) left out."""
    results = [dataclasses.asdict(r) for r in suite.results(name)]
    numbers = dict(key_numbers(suite, name))
    numbers.pop("_meta", None)
    return json.dumps(to_json_data({"results": results, "numbers": numbers}), sort_keys=True)


@pytest.mark.parametrize(
    ("spec", "trajectories", "perturbations"),
    [
        pytest.param("demo", "0-1", "2", id="demo", marks=pytest.mark.slow),  # the oracle's in CI
        pytest.param("reference", "0", "1", id="oracle"),
    ],
)
def test_gating_files_equals_gating_in_process(
    tmp_path: Path, spec: str, trajectories: str, perturbations: str
) -> None:
    """Every check (precision, basin_determinism and equivariance included, from the exported
    variants) gives the in-process numbers exactly, and the model's own skip reasons travel."""
    options = {"trajectories": trajectories, "perturbations": perturbations}
    in_process = suite_of([f"m={spec}"], **options)
    expected = comparable(in_process, "m")
    path = in_process.export("m", tmp_path / "m.hdf5")
    gated = suite_of([], [f"m={path}"], **options)
    gated.validate("m")
    assert comparable(gated, "m") == expected
    assert gated.rollout_counts == {}  # read, not run
    checks = {r.check for r in gated.results("m") if not r.skipped}
    if spec == "demo":
        assert {"precision", "basin_determinism", "equivariance"} <= checks


@pytest.fixture(scope="module")
def persistence_suite() -> Suite:
    return suite_of(["p=persistence"], trajectories="0-1", perturbations="1", window="3:1:8")


@pytest.mark.parametrize("suffix", [cls.suffixes[0] for cls in FORMATS.values()])
def test_every_format_round_trips(tmp_path: Path, persistence_suite: Suite, suffix: str) -> None:
    path = persistence_suite.export("p", tmp_path / f"p{suffix}")
    opened = open_predictions(path, persistence_suite.data.infos[0].sources)
    assert opened.meta["start_frame"] == 3 and opened.meta["trajectories"] == [0, 1]
    assert {"float64", "noise0", "equivariance:identity"} <= set(opened.variants)
    assert opened.read("float64").dtype == torch.float64
    gated = suite_of([], [f"p={path}"], trajectories="0-1", perturbations="1", window="3:1:8")
    assert comparable(gated, "p") == comparable(persistence_suite, "p")


def test_a_subset_of_the_saved_trajectories_is_gated(tmp_path: Path, persistence_suite: Suite) -> None:
    path = persistence_suite.export("p", tmp_path / "p.hdf5")
    options = {"trajectories": "1", "perturbations": "1", "window": "3:1:8"}
    in_process = suite_of(["p=persistence"], **options)
    assert comparable(suite_of([], [f"p={path}"], **options), "p") == comparable(in_process, "p")


def write_plain(path: Path, frames: torch.Tensor, meta: dict[str, Any] | None = None) -> Path:
    """A prediction file as another tool would write it: frames only, unless ``meta``."""
    with prediction_writer(path, meta or {}) as writer:
        sink = writer.sink("", tuple(frames.shape), frames.dtype)
        for step in range(1, frames.shape[1] + 1):
            sink(step, frames[:, step - 1])
    return path


def truth_frames(suite: Suite) -> torch.Tensor:
    return suite.truth(1).truth.clone()


def test_metadata_can_be_given_when_the_file_lacks_it(tmp_path: Path) -> None:
    """Frames from elsewhere (here: the truth itself, an exact model) with start and
    trajectories given on the command line; the checks that need other rollouts skip and
    say how to provide them."""
    options = {"trajectories": "0-1", "window": "3:1:8", "perturbations": "2"}
    frames = truth_frames(suite_of(["p=persistence"], **options))
    path = write_plain(tmp_path / "exact.npz", frames)
    with pytest.raises(ModelSpecError, match=r"start=N"):
        suite_of([], [f"x={path}"], **options).validate("x")
    with pytest.raises(ModelSpecError, match=r"trajectories=0-3"):
        suite_of([], [f"x={path},start=3"], **options).validate("x")
    gated = suite_of([], [f"x={path},start=3,trajectories=0-1"], **options)
    gated.validate("x")
    results = gated.results("x")
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]
    skipped = {r.check: r.skipped for r in results if r.skipped}
    assert "float64" in skipped["precision"] and "physcheck export" in skipped["precision"]
    assert "noise0, noise1" in skipped["basin_determinism"]
    assert "equivariance:identity" in skipped["equivariance"]
    vrmse = next(r for r in results if r.check == "vrmse")
    assert vrmse.value == 0.0


def test_variant_files_are_read_when_given(tmp_path: Path) -> None:
    options = {"trajectories": "0", "window": "3:1:8", "perturbations": "1", "checks": "precision,basin_determinism"}
    frames = truth_frames(suite_of(["p=persistence"], **options))
    base = write_plain(tmp_path / "base.npz", frames, {"start_frame": 3, "trajectories": [0]})
    twin = write_plain(tmp_path / "twin.pt", frames.double() * (1 + 1e-9))
    noisy = write_plain(tmp_path / "noisy.hdf5.npz", frames * (1 + 1e-6))
    spec = f"x={base},float64={twin},noise0={noisy}"
    results = suite_of([], [spec], **options).results("x")
    assert {r.check for r in results if not r.skipped} == {"precision", "basin_determinism"}
    assert all(r.passed for r in results), [r.message for r in results]


def test_noise_other_than_the_runs_is_named(tmp_path: Path, persistence_suite: Suite) -> None:
    path = persistence_suite.export("p", tmp_path / "p.hdf5")
    gated = suite_of(
        [], [f"p={path}"], trajectories="0-1", perturbations="1", window="3:1:8", noise="1e-4"
    )
    (skip,) = {r.skipped for r in gated.results("p") if r.check == "basin_determinism"}
    assert skip is not None and "--physcheck-noise 1e-06" in skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"window": "4:1:8"}, r"start at frame 3.*--physcheck-window 3:1:8"),
        ({"window": "3:1:12"}, r"hold 8 steps; the window needs 12"),
        ({"trajectories": "0-1"}, r"cover trajectories \[1\]; \[0\] are asked for"),
    ],
    ids=["start", "steps", "trajectories"],
)
def test_a_file_that_does_not_cover_the_window_is_one_clear_error(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    options = {"trajectories": "1", "perturbations": "1", "window": "3:1:8"}
    path = suite_of(["p=persistence"], **options).export("p", tmp_path / "p.hdf5")
    options |= change
    with pytest.raises(DataError, match=message):
        suite_of([], [f"p={path}"], **options).validate("p")


def test_bad_files_are_one_clear_error(tmp_path: Path) -> None:
    options = {"trajectories": "0", "window": "3:1:8"}
    frames = truth_frames(suite_of(["p=persistence"], **options))
    meta = {"start_frame": 3, "trajectories": [0]}
    cases = {
        "channels": (write_plain(tmp_path / "c.npz", frames[..., :5], meta), r"5 channels; the data has 7"),
        "grid": (write_plain(tmp_path / "g.npz", frames[:, :, :8], meta), r"8x16x16 grid"),
        "rows": (write_plain(tmp_path / "r.npz", frames.repeat(2, 1, 1, 1, 1, 1), meta), r"2 rows"),
    }
    for path, message in cases.values():
        with pytest.raises(DataError, match=message):
            suite_of([], [f"x={path}"], **options).validate("x")
    corrupt = tmp_path / "corrupt.hdf5"
    corrupt.write_bytes(b"not hdf5")
    with pytest.raises(DataError, match=r"not a readable HDF5 file"):
        suite_of([], [f"x={corrupt}"], **options).validate("x")
    np.savez(tmp_path / "empty.npz", other=np.zeros(3))
    with pytest.raises(DataError, match=r"holds no 'frames' array"):
        suite_of([], [f"x={tmp_path / 'empty.npz'}"], **options).validate("x")
    with pytest.raises(DataError, match=r"\.hdf5/\.h5 \(Well layout\), \.npz or \.pt"):
        suite_of([], [f"x={tmp_path / 'frames.txt'}"], **options).validate("x")
    with pytest.raises(DataError, match=r"no such prediction file"):
        suite_of([], [f"x={tmp_path / 'missing.npz'}"], **options).validate("x")


def test_prediction_specs_are_checked_when_parsed() -> None:
    with pytest.raises(ConfigError, match=r"unknown option 'strat'"):
        build_settings({}, {"predictions": ["x=a.npz,strat=3"]})
    with pytest.raises(ConfigError, match=r"bad trajectory list"):
        build_settings({}, {"predictions": ["x=a.npz,trajectories=a-b"]})
    with pytest.raises(ConfigError, match=r"unique across models and predictions"):
        build_settings({}, {"models": ["x=demo"], "predictions": ["x=a.npz"]})
    settings = build_settings(
        {"predictions": {"y": "b.hdf5,start=21,trajectories=0-2:5,noise0=n.npz"}}, {}
    )
    (entry,) = settings.models
    assert entry.kind == "saved" and entry.spec == "saved:b.hdf5,start=21,trajectories=0-2:5,noise0=n.npz"


def test_export_says_how_it_is_called(capsys: pytest.CaptureFixture[str]) -> None:
    from physcheck.cli import export

    assert export.main([]) == 0 and "usage: physcheck export DIR" in capsys.readouterr().out
    assert export.main(["--physcheck-model", "p=persistence"]) == 2
    assert "the first argument is the output folder" in capsys.readouterr().err


def test_export_and_gate_through_the_command_line(pytester: pytest.Pytester) -> None:
    """``physcheck export`` then ``--physcheck-predictions``: the same JSON as the in-process
    run apart from the model's spec."""
    common = ["--physcheck-window", "3:1:8", "--physcheck-trajectories", "0", "--physcheck-perturbations", "1"]
    from physcheck.cli import export

    exported = pytester.path / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(pytester.path)
        assert export.main([str(exported), "--physcheck-model", "p=persistence", *common]) == 0
    assert (exported / "p.hdf5").is_file()
    run = ["-p", "no:cacheprovider", "--physcheck-only", "--physcheck-no-snapshot", *common]
    direct = pytester.runpytest(*run, "--physcheck-model", "p=persistence", "--physcheck-json", "a.json")
    saved = pytester.runpytest(
        *run, "--physcheck-predictions", f"p={exported / 'p.hdf5'}", "--physcheck-json", "b.json"
    )
    assert direct.ret == saved.ret
    a, b = (json.loads((pytester.path / f).read_text()) for f in ("a.json", "b.json"))
    assert a["settings"]["models"] == {"p": "persistence"}
    a["settings"]["models"] = b["settings"]["models"] = None
    # the provenance names the model (its spec, hash, weight or prediction files), the rest is equal
    assert b["provenance"]["models"]["p"]["weights"][0]["name"] == "p.hdf5"
    a["provenance"]["models"] = b["provenance"]["models"] = None
    assert a == b
