"""Malformed Well files are one ``DataError`` naming the file and the object, never a KeyError,
TypeError or RuntimeError from h5py (which pytest would show as an INTERNALERROR)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

from physcheck.data import open_dataset
from physcheck.datasets import dataset_dir
from physcheck.errors import DataError


def smoke_file(tmp_path: Path) -> Path:
    (source,) = sorted((dataset_dir("smoke") / "data" / "test").glob("*.hdf5"))
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def two_component_b(f: h5py.File) -> None:
    b = f["t1_fields/magnetic_field"][:, :, :, :, :, :2]
    del f["t1_fields/magnetic_field"]
    f["t1_fields"].create_dataset("magnetic_field", data=b)


def group_for_dataset(f: h5py.File) -> None:
    del f["t0_fields/density"]
    f["t0_fields"].create_group("density")


def strings_for_values(f: h5py.File) -> None:
    del f["t0_fields/density"]
    f["t0_fields"].create_dataset("density", data=np.array([b"a", b"b", b"c", b"d", b"e"]))


def broken_soft_link(f: h5py.File) -> None:
    del f["t0_fields/density"]
    f["t0_fields/density"] = h5py.SoftLink("/nowhere/density")


def broken_external_link(f: h5py.File) -> None:
    del f["t0_fields/density"]
    f["t0_fields/density"] = h5py.ExternalLink("missing-file.hdf5", "/density")


def dataset_for_group(f: h5py.File) -> None:
    del f["boundary_conditions"]
    f.create_dataset("boundary_conditions", data=np.zeros(3))


CASES: dict[str, tuple[Callable[[h5py.File], None], str]] = {
    "two-component B": (two_component_b, "t1_fields/magnetic_field has shape"),
    "group for a dataset": (group_for_dataset, "t0_fields/density is a Group"),
    "strings for values": (strings_for_values, "t0_fields/density holds |S1 values"),
    "broken soft link": (broken_soft_link, "not a complete Well file"),
    "broken external link": (broken_external_link, "not a complete Well file"),
    "dataset for a group": (dataset_for_group, "not a complete Well file"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_malformed_file_is_one_data_error_naming_it(tmp_path: Path, case: str) -> None:
    damage, expected = CASES[case]
    path = smoke_file(tmp_path)
    with h5py.File(path, "r+") as f:
        damage(f)
    with pytest.raises(DataError) as info:
        open_dataset(path)
    message = str(info.value)
    assert str(path) in message and expected in message, message
    assert "\n" not in message
