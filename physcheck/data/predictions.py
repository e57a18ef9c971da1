"""Saved rollouts: a model's predicted frames in a file, read back and written.

A prediction file holds the base rollout ``[B, K, X, Y, Z, C]`` (channels in the data's
order, physical units) and optionally other rollouts of the same model ("variants":
``float64``, ``noiseN``, ``equivariance:TRANSFORM``, ``orbit:TRANSFORM``), plus what they
cover: ``start_frame`` (the index, in its trajectory, of the first predicted frame),
``trajectories`` (the dataset index of each row), ``n_history``, ``field_names`` (the channel
names), for perturbed rollouts the ``noise_eps`` and ``seed`` they were made with, and why
the model has no float64 twin or no rollouts of transformed inputs where it declares why
(``precision_skip``, ``equivariance_skip``).

Formats, by suffix:

- ``.hdf5``/``.h5``: The Well's field layout: ``t0_fields/NAME [B, K, X, Y, Z]``,
  ``t1_fields/NAME [B, K, X, Y, Z, 3]`` (``t2_fields`` likewise), each group with its
  ``field_names`` attribute; variants under ``variants/VARIANT/t0_fields/...``; the
  metadata as root attributes (``physcheck_predictions`` = format version). Written frame by
  frame, so an export never holds a whole rollout in memory.
- ``.npz``: arrays ``frames``, ``variants/VARIANT`` and the metadata as 0-d/1-d arrays.
- ``.pt``: a dict of the same keys (``variants`` a dict of tensors), read with
  ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch

from physcheck.atomic import WRITE_FAILURES, AtomicFile, write_error
from physcheck.data.remote import local_path
from physcheck.data.well import stack_channels
from physcheck.errors import DataError, WriteError

#: format version written into every prediction file
FORMAT_VERSION = 1
SUFFIXES = {".hdf5": "hdf5", ".h5": "hdf5", ".npz": "npz", ".pt": "pt"}
META_KEYS = (
    "start_frame",
    "trajectories",
    "n_history",
    "field_names",
    "noise_eps",
    "seed",
    "precision_skip",
    "equivariance_skip",
    "equivariant",
)
#: where a channel lives in a Well file: (group, dataset, component or None)
Source = tuple[str, str, int | None]


def prediction_format(path: str | Path) -> str:
    """``hdf5``, ``npz`` or ``pt`` from the file's suffix, else a ``DataError`` naming them."""
    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise DataError(
            f"{path}: saved rollouts must be a .hdf5/.h5 (Well layout), .npz or .pt file"
        )
    return fmt


@dataclass
class PredictionFile:
    """An opened prediction file: its metadata (``None`` where it does not record it) and the
    shape of each rollout it holds (``""`` is the base rollout)."""

    path: Path
    format: str
    meta: dict[str, Any]
    shapes: dict[str, tuple[int, ...]]
    sources: tuple[Source, ...] = ()
    _arrays: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def variants(self) -> list[str]:
        """The other rollouts the file holds (not the base one)."""
        return sorted(v for v in self.shapes if v)

    def read(self, variant: str = "", rows: Sequence[int] | None = None, n_steps: int | None = None) -> torch.Tensor:
        """Frames ``[B, K, X, Y, Z, C]`` of one rollout (``""``: the base one), the given rows
        and the first ``n_steps`` steps."""
        if variant not in self.shapes:
            raise DataError(f"{self.path}: holds no {variant or 'base'} rollout")
        k = slice(None, n_steps)
        try:
            if self.format == "hdf5":
                with h5py.File(self.path, "r") as f:
                    group = f if not variant else f["variants"][variant]
                    frames = stack_channels(
                        lambda g, name: np.asarray(group[g][name][:, k]),
                        self.sources,
                        n_lead=5,  # [B, K, X, Y, Z]
                    )
            else:
                frames = np.asarray(self._arrays[variant])[:, k]
        except (OSError, KeyError) as exc:
            raise DataError(f"{self.path}: cannot read the {variant or 'base'} rollout ({exc})") from None
        out = torch.from_numpy(np.ascontiguousarray(frames))
        return out[list(rows)] if rows is not None else out


def open_predictions(path: str | Path, sources: Sequence[Source] = ()) -> PredictionFile:
    """Open a prediction file. ``sources``: where each of the data's channels lives in a Well
    file (``WellData``'s ``FileInfo.sources``), needed to read the HDF5 layout.
    ``DataError`` with the file's name for a missing, unreadable or malformed file.
    ``file://PATH`` is ``PATH``."""
    path = Path(local_path(str(path)))
    fmt = prediction_format(path)
    if not path.is_file():
        raise DataError(f"{path}: no such prediction file")
    if fmt == "hdf5":
        return _open_hdf5(path, tuple(sources))
    try:
        if fmt == "npz":
            with np.load(path, allow_pickle=False) as z:
                raw: dict[str, Any] = {k: z[k] for k in z.files}
            arrays = {"": raw.pop("frames", None)}
            for key in list(raw):
                if key.startswith("variants/"):
                    arrays[key[len("variants/") :]] = raw.pop(key)
        else:
            raw = torch.load(path, map_location="cpu", weights_only=True)
            if not isinstance(raw, dict):
                raise DataError(f"{path}: a .pt prediction file must hold a dict with 'frames'")
            arrays = {"": raw.pop("frames", None)}
            arrays.update(dict(raw.pop("variants", None) or {}))
            arrays = {k: _as_numpy(v) for k, v in arrays.items()}
    except DataError:
        raise
    except Exception as exc:  # zip, pickle-free torch or numpy errors: all mean a bad file
        raise DataError(f"{path}: not a readable {fmt} prediction file ({exc})") from None
    if arrays[""] is None:
        raise DataError(f"{path}: holds no 'frames' array (the base rollout [B, K, X, Y, Z, C])")
    meta = {k: _plain(raw[k]) for k in META_KEYS if k in raw}
    shapes = {}
    for variant, array in arrays.items():
        array = np.asarray(array)
        if array.ndim != 6 or not np.issubdtype(array.dtype, np.floating):
            raise DataError(
                f"{path}: the {variant or 'base'} rollout must be floats [B, K, X, Y, Z, C]; "
                f"got {array.dtype} of shape {array.shape}"
            )
        arrays[variant] = array
        shapes[variant] = tuple(array.shape)
    return PredictionFile(path, fmt, meta, shapes, (), arrays)


def _as_numpy(value: Any) -> Any:
    """A tensor as a numpy array (bfloat16, which numpy lacks, as float32: exact)."""
    if not isinstance(value, torch.Tensor):
        return value
    if value.dtype == torch.bfloat16:
        value = value.float()
    return value.detach().numpy()


def _plain(value: Any) -> Any:
    """A metadata value as plain Python (numpy/torch scalars and arrays to int/float/list)."""
    if isinstance(value, torch.Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _open_hdf5(path: Path, sources: tuple[Source, ...]) -> PredictionFile:
    try:
        with h5py.File(path, "r") as f:
            meta = {
                k: _plain(f.attrs[f"physcheck_{k}"]) for k in META_KEYS if f"physcheck_{k}" in f.attrs
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
                shapes[variant] = (*first.shape[:5], len(sources))
    except OSError as exc:
        raise DataError(f"{path}: not a readable HDF5 file ({exc})") from None
    return PredictionFile(path, "hdf5", meta, shapes, sources)


class PredictionWriter:
    """Writes rollouts into one prediction file, frame by frame (``sink``), then ``close``.

    ``meta``: the ``META_KEYS`` values; ``sources`` and ``field_groups`` (group -> field names,
    from the data) lay out the HDF5 format."""

    def __init__(
        self,
        path: str | Path,
        meta: Mapping[str, Any],
        *,
        sources: Sequence[Source] = (),
        spatial_dims: int = 3,
    ) -> None:
        self.path = Path(path)
        self.format = prediction_format(self.path)
        self.meta = dict(meta)
        self.sources = tuple(sources)
        self.spatial_dims = spatial_dims
        self._memory: dict[str, np.ndarray] = {}
        self._file: h5py.File | None = None
        if self.format == "hdf5" and not self.sources:
            raise DataError("writing the Well layout needs the data's channel layout")
        self._target = AtomicFile(self.path)
        self._tmp = self._target.tmp
        try:
            if self.format == "hdf5":
                self._file = h5py.File(self._tmp, "w")
                self._file.attrs["physcheck_predictions"] = FORMAT_VERSION
                for key, value in self.meta.items():
                    if value is not None:
                        self._file.attrs[f"physcheck_{key}"] = value
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None

    def failed(self, exc: BaseException) -> WriteError:
        """Remove the temporary file; the error to raise: one line naming the file and why."""
        self.abort()
        return write_error(self.path, exc)

    def sink(self, variant: str, shape: Sequence[int], dtype: torch.dtype) -> Any:
        """A callback ``(step, frame [B, X, Y, Z, C])`` storing the rollout ``variant`` (``""``:
        the base one) of ``shape [B, K, X, Y, Z, C]``. bfloat16 frames are stored as float32
        (exactly)."""
        stored = torch.float64 if dtype == torch.float64 else torch.float32
        np_dtype = np.float64 if stored == torch.float64 else np.float32
        if self._file is None:
            store = np.empty(tuple(shape), dtype=np_dtype)
            self._memory[variant] = store

            def write(step: int, frame: torch.Tensor) -> None:
                store[:, step - 1] = frame.detach().to("cpu", stored).numpy()

            return write
        try:
            return self._hdf5_sink(variant, shape, stored, np_dtype)
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None

    def _hdf5_sink(
        self, variant: str, shape: Sequence[int], stored: torch.dtype, np_dtype: Any
    ) -> Any:
        assert self._file is not None
        root = self._file if not variant else self._file.require_group("variants").require_group(variant)
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

        def write_h5(step: int, frame: torch.Tensor) -> None:
            array = frame.detach().to("cpu", stored).numpy()
            parts: dict[tuple[str, str], list[tuple[int | None, np.ndarray]]] = {}
            for c, (group_name, name, component) in enumerate(sources):
                parts.setdefault((group_name, name), []).append((component, array[..., c]))
            for key, channels in parts.items():
                data = channels[0][1] if channels[0][0] is None else np.stack(
                    [a for _, a in sorted(channels, key=lambda p: p[0] or 0)], axis=-1
                )
                try:
                    datasets[key][:, step - 1] = data
                except WRITE_FAILURES as exc:
                    raise self.failed(exc) from None

        return write_h5

    def close(self) -> Path:
        """Finish the file (written under a temporary name in the target folder, then moved
        into place); a failure removes the temporary file and is one ``DataError``."""
        try:
            if self._file is not None:
                file, self._file = self._file, None
                file.close()
            elif self.format == "npz":
                arrays: dict[str, Any] = {
                    ("frames" if not v else f"variants/{v}"): a for v, a in self._memory.items()
                }
                arrays.update({k: np.asarray(v) for k, v in self.meta.items() if v is not None})
                with open(self._tmp, "wb") as handle:
                    np.savez(handle, **arrays)
            else:
                blob: dict[str, Any] = {
                    "frames": torch.from_numpy(self._memory.get("", np.empty(0))),
                    "variants": {v: torch.from_numpy(a) for v, a in self._memory.items() if v},
                }
                blob.update({k: v for k, v in self.meta.items() if v is not None})
                torch.save(blob, self._tmp)
            self._target.commit()
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None
        return self.path

    def abort(self) -> None:
        """Close and remove the temporary file (whatever state the write left it in)."""
        file, self._file = self._file, None
        if file is not None:
            with suppress(Exception):
                file.close()
        self._target.abort()


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def check_free_space(path: str | Path, needed: int) -> None:
    """Refuse (``DataError`` with the size needed) to write about ``needed`` bytes to ``path``
    where its file system has less free (with a margin of 5% and 1 MiB for the layout)."""
    folder = Path(path).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the write itself will say what is wrong
    wanted = int(needed * 1.05) + (1 << 20)
    if free < wanted:
        raise DataError(
            f"{path}: cannot be written: it needs about {_size(wanted)} and {folder} has "
            f"{_size(free)} free; free space or choose another folder"
        )


@contextmanager
def prediction_writer(
    path: str | Path, meta: Mapping[str, Any], *, sources: Sequence[Source] = ()
) -> Iterator[PredictionWriter]:
    """``PredictionWriter`` as a context: the file appears only when the block succeeds."""
    writer = PredictionWriter(path, meta, sources=sources)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    writer.close()


__all__ = [
    "FORMAT_VERSION",
    "PredictionFile",
    "PredictionWriter",
    "check_free_space",
    "open_predictions",
    "prediction_format",
    "prediction_writer",
]
