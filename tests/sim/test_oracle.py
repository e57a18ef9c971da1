"""The generator and the exact oracle share one code path: ``advance_frame`` from a saved
(float32) frame reproduces the next saved frame up to round-off growth."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import torch

from physcheck.sim import advance_frame
from physcheck.sim.generate import (
    SOLVER_ATTR,
    build,
    read_solver_record,
    run_trajectories,
    statistics,
)
from physcheck.sim.recipes import SMOKE

torch.set_num_threads(1)

#: the smoke set, shortened: 4 spin-up intervals, 5 frames, 2 test trajectories
TINY = dataclasses.replace(
    SMOKE, name="tiny", n_frames=5, spinup_intervals=4, trajectories=(("test", 2),)
)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[tuple[int, int]]]:
    root = tmp_path_factory.mktemp("tiny")
    calls: list[tuple[int, int]] = []
    paths = build(TINY, root, splits=["test"], on_frame=lambda d, t: calls.append((d, t)))
    return paths, calls


def read_frames(path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    with h5py.File(path, "r") as f:
        frames = np.concatenate(
            (
                f["t0_fields/density"][...][..., None],
                f["t1_fields/magnetic_field"][...],
                f["t1_fields/velocity"][...],
            ),
            axis=-1,
        )
        attrs = dict(f.attrs)
    return frames, attrs


def test_the_file_holds_what_the_oracle_needs(
    written: tuple[list[Path], list[tuple[int, int]]],
) -> None:
    paths, calls = written
    point = TINY.points[0]
    assert paths == [TINY.file_path(paths[0].parents[2], point, "test")]
    assert paths[0].name == "tiny_Ma_0.7_Ms_0.5.hdf5"
    frames, attrs = read_frames(paths[0])
    assert frames.shape == (2, 5, 16, 16, 16, 7) and frames.dtype == np.float32
    config, seeds = read_solver_record(attrs[SOLVER_ATTR])
    assert config == TINY.config(point) and seeds == TINY.seeds(point, "test")
    assert json.loads(attrs[SOLVER_ATTR])["spinup_intervals"] == 4
    assert attrs["Ma"] == 0.7 and attrs["Ms"] == 0.5 and attrs["B0"] == pytest.approx(0.5 / 0.7)
    assert "nu_hyper" in list(attrs["simulation_parameters"])
    assert calls[-1] == (8, 8) and [d for d, _ in calls] == list(range(1, 9))


def test_oracle_step_from_a_saved_frame_reproduces_the_next_saved_frame(
    written: tuple[list[Path], list[tuple[int, int]]],
) -> None:
    frames, attrs = read_frames(written[0][0])
    config, seeds = read_solver_record(attrs[SOLVER_ATTR])
    saved = torch.from_numpy(frames)
    for k in (1, 4):
        pred = advance_frame(saved[:, k - 1], config, seeds, k)
        truth = saved[:, k]
        err = (pred - truth).pow(2).mean(dim=(1, 2, 3)).sqrt() / truth.std(dim=(1, 2, 3))
        assert err.max().item() < 1e-5  # float32 storage (6e-8) grown over one interval
    # a wrong frame index (other forcing) or wrong seeds do not reproduce it
    wrong = advance_frame(saved[:, 1], config, seeds, 3)
    assert (wrong - saved[:, 2]).abs().max().item() > 1e-3
    swapped = advance_frame(saved[:, 1], config, seeds[::-1], 2)
    assert (swapped - saved[:, 2]).abs().max().item() > 1e-3


def test_generation_is_deterministic_and_batch_independent(
    written: tuple[list[Path], list[tuple[int, int]]],
) -> None:
    frames, _ = read_frames(written[0][0])
    point = TINY.points[0]
    seeds = TINY.seeds(point, "test")
    alone = run_trajectories(TINY.config(point), seeds[1:], TINY.n_frames).well()
    np.testing.assert_allclose(alone[0], frames[1], rtol=0, atol=1e-5)


def test_statistics_stream_over_files(written: tuple[list[Path], list[tuple[int, int]]]) -> None:
    stats = statistics(written[0])
    frames, _ = read_frames(written[0][0])
    assert stats["mean"]["density"] == pytest.approx(float(frames[..., 0].mean()), rel=1e-6)
    assert len(stats["std"]["velocity"]) == 3
    rms_delta = np.sqrt(
        (np.diff(frames[..., 4:7].astype(np.float64), axis=1) ** 2).mean((0, 1, 2, 3, 4))
    )
    assert stats["rms_delta"]["velocity"] == pytest.approx(rms_delta.tolist(), rel=1e-6)
