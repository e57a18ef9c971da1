"""Saved rollouts: a model's predicted frames in a file, read back and written.

A prediction file holds the base rollout ``[B, K, X, Y, Z, C]`` (channels in the data's
order, physical units) and optionally other rollouts of the same model ("variants":
``float64``, ``noiseN``, ``equivariance:TRANSFORM``, ``orbit:TRANSFORM``), plus what they
cover: ``start_frame`` (the index, in its trajectory, of the first predicted frame),
``trajectories`` (the dataset index of each row), ``n_history``, ``field_names`` (the channel
names), ``data_files`` (``NAME:SHA256`` of the data files they were made from), for perturbed rollouts the ``noise_eps`` and ``seed`` they were made with, and why
the model has no float64 twin or no rollouts of transformed inputs where it declares why
(``precision_skip``, ``equivariance_skip``).

The format follows the file's suffix: one class per format in ``physcheck.data.formats``
(``.hdf5``/``.h5``: The Well's layout, written frame by frame; ``.npz``; ``.pt``). This
module opens and writes a file whatever its format: atomically, with one error line naming
the file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from physcheck.atomic import WRITE_FAILURES, AtomicFile, write_error
from physcheck.data.formats import (
    FORMAT_VERSION,
    META_KEYS,
    FormatWriter,
    PredictionFile,
    Sink,
    Source,
    format_of,
)
from physcheck.data.remote import local_path
from physcheck.errors import DataError, WriteError


def prediction_format(path: str | Path) -> str:
    """The name of a file's format (``hdf5``, ``npz``, ``pt``, ...) from its suffix, else a
    ``DataError`` naming the formats."""
    return format_of(path).name


def open_predictions(path: str | Path, sources: Sequence[Source] = ()) -> PredictionFile:
    """Open a prediction file. ``sources``: where each of the data's channels lives in a Well
    file (``WellData``'s ``FileInfo.sources``), needed to read the HDF5 layout.
    ``DataError`` with the file's name for a missing, unreadable or malformed file.
    ``file://PATH`` is ``PATH``."""
    path = Path(local_path(str(path)))
    fmt = format_of(path)
    if not path.is_file():
        raise DataError(f"{path}: no such prediction file")
    return fmt.open(path, tuple(sources))


class PredictionWriter:
    """Writes rollouts into one prediction file, frame by frame (``sink``), then ``close``;
    the file is written under a temporary name and moved into place when complete.

    ``meta``: the ``META_KEYS`` values; ``sources`` (where each channel lives in a Well file,
    from the data) lays out the HDF5 format."""

    def __init__(
        self,
        path: str | Path,
        meta: Mapping[str, Any],
        *,
        sources: Sequence[Source] = (),
        spatial_dims: int = 3,
    ) -> None:
        self.path = Path(path)
        fmt = format_of(self.path)
        self.format = fmt.name
        self.meta = dict(meta)
        self._target = AtomicFile(self.path)
        self._writer: FormatWriter | None = None
        try:
            self._writer = fmt.writer(self._target.tmp, self.meta, tuple(sources), spatial_dims)
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None

    def failed(self, exc: BaseException) -> WriteError:
        """Remove the temporary file; the error to raise: one line naming the file and why."""
        self.abort()
        return write_error(self.path, exc)

    def sink(self, variant: str, shape: Sequence[int], dtype: torch.dtype) -> Sink:
        """A callback ``(step, frame [B, X, Y, Z, C])`` storing the rollout ``variant`` (``""``:
        the base one) of ``shape [B, K, X, Y, Z, C]``. bfloat16 frames are stored as float32
        (exactly)."""
        assert self._writer is not None
        stored = torch.float64 if dtype == torch.float64 else torch.float32
        try:
            write = self._writer.sink(variant, tuple(shape), stored)
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None

        def guarded(step: int, frame: torch.Tensor) -> None:
            try:
                write(step, frame)
            except WRITE_FAILURES as exc:
                raise self.failed(exc) from None

        return guarded

    def close(self) -> Path:
        """Finish the file and move it into place; a failure removes the temporary file and
        is one ``WriteError``."""
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                writer.finish()
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None
        return self._target.commit()

    def abort(self) -> None:
        """Release the file and remove it (whatever state the write left it in)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.discard()
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
    path: str | Path,
    meta: Mapping[str, Any],
    *,
    sources: Sequence[Source] = (),
    spatial_dims: int = 3,
) -> Iterator[PredictionWriter]:
    """``PredictionWriter`` as a context: the file appears only when the block succeeds;
    ``spatial_dims``: the data's (a vector field has that many components)."""
    writer = PredictionWriter(path, meta, sources=sources, spatial_dims=spatial_dims)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    writer.close()


__all__ = [
    "FORMAT_VERSION",
    "META_KEYS",
    "PredictionFile",
    "PredictionWriter",
    "check_free_space",
    "open_predictions",
    "prediction_format",
    "prediction_writer",
]
