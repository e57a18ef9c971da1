"""The smoke set's true frames as a history and a truth window, for checks judged on plain
tensors (``physcheck.checks.assertions``)."""

from __future__ import annotations

import torch

from physcheck.data import open_dataset
from physcheck.datasets import dataset_dir

#: the window starts after a 3-frame history, as the early window does
START = 3


def smoke_window(k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(history [B, 3, ...], truth [B, k, ...])`` of the smoke set's test trajectories, float64."""
    data = open_dataset(dataset_dir(), split="test")
    frames = torch.stack(
        [data.read_frames(i, 0, START + k) for i in range(data.n_trajectories)]
    ).double()
    return frames[:, :START], frames[:, START:]
