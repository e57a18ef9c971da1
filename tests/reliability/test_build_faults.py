"""A data set build on a disk that fills up, or into a folder that cannot be written: one
line naming the file and the reason, no temporary file left, and the data set is built
again whole on the next use (a half-written file never looks complete)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

from physcheck.data.writer import write_stats, write_well_file
from physcheck.errors import PhyscheckError, WriteError


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def fields() -> dict[str, Any]:
    shape = (1, 3, 4, 4, 4)
    return {
        "dataset_name": "smoke",
        "scalar_fields": {"density": np.ones(shape, np.float32)},
        "vector_fields": {"velocity": np.zeros((*shape, 3), np.float32)},
        "times": np.arange(3, dtype=np.float32),
        "box_size": 1.0,
        "parameters": {"Ma": 0.7, "Ms": 0.5},
    }


def test_a_full_disk_midway_through_a_well_file_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = h5py.Group.create_dataset

    def create_dataset(self: h5py.Group, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "velocity":  # the file is half written when the disk fills up
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", create_dataset)
    target = tmp_path / "data" / "test" / "smoke_Ma_0.7_Ms_0.5.hdf5"
    with pytest.raises(WriteError) as caught:
        write_well_file(target, **fields())
    message = str(caught.value)
    assert isinstance(caught.value, PhyscheckError) and "\n" not in message
    assert str(target) in message and "no space left on the device" in message
    assert not target.exists() and not leftovers(tmp_path)


def test_a_folder_in_the_way_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    with pytest.raises(WriteError, match="cannot be written"):
        write_well_file(tmp_path / "data" / "test" / "x.hdf5", **fields())
    with pytest.raises(WriteError, match="stats.yaml: cannot be written"):
        write_stats(tmp_path / "data" / "stats.yaml", {"mean": {}})
    assert not leftovers(tmp_path)
