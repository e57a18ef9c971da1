"""physcheck's files follow The Well's format and load with the_well's own WellDataset."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from physcheck.datasets import dataset_dir
from physcheck.sim.recipes import SMOKE

SHIPPED_TEST_SPLIT = dataset_dir("smoke") / "data" / "test"


def assert_well_format(path: Path, n_dims: int = 3) -> None:
    """The Well's layout rules, as its loaders and format checks rely on them, for a file on an
    ``n_dims``-dimensional grid."""
    with h5py.File(path, "r") as f:
        for attr in (
            "dataset_name",
            "grid_type",
            "n_spatial_dims",
            "n_trajectories",
            "simulation_parameters",
        ):
            assert attr in f.attrs, attr
        assert f.attrs["grid_type"] == "cartesian" and f.attrs["n_spatial_dims"] == n_dims
        for param in f.attrs["simulation_parameters"]:
            assert param in f.attrs and param in f["scalars"], param
        for group in (
            "dimensions",
            "boundary_conditions",
            "scalars",
            "t0_fields",
            "t1_fields",
            "t2_fields",
        ):
            assert group in f, group
        spatial = [str(d) for d in f["dimensions"].attrs["spatial_dims"]]
        assert spatial == ["x", "y", "z"][:n_dims]
        shape = tuple(f["dimensions"][d].shape[0] for d in spatial)
        n_time = f["dimensions"]["time"].shape[0]
        n_traj = int(f.attrs["n_trajectories"])
        for axis in spatial:
            bc = f["boundary_conditions"][f"{axis}_periodic"]
            assert bc.attrs["bc_type"] == "PERIODIC"
            assert list(bc.attrs["associated_dims"]) == [axis]
            mask = bc["mask"][:]
            assert mask.dtype == bool and mask.shape == (f["dimensions"][axis].shape[0],)
            assert mask[0] and mask[-1] and not mask[1:-1].any()
        for order, group in enumerate(("t0_fields", "t1_fields", "t2_fields")):
            names = list(f[group].attrs["field_names"])
            assert sorted(names) == sorted(f[group].keys())
            for name in names:
                d = f[group][name]
                for attr in ("dim_varying", "sample_varying", "time_varying"):
                    assert attr in d.attrs
                assert d.shape == (n_traj, n_time, *shape) + (n_dims,) * order
                assert d.dtype == np.float32
                assert np.isfinite(d[0, :2]).all()
        for name in f["scalars"].attrs["field_names"]:
            for attr in ("time_varying", "sample_varying"):
                assert attr in f["scalars"][name].attrs


def test_shipped_test_split_follows_the_well_format() -> None:
    files = sorted(SHIPPED_TEST_SPLIT.glob("*.hdf5"))
    assert files, "the shipped test split is missing"
    for path in files:
        assert_well_format(path)


def test_written_file_follows_the_well_format(small_dataset) -> None:
    root, _ = small_dataset
    assert_well_format(root / "data" / "test" / "a.hdf5")


def test_the_wells_dataset_loads_the_shipped_split() -> None:
    from the_well.data import WellDataset
    from the_well.data.datasets import BoundaryCondition

    ds = WellDataset(
        path=str(SHIPPED_TEST_SPLIT), n_steps_input=3, n_steps_output=1, use_normalization=False
    )
    sample = ds[0]
    assert sample["input_fields"].shape == (3, 16, 16, 16, 7)
    assert sample["output_fields"].shape == (1, 16, 16, 16, 7)
    assert (sample["boundary_conditions"] == BoundaryCondition["PERIODIC"].value).all()
    assert ds.metadata.field_names[1][:3] == [
        "magnetic_field_x",
        "magnetic_field_y",
        "magnetic_field_z",
    ]
    full = WellDataset(
        path=str(SHIPPED_TEST_SPLIT), full_trajectory_mode=True, use_normalization=False
    )
    assert len(full) == 2 and full[0]["output_fields"].shape[0] == SMOKE.n_frames - 1


def test_the_wells_dataset_normalises_with_our_stats(small_dataset) -> None:
    from the_well.data import WellDataset

    root, frames = small_dataset
    ds = WellDataset(
        path=str(root / "data" / "test"),
        normalization_path=str(root / "stats.yaml"),
        n_steps_input=3,
        n_steps_output=1,
        use_normalization=True,
    )
    assert ds[0]["input_fields"].shape == (3, 8, 8, 8, 7)


def test_stats_yaml_has_the_wells_keys() -> None:
    stats = yaml.safe_load((dataset_dir() / "stats.yaml").read_text())
    for key in ("mean", "std", "rms", "mean_delta", "std_delta", "rms_delta"):
        assert set(stats[key]) == {"density", "magnetic_field", "velocity"}
        assert len(stats[key]["magnetic_field"]) == 3
    assert stats["mean"]["magnetic_field"][0] == pytest.approx(
        0.5 / 0.7, rel=1e-6
    )  # the guide field B0


def test_a_2d_file_follows_the_well_format_and_loads_with_the_well(tmp_path: Path) -> None:
    """A 2D set (a scalar and a 2-component vector on a 8 x 6 grid) in physcheck's writer's
    layout: The Well's rules, The Well's loader and physcheck's reader agree on it."""
    from the_well.data import WellDataset

    from physcheck.data import open_dataset
    from physcheck.data.writer import field_statistics, write_stats, write_well_file

    rng = np.random.default_rng(0)
    tracer = rng.uniform(0.5, 1.0, size=(2, 9, 8, 6)).astype(np.float32)
    velocity = rng.normal(size=(2, 9, 8, 6, 2)).astype(np.float32)
    path = write_well_file(
        tmp_path / "data" / "test" / "flow.hdf5",
        dataset_name="flow2d",
        scalar_fields={"tracer": tracer},
        vector_fields={"velocity": velocity},
        times=np.arange(9, dtype=np.float32),
        box_size=1.0,
        parameters={"Re": 100.0},
    )
    stats = field_statistics({"tracer": tracer}, {"velocity": velocity})
    assert len(stats["mean"]["velocity"]) == 2
    write_stats(tmp_path / "stats.yaml", stats)
    assert_well_format(path, n_dims=2)

    ds = WellDataset(
        path=str(tmp_path / "data" / "test"),
        normalization_path=str(tmp_path / "stats.yaml"),
        n_steps_input=2,
        n_steps_output=1,
        use_normalization=False,
    )
    sample = ds[0]
    assert sample["input_fields"].shape == (2, 8, 6, 3)

    data = open_dataset(tmp_path)
    assert data.field_names == ("tracer", "velocity_x", "velocity_y")
    assert data.spatial_shape == (8, 6) and data.layout().spatial_dims == 2
    frames = data.read_frames(1, 2, 5)  # [T, X, Y, C]
    assert tuple(frames.shape) == (3, 8, 6, 3)
    np.testing.assert_array_equal(frames[..., 0].numpy(), tracer[1, 2:5])
    np.testing.assert_array_equal(frames[..., 1:].numpy(), velocity[1, 2:5])
    # The Well's first sample is trajectory 0's first frames, channels in the same order
    np.testing.assert_array_equal(sample["input_fields"].numpy(), data.read_frames(0, 0, 2).numpy())


def test_tensor_fields_and_walls_agree_with_the_well(tmp_path: Path) -> None:
    """A t2 field and a wall in y, written by physcheck's writer: The Well's loader reads the
    same channels in the same order (``D_xx, D_xy, D_yx, D_yy``) and the same boundaries as
    physcheck's reader, and the generic profile built from the file describes them."""
    from the_well.data import WellDataset

    from physcheck.data import open_dataset
    from physcheck.data.writer import field_statistics, write_stats, write_well_file

    rng = np.random.default_rng(1)
    concentration = rng.uniform(0.5, 1.0, size=(2, 9, 8, 6)).astype(np.float32)
    velocity = rng.normal(size=(2, 9, 8, 6, 2)).astype(np.float32)
    stress = rng.normal(size=(2, 9, 8, 6, 2, 2)).astype(np.float32)
    write_well_file(
        tmp_path / "data" / "test" / "am.hdf5",
        dataset_name="active-like",
        scalar_fields={"concentration": concentration},
        vector_fields={"velocity": velocity},
        tensor_fields={"D": stress},
        times=np.arange(9, dtype=np.float32),
        box_size=1.0,
        parameters={"a": 1.0},
        boundaries={"y": "wall"},
    )
    flat = {"velocity": velocity, "D": stress.reshape(2, 9, 8, 6, 4)}
    write_stats(tmp_path / "stats.yaml", field_statistics({"concentration": concentration}, flat))
    ds = WellDataset(
        path=str(tmp_path / "data" / "test"),
        normalization_path=str(tmp_path / "stats.yaml"),
        n_steps_input=2,
        n_steps_output=1,
        use_normalization=False,
    )
    sample = ds[0]
    data = open_dataset(tmp_path)
    well_channels = [c for order in (0, 1, 2) for c in ds.metadata.field_names[order]]
    assert tuple(well_channels) == data.field_names == (
        "concentration", "velocity_x", "velocity_y", "D_xx", "D_xy", "D_yx", "D_yy",
    )  # fmt: skip
    np.testing.assert_array_equal(sample["input_fields"].numpy(), data.read_frames(0, 0, 2).numpy())
    np.testing.assert_array_equal(data.read_frames(1, 3, 4)[0, ..., 4].numpy(), stress[1, 3, ..., 0, 1])
    # The Well's boundary codes per axis and side: x periodic (2), y wall (0)
    assert sample["boundary_conditions"].tolist() == [[2, 2], [0, 0]]
    assert data.axis_boundaries == {"x": "PERIODIC", "y": "WALL"}
    assert [f.kind for f in data.generic_profile().fields] == ["scalar", "vector", "tensor"]


def test_axis_boundaries_are_read_however_a_file_names_them(tmp_path: Path) -> None:
    """``associated_dims`` as a list, as one string (The Well's dummy data), or missing (the
    key's axis); ``bc_type`` as bytes; two conditions on one axis; an axis without any."""
    from physcheck.data import open_dataset
    from physcheck.data.writer import write_well_file

    path = write_well_file(
        tmp_path / "b.hdf5",
        dataset_name="b",
        scalar_fields={"a": np.ones((1, 3, 4, 4, 4), dtype=np.float32)},
        vector_fields={},
        times=np.arange(3, dtype=np.float32),
        box_size=1.0,
        parameters={},
        boundaries={"y": "open", "z": "wall"},
    )
    with h5py.File(path, "a") as f:
        bcs = f["boundary_conditions"]
        bcs["x_periodic"].attrs["associated_dims"] = "x"
        bcs["x_periodic"].attrs["bc_type"] = np.bytes_(b"periodic")
        del bcs["y_open"].attrs["associated_dims"]
        wall = bcs.create_group("y_wall")
        wall.attrs["associated_dims"] = ["y"]
        wall.attrs["bc_type"] = "WALL"
        del bcs["z_wall"]
    data = open_dataset(path)
    assert data.axis_boundaries == {"x": "PERIODIC", "y": "OPEN/WALL", "z": "UNSPECIFIED"}
    assert not data.periodic
