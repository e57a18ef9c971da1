"""Every output names the data, models and software its verdicts came from."""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import tests.zoo  # noqa: F401
from physcheck.datasets import dataset_dir

FAST = [
    "-p",
    "no:cacheprovider",
    "--physcheck-model",
    "exact=tests.zoo:exact",
    "--physcheck-window",
    "3:1:3",
    "--physcheck-checks",
    "finite,vrmse",
    "--physcheck-no-snapshot",
    "--physcheck-no-cache",
]


def copy_of_smoke(target: Path) -> Path:
    shutil.copytree(
        dataset_dir("smoke"), target, ignore=shutil.ignore_patterns("train", "valid", "*.lock")
    )
    return target


def gate(pytester: pytest.Pytester, data: Path, name: str) -> tuple[dict, pytest.RunResult]:  # type: ignore[type-arg]
    result = pytester.runpytest(
        *FAST,
        "--physcheck-data",
        str(data),
        "--physcheck-json",
        f"{name}.json",
        "--junitxml",
        f"{name}.xml",
    )
    assert result.ret == 0, result.stdout.str()
    return json.loads((pytester.path / f"{name}.json").read_text()), result


def test_the_json_names_each_file_read_with_its_size_and_sha256(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    data = copy_of_smoke(tmp_path / "smoke")
    document, result = gate(pytester, data, "run")
    block = document["provenance"]
    files = sorted((data / "data" / "test").glob("*.hdf5"))
    assert [f["name"] for f in block["data"]["files"]] == [f.name for f in files]
    for entry, path in zip(block["data"]["files"], files):
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert block["data"]["given"] == str(data) and block["data"]["split"] == "test"
    assert [t["index"] for t in block["data"]["trajectories"]] == list(
        range(len(block["data"]["trajectories"]))
    )
    assert all("Ma" in t and "Ms" in t for t in block["data"]["trajectories"])
    assert block["models"]["exact"]["spec"] == "tests.zoo:exact"
    assert block["models"]["exact"]["frames"]["predicted"] == [3, 5]
    assert block["environment"]["torch"] == torch.__version__
    # the terminal summary and JUnit XML name the same data
    result.stdout.fnmatch_lines([f"data: {data}, split test*", "  file *: * bytes, sha256 *"])
    properties = {
        p.get("name"): p.get("value") for p in ET.parse(pytester.path / "run.xml").iter("property")
    }
    first = block["data"]["files"][0]
    assert properties[f"physcheck_file:{first['name']}"] == first["sha256"]
    from physcheck.report.build import write_report

    page = write_report(document, tmp_path / "report").read_text()
    assert f"sha256 {first['sha256'][:16]}" in page and str(data) in page


def test_two_data_dirs_with_the_same_file_names_give_different_provenance(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    first = copy_of_smoke(tmp_path / "a" / "smoke")
    second = copy_of_smoke(tmp_path / "b" / "smoke")
    changed = sorted((second / "data" / "test").glob("*.hdf5"))[0]
    with h5py.File(changed, "r+") as f:  # one value of the data, nudged
        density = f["t0_fields/density"]
        density[0, 0, 0, 0, 0] = density[0, 0, 0, 0, 0] * 1.001
    a, _ = gate(pytester, first, "a")
    b, _ = gate(pytester, second, "b")
    assert a["provenance"]["data"]["given"] != b["provenance"]["data"]["given"]
    sha_a = [f["sha256"] for f in a["provenance"]["data"]["files"]]
    sha_b = [f["sha256"] for f in b["provenance"]["data"]["files"]]
    assert sha_a[0] != sha_b[0] and sha_a[1:] == sha_b[1:]


def test_the_default_set_is_named_not_left_empty(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*FAST, "--physcheck-json", "run.json")
    assert result.ret == 0, result.stdout.str()
    document = json.loads((pytester.path / "run.json").read_text())
    assert document["settings"]["data"] == "physcheck set 'smoke'"
    assert document["provenance"]["data"]["recipe"] == "smoke"
    result.stdout.fnmatch_lines(["*on physcheck set 'smoke'*", "data: physcheck set 'smoke'*"])


def test_the_json_is_written_without_the_schema_validator(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "jsonschema", None)  # as on a plain install
    result = pytester.runpytest(*FAST, "--physcheck-json", "run.json")
    assert result.ret == 0, result.stdout.str()
    assert json.loads((pytester.path / "run.json").read_text())["results"]


def test_the_rollout_cache_is_tagged_for_backup_tools(pytester: pytest.Pytester) -> None:
    args = [a for a in FAST if a != "--physcheck-no-cache"]
    result = pytester.runpytest(*args)
    assert result.ret == 0, result.stdout.str()
    tag = pytester.path / ".physcheck-cache" / "CACHEDIR.TAG"
    assert tag.read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
