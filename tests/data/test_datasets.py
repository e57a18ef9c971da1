"""physcheck's data sets: deterministic builds checked against the recorded checksums, the
shipped smoke set, the per-user cache, and The Well's loader on every set's layout.

The default set's build-and-checksum test is opt-in (``-m slow``: about 4 minutes on two
cores); the smoke set's runs in CI.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from physcheck import datasets
from physcheck.cli.datasets import main as fixtures_main
from physcheck.errors import DataError
from physcheck.sim.recipes import MHD64_LIKE, RECIPES, SMOKE


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(datasets.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_shipped_smoke_split_matches_its_recorded_checksum() -> None:
    root = datasets.dataset_dir("smoke")
    assert root == datasets.REPO_FIXTURES / "smoke"
    lines = datasets.verify(root, "smoke", ["test"])
    assert lines == ["test/smoke_Ma_0.7_Ms_0.5.hdf5: ok"]  # the shipped bytes: exact
    size = sum(p.stat().st_size for p in (root / "data" / "test").glob("*.hdf5"))
    assert size < 25e6


def test_rebuilding_the_smoke_split_reproduces_its_checksum(tmp_path: Path) -> None:
    root = datasets.build("smoke", root=tmp_path / "smoke", splits=["test"], progress=False)
    lines = datasets.verify(root, "smoke", ["test"])
    assert len(lines) == 1 and lines[0].startswith("test/smoke_Ma_0.7_Ms_0.5.hdf5: ok")
    # stats.yaml comes from the recorded train-split statistics when train is not built
    assert (root / "stats.yaml").read_text() == (
        datasets.dataset_dir("smoke") / "stats.yaml"
    ).read_text()


@pytest.mark.slow
def test_building_the_default_set_reproduces_its_checksum(tmp_path: Path) -> None:
    root = datasets.build("default", root=tmp_path / "default", splits=["test"], progress=False)
    lines = datasets.verify(root, "default", ["test"])
    assert len(lines) == len(RECIPES["default"].points)
    assert all(": ok" in line for line in lines)
    from the_well.data import WellDataset

    loaded = WellDataset(path=str(root / "data" / "test"), n_steps_input=3, n_steps_output=1, use_normalization=False)
    assert loaded[0]["input_fields"].shape == (3, 32, 32, 32, 7)


def test_a_changed_file_fails_the_checksum_with_the_fix(tmp_path: Path) -> None:
    root = tmp_path / "smoke"
    shutil.copytree(
        datasets.dataset_dir("smoke"),
        root,
        ignore=shutil.ignore_patterns("train", "valid", "*.lock"),
    )
    path = root / "data" / "test" / "smoke_Ma_0.7_Ms_0.5.hdf5"
    with h5py.File(path, "r+") as f:
        f["t1_fields/velocity"][0, 40] *= 1.01
    with pytest.raises(DataError, match=r"trajectory 0, channel 4.*Delete .* and build again"):
        datasets.verify(root, "smoke", ["test"])


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing"):
        datasets.verify(tmp_path, "smoke", ["test"])


def test_round_off_differences_pass_and_say_so() -> None:
    want = datasets.manifest("smoke")["files"]["test/smoke_Ma_0.7_Ms_0.5.hdf5"]  # type: ignore[index]
    nudged = dict(want, sha256="0" * 64, rms=[[v * (1 + 1e-7) for v in row] for row in want["rms"]])
    assert datasets.compare_fingerprints(nudged, want) is None
    moved = dict(nudged, rms=[[v * (1 + 1e-3) for v in row] for row in want["rms"]])
    assert "trajectory 0, channel 0" in (datasets.compare_fingerprints(moved, want) or "")


def test_unknown_set_names_list_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasets.DATASET_ENV, "MHD_256")
    with pytest.raises(DataError, match="default, mhd64-like, shear-flow, shear-flow-like, shear-flow-smoke, smoke"):
        datasets.default_name()


def test_the_default_set_lives_in_the_per_user_cache(
    isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(datasets.DATASET_ENV, "default")
    assert datasets.dataset_dir() == isolated_cache / "datasets" / "default"
    monkeypatch.delenv(datasets.CACHE_ENV)
    import platformdirs

    assert datasets.dataset_dir("default").is_relative_to(
        Path(platformdirs.user_cache_dir("physcheck", appauthor=False))
    )


TINY = dataclasses.replace(
    SMOKE, name="tiny", n_frames=4, spinup_intervals=2, trajectories=(("train", 2), ("test", 1))
)


def test_first_use_builds_once_with_a_progress_bar(
    isolated_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(datasets.RECIPES, "tiny", TINY)
    monkeypatch.setattr(datasets, "MANIFESTS", isolated_cache / "manifests")
    root = datasets.default_dataset(name="tiny", splits=("train", "test"))
    err = capsys.readouterr().err
    assert "building the tiny data set" in err and "interval" in err  # the announcement and tqdm
    assert sorted(p.parent.name for p in root.rglob("*.hdf5")) == ["test", "train"]
    assert "density" in (root / "stats.yaml").read_text()
    stamp = {p: p.stat().st_mtime_ns for p in root.rglob("*.hdf5")}
    assert datasets.default_dataset(name="tiny", splits=("train", "test")) == root
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.hdf5")} == stamp  # not rebuilt
    assert "building" not in capsys.readouterr().err


def test_the_cli_builds_records_and_verifies(
    isolated_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import physcheck.cli.datasets as cli

    monkeypatch.setitem(datasets.RECIPES, "tiny", TINY)
    manifests = isolated_cache / "manifests"
    monkeypatch.setattr(datasets, "MANIFESTS", manifests)
    monkeypatch.setattr(cli, "MANIFESTS", manifests)
    out = isolated_cache / "tiny"
    argv_build = ["build", "tiny", "--out", str(out), "--splits", "train,test", "--record"]
    monkeypatch.setattr(cli, "RECIPES", datasets.RECIPES)
    assert fixtures_main(argv_build) == 0
    assert (manifests / "tiny.json").exists()
    assert fixtures_main(["verify", "tiny", "--out", str(out), "--splits", "train,test"]) == 0
    assert capsys.readouterr().out.count(": ok") == 2
    assert fixtures_main(["verify", "tiny", "--out", str(isolated_cache / "nothing")]) == 2
    assert "ERROR: physcheck fixtures:" in capsys.readouterr().out


def test_the_wells_dataset_loads_every_sets_layout(tmp_path: Path) -> None:
    """The Well's loader reads each set's files: the shipped smoke split as it is, and the
    default and mhd64-like layouts (file names, two points per split, their attributes) from a
    few frames built at 16^3 (their full builds take minutes to hours)."""
    from the_well.data import WellDataset

    loaded = WellDataset(
        path=str(datasets.dataset_dir("smoke") / "data" / "test"),
        n_steps_input=3,
        n_steps_output=1,
        use_normalization=False,
    )
    assert loaded[0]["input_fields"].shape == (3, 16, 16, 16, 7)
    for recipe in (RECIPES["default"], MHD64_LIKE):
        small = dataclasses.replace(
            recipe,
            n=16,
            n_frames=5,
            spinup_intervals=1,
            coarse_spinup_n=0,
            fine_spinup_intervals=0,
            points=tuple(dataclasses.replace(p, spinup_intervals=1) for p in recipe.points[:2]),
            trajectories=(("test", 1),),
        )
        from physcheck.sim.generate import build

        paths = build(small, tmp_path / recipe.name, splits=["test"])
        assert [p.name for p in paths] == [recipe.file_name(p) for p in recipe.points[:2]]
        ds = WellDataset(
            path=str(tmp_path / recipe.name / "data" / "test"),
            n_steps_input=3,
            n_steps_output=1,
            use_normalization=False,
        )
        assert len(ds) == 2 * (5 - 3)
        sample = ds[0]["output_fields"]
        assert sample.shape == (1, 16, 16, 16, 7) and np.isfinite(sample.numpy()).all()
        with h5py.File(paths[1], "r") as f:
            assert (
                f.attrs["Ms"] == recipe.points[1].Ms
                and "forcing_nmax" in f.attrs["simulation_parameters"]
            )


def test_mhd64_like_is_never_built_behind_the_users_back(isolated_cache: Path) -> None:
    with pytest.raises(DataError, match="fixtures build mhd64-like --splits test --device cuda"):
        datasets.default_dataset(name="mhd64-like")
    assert not list(isolated_cache.rglob("*.hdf5"))
