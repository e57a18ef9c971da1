"""The Ma 2.0 variant of the default dataset builds deterministically and is weakly magnetised."""

from __future__ import annotations

import torch

from physcheck.data import open_dataset
from physcheck.datasets import RECIPES, build
from physcheck.diagnostics import divb_ratio, energies


def test_ma2_test_split_builds_and_differs_from_ma07(tmp_path) -> None:
    root = build("MHD_16_Ma2", root=tmp_path / "MHD_16_Ma2", splits=["test"], stats=False)
    data = open_dataset(root, split="test")
    assert data.parameters["Ma"] == 2.0 and RECIPES["MHD_16_Ma2"].config().B0 == 0.25
    frames = torch.stack([data.read_frames(i, 0, data.n_time) for i in range(data.n_trajectories)])
    assert torch.isfinite(frames).all()
    e = energies(frames)
    assert (
        e.mean_abs_b.mean() - 0.25
    ).abs() < 0.2  # guide field B0 = Ms / Ma = 0.25 plus fluctuations
    assert (divb_ratio(frames[..., 1:4], method="spectral") < 1e-5).all()
    again = build("MHD_16_Ma2", root=tmp_path / "again", splits=["test"], stats=False)
    assert (
        open_dataset(again, split="test").read_frames(1, 90, 91).equal(data.read_frames(1, 90, 91))
    )
