"""The ``.hdf5``/``.h5`` prediction format, The Well's field layout:
``t0_fields/NAME [B, K, *S]``, ``t1_fields/NAME [B, K, *S, D]`` (``[B, K, X, Y, Z, 3]`` in 3D) (``t2_fields``
likewise), each group with its ``field_names`` attribute; variants under
``variants/VARIANT/t0_fields/...``; the metadata as root attributes
(``physcheck_predictions`` = format version). Written frame by frame, so an export never
holds a whole rollout in memory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from physcheck.data.formats.base import (
    META_KEYS,
    PredictionFile,
    PredictionFormat,
    Sink,
    Source,
    plain,
)
from physcheck.errors import DataError

if TYPE_CHECKING:
    import h5py
    import numpy as np
    import torch

#: format version written into every prediction file
FORMAT_VERSION = 1


class Hdf5Format(PredictionFormat):
    name = "hdf5"
    suffixes = (".hdf5", ".h5")
    note = "Well layout"

    def open(self, path: Path, sources: tuple[Source, ...]) -> PredictionFile:
        import h5py

        try:
            with h5py.File(path, "r") as f:
                meta = {
                    k: plain(f.attrs[f"physcheck_{k}"]) for k in META_KEYS if f"physcheck_{k}" in f.attrs
                }
                groups = {"": f}
                if "variants" in f:
                    groups.update({str(k): f["variants"][k] for k in f["variants"]})
                if not sources:
                    raise DataError(f"{path}: reading the Well layout needs the data's channel layout")
                shapes = {}
                for variant, group in groups.items():
                    missing = [
                        f"{g}/{n}" for g, n, _ in sources if g not in group or n not in group[g]
                    ]
                    if missing:
                        raise DataError(
                            f"{path}: the {variant or 'base'} rollout has no {', '.join(sorted(set(missing)))}; "
                            "a prediction file holds the data's fields"
                        )
                    first = group[sources[0][0]][sources[0][1]]
                    shapes[variant] = (*first.shape[: _leading(first, sources)], len(sources))
        except OSError as exc:
            raise DataError(f"{path}: not a readable HDF5 file ({exc})") from None
        return PredictionFile(path, self.name, meta, shapes, sources, _reader(path, sources))

    def writer(
        self, tmp: Path, meta: Mapping[str, Any], sources: tuple[Source, ...], spatial_dims: int
    ) -> _Hdf5Writer:
        if not sources:
            raise DataError("writing the Well layout needs the data's channel layout")
        return _Hdf5Writer(tmp, meta, sources, spatial_dims)


def _leading(dataset: Any, sources: tuple[Source, ...]) -> int:
    """How many leading axes ``[B, K, *S]`` the first source's dataset has: all of a scalar's,
    all but the component axis of a vector's or tensor's."""
    return int(dataset.ndim) - (0 if sources[0][2] is None else 1)


def _reader(path: Path, sources: tuple[Source, ...]) -> Any:
    def frames(variant: str, k: slice) -> np.ndarray:
        import h5py
        import numpy as np

        from physcheck.data.well import stack_channels

        with h5py.File(path, "r") as f:
            group = f if not variant else f["variants"][variant]
            n_lead = _leading(group[sources[0][0]][sources[0][1]], sources)  # [B, K, *S]
            return stack_channels(
                lambda g, name: np.asarray(group[g][name][:, k]), sources, n_lead=n_lead
            )

    return frames


class _Hdf5Writer:
    """Writes the Well layout frame by frame into an open HDF5 file."""

    def __init__(
        self, tmp: Path, meta: Mapping[str, Any], sources: tuple[Source, ...], spatial_dims: int
    ) -> None:
        import h5py

        self.sources, self.spatial_dims = sources, spatial_dims
        self.file: h5py.File | None = h5py.File(tmp, "w")
        self.file.attrs["physcheck_predictions"] = FORMAT_VERSION
        for key, value in meta.items():
            if value is not None:
                self.file.attrs[f"physcheck_{key}"] = value

    def sink(self, variant: str, shape: tuple[int, ...], stored: torch.dtype) -> Sink:
        import numpy as np
        import torch

        assert self.file is not None
        np_dtype = np.float64 if stored == torch.float64 else np.float32
        root = self.file if not variant else self.file.require_group("variants").require_group(variant)
        n, k, *space, _ = shape
        datasets: dict[tuple[str, str], h5py.Dataset] = {}
        by_group: dict[str, list[str]] = {}
        for group_name, name, component in self.sources:
            if (group_name, name) in datasets:
                continue
            group = root.require_group(group_name)
            by_group.setdefault(group_name, []).append(name)
            # t1 fields carry D components, t2 fields D^2 (stored flat)
            extra = () if component is None else (self.spatial_dims ** int(group_name[1]),)
            datasets[(group_name, name)] = group.create_dataset(
                name, shape=(n, k, *space, *extra), dtype=np_dtype, chunks=(n, 1, *space, *extra)
            )
        for group_name, names in by_group.items():
            root[group_name].attrs["field_names"] = names
        sources = self.sources

        def write(step: int, frame: torch.Tensor) -> None:
            array = frame.detach().to("cpu", stored).numpy()
            parts: dict[tuple[str, str], list[tuple[int | None, np.ndarray]]] = {}
            for c, (group_name, name, component) in enumerate(sources):
                parts.setdefault((group_name, name), []).append((component, array[..., c]))
            for key, channels in parts.items():
                data = channels[0][1] if channels[0][0] is None else np.stack(
                    [a for _, a in sorted(channels, key=lambda p: p[0] or 0)], axis=-1
                )
                datasets[key][:, step - 1] = data

        return write

    def finish(self) -> None:
        file, self.file = self.file, None
        if file is not None:
            file.close()

    def discard(self) -> None:
        file, self.file = self.file, None
        if file is not None:
            try:
                file.close()
            except Exception:  # whatever state the failed write left it in
                pass


__all__ = ["FORMAT_VERSION", "Hdf5Format"]
