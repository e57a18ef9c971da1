"""A Well dataset's files: a local path or a remote file, what identifies one for cache keys,
the files of a local dataset dir, split dir or single file (and the ``stats.yaml`` beside the
splits), and opening one for h5py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py

from physcheck.data.errors import DataError
from physcheck.data.remote import RemoteFile

HDF5_SUFFIXES = (".hdf5", ".h5")

#: a data file: a local path, or a remote file behind an fsspec URL
DataFile = Path | RemoteFile


def file_identity(path: DataFile) -> list[Any]:
    """What identifies a file's content for cache keys: name, size and modification time
    (local) or ETag (remote), without reading it."""
    if isinstance(path, RemoteFile):
        return path.identity()
    stat = path.stat()
    return [path.name, stat.st_size, stat.st_mtime_ns]


def open_well_file(path: DataFile) -> h5py.File:
    """The file open for reading; ``DataError`` where it is no readable HDF5 file."""
    try:
        if isinstance(path, RemoteFile):
            return h5py.File(path.open(), "r")
        return h5py.File(path, "r")
    except OSError as exc:
        raise DataError(
            f"{path}: not a readable HDF5 file ({exc}); the file is corrupt or truncated, re-create it"
        ) from None


def find_local_files(path: Path, split: str | None) -> tuple[list[Path], Path | None]:
    """Files of a dataset dir, split dir or single file; and the stats.yaml beside the splits."""
    if not path.exists():
        raise DataError(
            f"no such dataset path: {path} (give a Well dataset dir, a split dir or an .hdf5 file)"
        )
    if path.is_file():
        if path.suffix not in HDF5_SUFFIXES:
            raise DataError(f"{path}: expected an .hdf5 file")
        stats = path.parent.parent.parent / "stats.yaml"
        return [path], stats if stats.exists() else None
    if (path / "data").is_dir():
        split = split or "test"
        split_dir = path / "data" / split
        if not split_dir.is_dir():
            available = sorted(p.name for p in (path / "data").iterdir() if p.is_dir())
            raise DataError(f"{path}: no split {split!r}; available splits: {available}")
        stats = path / "stats.yaml"
        return sorted(
            p for p in split_dir.iterdir() if p.suffix in HDF5_SUFFIXES
        ), stats if stats.exists() else None
    files = sorted(p for p in path.iterdir() if p.suffix in HDF5_SUFFIXES)
    stats = path.parent.parent / "stats.yaml"
    return files, stats if stats.exists() else None


__all__ = ["HDF5_SUFFIXES", "DataFile", "file_identity", "find_local_files", "open_well_file"]
