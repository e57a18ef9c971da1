"""The ``.pt`` prediction format: a dict of ``frames``, ``variants`` (a dict of tensors) and
the metadata, read with ``torch.load(weights_only=True)``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from physcheck.data.formats.base import ArrayFormat
from physcheck.errors import DataError

if TYPE_CHECKING:
    import numpy as np


class PtFormat(ArrayFormat):
    name = "pt"
    suffixes = (".pt",)

    def load(self, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        import torch

        raw = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(raw, dict):
            raise DataError(f"{path}: a .pt prediction file must hold a dict with 'frames'")
        rollouts = {"": raw.pop("frames", None)}
        rollouts.update(dict(raw.pop("variants", None) or {}))
        return {k: _as_numpy(v) for k, v in rollouts.items()}, raw

    def save(self, tmp: Path, rollouts: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        import numpy as np
        import torch

        blob: dict[str, Any] = {
            "frames": torch.from_numpy(rollouts.get("", np.empty(0))),
            "variants": {v: torch.from_numpy(a) for v, a in rollouts.items() if v},
        }
        blob.update(meta)
        torch.save(blob, tmp)


def _as_numpy(value: Any) -> Any:
    """A tensor as a numpy array (bfloat16, which numpy lacks, as float32: exact)."""
    import torch

    if not isinstance(value, torch.Tensor):
        return value
    if value.dtype == torch.bfloat16:
        value = value.float()
    return value.detach().numpy()


__all__ = ["PtFormat"]
