"""What a suite's rollouts start from: the torch dtype of each precision setting, the
device a run (or a parallel worker) uses, and a window's history and truth."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from physcheck.records import TruthRecord

#: the torch dtype of each ``dtype`` / ``reference_dtype`` setting
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}


def resolve_device(device: str, *, worker: int | None = None) -> torch.device:
    """``auto`` -> CUDA where available. ``worker``: the index of a parallel worker (e.g.
    pytest-xdist's ``gwN``); with several GPUs, ``cuda``/``auto`` give it ``cuda:N mod count``."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if (
        device == "cuda"
        and worker is not None
        and torch.cuda.is_available()
        and torch.cuda.device_count() > 1
    ):
        return torch.device(f"cuda:{worker % torch.cuda.device_count()}")
    return torch.device(device)


@dataclass
class TruthWindow:
    """History and truth of the configured trajectories for one history length."""

    history: torch.Tensor  # [B, T, X, Y, Z, C]
    truth: torch.Tensor  # [B, K, X, Y, Z, C]
    record: TruthRecord


__all__ = ["TORCH_DTYPES", "TruthWindow", "resolve_device"]
