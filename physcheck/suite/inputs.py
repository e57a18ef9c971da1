"""What a suite's rollouts start from: the torch dtype of each precision setting, the
device a run (or a parallel worker) uses, a window's history and truth, and the check of the
data against the ``manifest`` setting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from physcheck.data.remote import is_remote
from physcheck.errors import DataError
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


def require_manifest(source: str | Path, manifest: str, *, split: str, rootdir: Path) -> None:
    """Raise :class:`DataError` naming every difference between the data at ``source`` (its
    ``split`` when it is a dataset dir) and ``manifest``: a shipped name, ``auto`` (the data's
    ``dataset_name``) or a JSON file (relative to ``rootdir``, like the data setting)."""
    from physcheck.data.manifest import manifest_for, verify_manifest

    chosen = manifest
    if (manifest.endswith(".json") or "/" in manifest) and not is_remote(manifest):
        path = Path(manifest)
        chosen = str(path if path.is_absolute() else rootdir / path)
    body = manifest_for(source, chosen, [split])
    differences = verify_manifest(source, body, splits=[split])
    if differences:
        raise DataError(
            f"the data at {source} do not match the manifest {manifest} "
            f"({len(differences)} difference{'s' if len(differences) != 1 else ''}):\n  "
            + "\n  ".join(differences)
        )


__all__ = ["TORCH_DTYPES", "TruthWindow", "require_manifest", "resolve_device"]
