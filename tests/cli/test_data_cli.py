"""``physcheck data verify/manifest`` (exit 0 match, 1 differ, 4 usage) and the plugin's
``--physcheck-manifest``, which refuses differing data before any item runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
import tests.zoo  # noqa: F401
from physcheck.cli import main as physcheck_main
from physcheck.cli.data import main

SMOKE = Path(__file__).resolve().parents[2] / "fixtures" / "smoke"
NAME = "smoke_Ma_0.7_Ms_0.5.hdf5"


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHYSCHECK_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "smoke"
    (root / "data" / "test").mkdir(parents=True)
    shutil.copy(SMOKE / "stats.yaml", root / "stats.yaml")
    shutil.copy(SMOKE / "data" / "test" / NAME, root / "data" / "test" / NAME)
    return root


def rename_field(path: Path) -> None:
    with h5py.File(path, "r+") as f:
        f["t1_fields"].move("magnetic_field", "magnetic_fild")
        f["t1_fields"].attrs["field_names"] = ["magnetic_fild", "velocity"]


def test_verify_passes_on_the_shipped_set_by_its_dataset_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert physcheck_main(["data", "verify", str(SMOKE)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "matches manifest smoke (1 file checked)" in err
    assert main(["verify", str(SMOKE), "--manifest", "smoke"]) == 0


def test_recorded_manifest_proves_the_copy_unchanged_then_catches_a_change(
    copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", str(copy)]) == 0
    recorded = tmp_path / "m.json"
    recorded.write_text(capsys.readouterr().out)
    assert json.loads(recorded.read_text())["files"][f"data/test/{NAME}"]["sha256"]
    assert main(["verify", str(copy), "--manifest", str(recorded)]) == 0
    capsys.readouterr()
    rename_field(copy / "data" / "test" / NAME)
    assert main(["verify", str(copy), "--manifest", str(recorded)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"data/test/{NAME}: t1_fields has magnetic_fild, manifest says magnetic_field"
    ]
    assert "differs from manifest" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "no/such/dir"], "no such dataset path"),
        (["verify", "{smoke}", "--manifest", "no_such.json"], "no such manifest file"),
        (["verify", "{smoke}", "--manifest", "nope"], "unknown manifest 'nope'"),
        (["verify", "{smoke}", "--manifest", "{bad}"], "not a JSON manifest"),
        (["verify"], "required: path"),
        (["manifest", "{corrupt}"], "not a readable HDF5 file"),
    ],
)
def test_bad_paths_and_manifests_are_usage_errors_of_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    corrupt = tmp_path / "data" / "test" / "x.hdf5"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"\0" * 1000)
    filled = [a.format(smoke=SMOKE, bad=bad, corrupt=corrupt) for a in args]
    assert main(filled) == 4
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1, err
    assert message in err and "Traceback" not in err + out


FAST = [
    "-p",
    "no:cacheprovider",
    "--physcheck-window",
    "3:1:12",
    "--physcheck-trajectories",
    "0",
    "--physcheck-no-snapshot",
    "--physcheck-model",
    "exact=tests.zoo:exact",
    "--collect-only",
    "-q",
]


def test_the_plugin_refuses_data_that_differ_from_the_manifest(
    pytester: pytest.Pytester, copy: Path
) -> None:
    recorded = pytester.path / "m.json"  # a relative manifest path is read from the rootdir
    # the original is accepted, by a recorded manifest and by the shipped one
    ok = pytester.runpytest(*FAST, f"--physcheck-data={copy}", "--physcheck-manifest=smoke")
    assert ok.ret == pytest.ExitCode.OK
    recorded.write_text(json.dumps(_record(copy)))
    ok = pytester.runpytest(*FAST, f"--physcheck-data={copy}", "--physcheck-manifest=m.json")
    assert ok.ret == pytest.ExitCode.OK
    rename_field(copy / "data" / "test" / NAME)
    refused = pytester.runpytest(
        *FAST, f"--physcheck-data={copy}", "--physcheck-manifest", "m.json"
    )
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines(
        [
            "ERROR: physcheck: the data at * do not match the manifest m.json (1 difference):",
            f"*data/test/{NAME}: t1_fields has magnetic_fild, manifest says magnetic_field",
        ]
    )
    assert not [line for line in refused.stderr.lines if "Traceback" in line]
    # the same from [tool.physcheck], with the shipped manifest
    pytester.makepyprojecttoml('[tool.physcheck]\nmanifest = "smoke"\n')
    from_file = pytester.runpytest(*FAST, f"--physcheck-data={copy}")
    assert from_file.ret == pytest.ExitCode.USAGE_ERROR
    from_file.stderr.fnmatch_lines(["*t1_fields has magnetic_fild, manifest says magnetic_field"])


def _record(path: Path) -> dict[str, object]:
    from physcheck.data.manifest import record_manifest

    return record_manifest(path)
