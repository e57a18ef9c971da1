"""Reading windows, by h5py slicing, and the errors bad input gets."""

from __future__ import annotations

import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from physcheck.data import EARLY, PAPER, DataError, Window, open_dataset, parse_window
from physcheck.fields import MHD_FIELDS
from tests.data.conftest import make_frames, write_split


def test_open_dataset_describes_the_data(small_dataset) -> None:
    root, frames = small_dataset
    data = open_dataset(root)
    assert data.field_names == MHD_FIELDS
    assert data.n_trajectories == 2 and data.n_time == 12 and data.spatial_shape == (8, 8, 8)
    assert data.boundary_conditions == {
        "x_periodic": "PERIODIC",
        "y_periodic": "PERIODIC",
        "z_periodic": "PERIODIC",
    }
    assert data.parameters == {"Ma": pytest.approx(0.7), "Ms": pytest.approx(0.5)}
    assert data.frame_interval == pytest.approx(0.5)
    assert data.layout().magnetic == (1, 2, 3)
    assert open_dataset(root, split="train").n_trajectories == 1
    assert open_dataset(root / "data" / "test").n_trajectories == 2
    assert open_dataset(root / "data" / "test" / "a.hdf5").stats["mean"][
        "density"
    ] == pytest.approx(float(frames[..., 0].astype(np.float64).mean()))


def test_read_window_returns_the_right_frames(small_dataset) -> None:
    root, frames = small_dataset
    data = open_dataset(root)
    history, truth = data.read_window(1, Window(4, 5), n_history=3)
    assert history.shape == (3, 8, 8, 8, 7) and truth.shape == (5, 8, 8, 8, 7)
    np.testing.assert_array_equal(history.numpy(), frames[1, 1:4])
    np.testing.assert_array_equal(truth.numpy(), frames[1, 4:9])
    np.testing.assert_array_equal(
        data.read_window(0, Window(2, 3, n_history=2))[0].numpy(), frames[0, 0:2]
    )


def test_read_window_reads_only_the_windows_frames(small_dataset, monkeypatch) -> None:
    root, _ = small_dataset
    data = open_dataset(root)
    seen: list[object] = []
    original = h5py.Dataset.__getitem__

    def spy(self, key):
        if self.name.startswith("/t"):
            seen.append(key)
        return original(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    data.read_window(1, Window(5, 4), n_history=2)
    assert seen and all(k == (1, slice(3, 9, None)) for k in seen)


def test_window_errors_say_what_to_do(small_dataset) -> None:
    root, _ = small_dataset
    data = open_dataset(root)
    with pytest.raises(DataError, match="would start at frame -1, before frame 0"):
        data.read_window(0, Window(2, 3), n_history=3)
    with pytest.raises(DataError, match="past the trajectory's end"):
        data.read_window(0, Window(3, 50), n_history=3)
    with pytest.raises(DataError, match="trajectories 0..1"):
        data.read_frames(5, 0, 2)


def test_standard_windows_and_parsing() -> None:
    assert EARLY.history_frames(3) == range(0, 3) and EARLY.predicted_frames == range(3, 53)
    assert PAPER.history_frames(3) == range(14, 17) and PAPER.predicted_frames == range(17, 77)
    assert parse_window("paper") == PAPER and parse_window("EARLY") == EARLY
    assert parse_window("17:6:60") == Window(17, 60, 6)
    assert parse_window("10:20") == Window(10, 20)
    assert parse_window("17:6:60").label == "17:6:60" and PAPER.label == "paper"
    for bad in ("late", "1:2:3:4", "a:b"):
        with pytest.raises(DataError, match="bad window"):
            parse_window(bad)
    PAPER.check(6, 100)  # the released Walrus history of 6 fits
    with pytest.raises(DataError):
        PAPER.check(3, 70)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such dataset path"):
        open_dataset(tmp_path / "nowhere")
    with pytest.raises(DataError, match="no .hdf5 files"):
        open_dataset(tmp_path)


def test_missing_split(small_dataset) -> None:
    root, _ = small_dataset
    with pytest.raises(DataError, match=r"no split 'valid'; available splits: \['test', 'train'\]"):
        open_dataset(root, split="valid")


def test_corrupt_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.hdf5"
    bad.write_bytes(b"not an hdf5 file at all" * 100)
    with pytest.raises(DataError, match="corrupt or truncated"):
        open_dataset(bad)


def test_truncated_file(small_dataset, tmp_path: Path) -> None:
    root, _ = small_dataset
    source = root / "data" / "test" / "a.hdf5"
    truncated = tmp_path / "truncated.hdf5"
    truncated.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(DataError, match="corrupt or truncated|incomplete"):
        data = open_dataset(truncated)
        data.read_window(1, Window(3, 8), n_history=3)


def test_missing_group(small_dataset, tmp_path: Path) -> None:
    root, _ = small_dataset
    copy = tmp_path / "copy.hdf5"
    shutil.copy(root / "data" / "test" / "a.hdf5", copy)
    with h5py.File(copy, "a") as f:
        del f["boundary_conditions"]
    with pytest.raises(DataError, match=r"missing group\(s\) \['boundary_conditions'\]"):
        open_dataset(copy)


def test_field_name_mismatch(tmp_path: Path) -> None:
    frames = make_frames(n_traj=1)
    write_split(tmp_path / "split" / "a.hdf5", frames)
    from physcheck.data.writer import write_well_file

    write_well_file(
        tmp_path / "split" / "b.hdf5",
        dataset_name="MHD_test",
        scalar_fields={"pressure": frames[..., 0]},
        vector_fields={"magnetic_field": frames[..., 1:4], "velocity": frames[..., 4:7]},
        times=np.arange(12.0),
        box_size=1.0,
        parameters={"Ma": 0.7},
    )
    with pytest.raises(DataError, match="field names differ"):
        open_dataset(tmp_path / "split")
    with pytest.raises(DataError, match="expected"):
        open_dataset(tmp_path / "split" / "a.hdf5", expect_fields=("density",))


def test_missing_stats_file(tmp_path: Path) -> None:
    write_split(tmp_path / "split" / "a.hdf5", make_frames(n_traj=1))
    data = open_dataset(tmp_path / "split")
    with pytest.raises(DataError, match="no stats.yaml"):
        _ = data.stats


def test_content_hash_changes_with_the_data(small_dataset) -> None:
    root, frames = small_dataset
    first = open_dataset(root).content_hash()
    assert first == open_dataset(root).content_hash()
    write_split(root / "data" / "test" / "a.hdf5", frames + 1)
    assert open_dataset(root).content_hash() != first


@pytest.mark.parametrize(
    ("window", "n_history", "n_time"),
    [("500:3:20", 3, 80), ("3:3:200", 3, 80), ("1:3:5", 3, 80), ("3:3:5", 3, 3), ("79:1:2", 1, 80)],
)
def test_a_window_that_does_not_fit_suggests_only_values_that_exist(
    window: str, n_history: int, n_time: int
) -> None:
    import re

    with pytest.raises(DataError) as info:
        parse_window(window).check(n_history, n_time)
    message = str(info.value)
    numbers = [int(n) for n in re.findall(r"(?:K <=|frame from|to) (-?\d+)", message)]
    assert all(1 <= n <= n_time for n in numbers), message
