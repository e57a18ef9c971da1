"""Dataset manifests: the shipped ones describe the data they name, a recorded one proves a copy
did not change, and every kind of difference is one line naming it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from physcheck.data.manifest import (
    SHIPPED,
    load_manifest,
    manifest_for,
    record_manifest,
    verification,
    verify_manifest,
)
from physcheck.datasets import RECIPES, recipe_manifest
from physcheck.errors import DataError

SMOKE = Path(__file__).resolve().parents[2] / "fixtures" / "smoke"
SMOKE_FILE = SMOKE / "data" / "test" / "smoke_Ma_0.7_Ms_0.5.hdf5"


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checksums are remembered in a cache of the test's own, not the user's."""
    monkeypatch.setenv("PHYSCHECK_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def smoke_copy(root: Path, names: list[str]) -> Path:
    """A dataset dir with ``stats.yaml`` and the smoke test file copied under each name."""
    (root / "data" / "test").mkdir(parents=True)
    shutil.copy(SMOKE / "stats.yaml", root / "stats.yaml")
    for name in names:
        shutil.copy(SMOKE_FILE, root / "data" / "test" / name)
    return root


def drop_trajectory(path: Path) -> None:
    with h5py.File(path, "r+") as f:
        for group in ("t0_fields", "t1_fields"):
            for name in list(f[group]):
                data, attrs = f[group][name][:1], dict(f[group][name].attrs)
                del f[group][name]
                f[group].create_dataset(name, data=data)
                f[group][name].attrs.update(attrs)
        f.attrs["n_trajectories"] = 1


def rename_field(path: Path) -> None:
    with h5py.File(path, "r+") as f:
        f["t1_fields"].move("magnetic_field", "magnetic_fild")
        f["t1_fields"].attrs["field_names"] = ["magnetic_fild", "velocity"]


def double_time_step(path: Path) -> None:
    with h5py.File(path, "r+") as f:
        f["dimensions/time"][:] = 2 * f["dimensions/time"][:]


def flip_byte(path: Path) -> None:
    """One byte in the middle of the field arrays: the structure stays, the bytes differ."""
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_the_shipped_smoke_set_matches_its_manifest() -> None:
    found = verification(SMOKE, load_manifest("smoke"))
    assert found.differences == []
    assert found.checked == 1
    # the shipped copy has only the test split: the others are named, not failed
    assert any("split train" in note for note in found.notes)
    assert verify_manifest(SMOKE / "data" / "test", load_manifest("smoke")) == []
    assert verify_manifest(SMOKE_FILE, load_manifest("smoke")) == []


def test_a_missing_split_asked_for_by_name_is_a_difference() -> None:
    differences = verify_manifest(SMOKE, load_manifest("smoke"), splits=["train"])
    assert differences == ["data/train/smoke_Ma_0.7_Ms_0.5.hdf5: missing"]


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_shipped_manifests_of_built_sets_follow_their_recipes(name: str) -> None:
    shipped = json.loads((SHIPPED / f"{name}.json").read_text())
    assert shipped == json.loads(json.dumps(recipe_manifest(name))), (
        f"physcheck/manifests/datasets/{name}.json is out of date with its recipe; rewrite it "
        "from physcheck.datasets.recipe_manifest"
    )


def test_mhd64_manifest_has_the_wells_files_and_names_its_discrepancies() -> None:
    manifest = load_manifest("MHD_64")  # by the data's dataset_name
    assert manifest is load_manifest("mhd64") or manifest == load_manifest("mhd64")
    files = manifest["files"]
    assert len(files) == 30  # 10 (Ma, Ms) points x train/valid/test
    entry = files["data/test/MHD_Ma_2_Ms_7.hdf5"]
    assert entry["shape"] == [64, 64, 64] and entry["n_time"] == 100 and entry["dt"] == 0.01
    assert entry["fields"]["t1_fields"] == ["magnetic_field", "velocity"]
    assert files["data/train/MHD_Ma_0.7_Ms_0.5.hdf5"]["documented"][0]["n_trajectories"] == 5
    assert any("discrepancy" in note for note in manifest["notes"])


def test_a_documented_discrepancy_is_a_note_not_a_difference(tmp_path: Path) -> None:
    root = smoke_copy(tmp_path / "copy", ["smoke_Ma_0.7_Ms_0.5.hdf5"])
    manifest = load_manifest("smoke")
    key = "data/test/smoke_Ma_0.7_Ms_0.5.hdf5"
    manifest["files"][key]["n_trajectories"] = 4
    assert verify_manifest(root, manifest) == [f"{key}: 2 trajectories, manifest says 4"]
    manifest["files"][key]["documented"] = [{"n_trajectories": 2, "note": "issue #1"}]
    found = verification(root, manifest)
    assert found.differences == []
    assert any("2 trajectories, manifest says 4 (documented: issue #1)" in n for n in found.notes)


def test_a_recorded_manifest_matches_its_copy_and_catches_each_change(tmp_path: Path) -> None:
    names = ["a.hdf5", "b.hdf5", "c.hdf5", "d.hdf5", "e.hdf5"]
    root = smoke_copy(tmp_path / "copy", names)
    manifest = record_manifest(root)
    assert manifest["dataset_name"] == "smoke"
    assert set(manifest["files"]) == {f"data/test/{n}" for n in names}
    assert all(len(e["sha256"]) == 64 for e in manifest["files"].values())
    assert verify_manifest(root, manifest) == []
    assert verify_manifest(root, json.loads(json.dumps(manifest))) == []  # as JSON

    drop_trajectory(root / "data/test/a.hdf5")
    rename_field(root / "data/test/b.hdf5")
    double_time_step(root / "data/test/c.hdf5")
    flip_byte(root / "data/test/d.hdf5")
    assert sorted(verify_manifest(root, manifest)) == [
        "data/test/a.hdf5: 1 trajectory, manifest says 2",
        "data/test/b.hdf5: t1_fields has magnetic_fild, manifest says magnetic_field",
        "data/test/c.hdf5: dt 2, manifest says 1",
        "data/test/d.hdf5: sha256 differs",
    ]
    # structure only: the flipped byte goes unseen
    assert len(verify_manifest(root, manifest, checksums=False)) == 3


def test_missing_extra_corrupt_files_and_stats_are_one_line_each(tmp_path: Path) -> None:
    root = smoke_copy(tmp_path / "copy", ["a.hdf5", "b.hdf5"])
    manifest = record_manifest(root, checksums=False)
    (root / "data/test/a.hdf5").unlink()
    (root / "data/test/b.hdf5").write_bytes(b"not an hdf5 file at all" * 100)
    (root / "data/test/extra.hdf5").write_bytes(SMOKE_FILE.read_bytes()[:4096])  # truncated
    (root / "stats.yaml").unlink()
    differences = verify_manifest(root, manifest)
    assert len(differences) == 4, differences
    assert differences[0] == "data/test/a.hdf5: missing"
    assert differences[1].startswith("data/test/b.hdf5: not a readable HDF5 file")
    assert differences[2] == "data/test/extra.hdf5: not in the manifest"
    assert differences[3] == "stats.yaml: missing"
    with pytest.raises(DataError, match="b.hdf5: not a readable HDF5 file"):
        record_manifest(root)


def test_a_wrong_grid_dtype_and_parameter_are_named(tmp_path: Path) -> None:
    root = smoke_copy(tmp_path / "copy", ["smoke_Ma_0.7_Ms_0.5.hdf5"])
    manifest = load_manifest("smoke")
    key = "data/test/smoke_Ma_0.7_Ms_0.5.hdf5"
    manifest["files"][key].update(shape=[64, 64, 64], dtype="float64", n_time=100)
    manifest["files"][key]["parameters"]["Ms"] = 2.0
    assert verify_manifest(root, manifest) == [
        f"{key}: 80 frames, manifest says 100",
        f"{key}: grid 16x16x16, manifest says 64x64x64",
        f"{key}: fields are float32, manifest says float64",
        f"{key}: Ms 0.5, manifest says 2",
    ]


def test_bad_paths_and_manifests_raise_one_line(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such dataset path"):
        verify_manifest(tmp_path / "nowhere", load_manifest("smoke"))
    with pytest.raises(DataError, match="unknown manifest 'nope'"):
        load_manifest("nope")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataError, match="not a JSON manifest"):
        load_manifest(bad)
    bad.write_text("[]")
    with pytest.raises(DataError, match="not a physcheck dataset manifest"):
        load_manifest(str(bad))
    # no manifest given: the data's dataset_name picks the shipped one
    assert manifest_for(SMOKE, None)["name"] == "smoke"


def test_manifest_module_is_torch_free() -> None:
    import subprocess
    import sys

    code = (
        "import sys, physcheck.data.manifest, physcheck.cli.data; sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_time_step_in_float32_matches_within_tolerance(tmp_path: Path) -> None:
    root = smoke_copy(tmp_path / "copy", ["smoke_Ma_0.7_Ms_0.5.hdf5"])
    with h5py.File(root / "data/test/smoke_Ma_0.7_Ms_0.5.hdf5", "r+") as f:
        f["dimensions/time"][:] = (np.arange(80) * 0.01).astype(np.float32)
    manifest = load_manifest("smoke")
    manifest["files"]["data/test/smoke_Ma_0.7_Ms_0.5.hdf5"]["dt"] = 0.01
    assert verify_manifest(root, manifest) == []
