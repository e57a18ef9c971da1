"""The ``.npz`` prediction format: arrays ``frames``, ``variants/VARIANT`` and the metadata as
0-d/1-d arrays (read without pickle)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from physcheck.data.formats.base import ArrayFormat

if TYPE_CHECKING:
    import numpy as np

VARIANTS = "variants/"


class NpzFormat(ArrayFormat):
    name = "npz"
    suffixes = (".npz",)

    def load(self, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            raw: dict[str, Any] = {k: z[k] for k in z.files}
        rollouts = {"": raw.pop("frames", None)}
        for key in [k for k in raw if k.startswith(VARIANTS)]:
            rollouts[key[len(VARIANTS) :]] = raw.pop(key)
        return rollouts, raw

    def save(self, tmp: Path, rollouts: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        import numpy as np

        arrays: dict[str, Any] = {
            ("frames" if not v else f"{VARIANTS}{v}"): a for v, a in rollouts.items()
        }
        arrays.update({k: np.asarray(v) for k, v in meta.items()})
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)


__all__ = ["NpzFormat"]
