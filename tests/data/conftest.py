"""Small Well files made on the fly for the data-layer tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from physcheck.data.writer import field_statistics, write_stats, write_well_file


def make_frames(n_traj: int = 2, n_time: int = 12, n: int = 8, seed: int = 0) -> np.ndarray:
    """Frames ``[B, T, X, Y, Z, 7]`` whose values encode (trajectory, frame, channel)."""
    rng = np.random.default_rng(seed)
    frames = rng.standard_normal((n_traj, n_time, n, n, n, 7)).astype(np.float32)
    frames[..., 0] = 1.0 + 0.1 * frames[..., 0]
    frames += (np.arange(n_time, dtype=np.float32) * 100)[None, :, None, None, None, None]
    frames += (np.arange(n_traj, dtype=np.float32) * 10_000)[:, None, None, None, None, None]
    return frames


def write_split(path: Path, frames: np.ndarray, name: str = "MHD_test") -> Path:
    return write_well_file(
        path,
        dataset_name=name,
        scalar_fields={"density": frames[..., 0]},
        vector_fields={"magnetic_field": frames[..., 1:4], "velocity": frames[..., 4:7]},
        times=np.arange(frames.shape[1]) * 0.5,
        box_size=2 * np.pi,
        parameters={"Ma": 0.7, "Ms": 0.5},
    )


@pytest.fixture
def small_dataset(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A dataset dir with a 2-trajectory test split, a 1-trajectory train split and stats.yaml."""
    frames = make_frames()
    root = tmp_path / "MHD_test"
    write_split(root / "data" / "test" / "a.hdf5", frames)
    write_split(root / "data" / "train" / "b.hdf5", frames[:1])
    write_stats(
        root / "stats.yaml",
        field_statistics(
            {"density": frames[..., 0]},
            {"magnetic_field": frames[..., 1:4], "velocity": frames[..., 4:7]},
        ),
    )
    return root, frames
