"""Locating a dataset copy (a dataset dir, a split dir or one file; local or behind an fsspec
URL): its files by manifest key, the splits it has and its ``stats.yaml``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from physcheck.data.remote import HDF5_SUFFIXES, RemoteFile, find_remote_files, is_remote
from physcheck.errors import DataError


@dataclass
class DatasetCopy:
    """A dataset copy: its files by manifest key (``data/<split>/<name>``), the splits it has,
    whether a key outside ``scope`` is checked, and its ``stats.yaml``."""

    files: dict[str, Path | RemoteFile]
    splits: set[str]
    stats: Path | str | None
    only: set[str] | None = None  # a single file: check only these keys
    split_scope: set[str] = field(default_factory=set)


def _local_copy(path: Path, splits: Sequence[str] | None) -> DatasetCopy:
    if not path.exists():
        raise DataError(f"no such dataset path: {path}")
    if path.is_file():
        if path.suffix not in HDF5_SUFFIXES:
            raise DataError(f"{path}: expected a Well dataset dir, a split dir or an .hdf5 file")
        key = f"data/{path.parent.name}/{path.name}"
        stats = path.parent.parent.parent / "stats.yaml"
        return DatasetCopy({key: path}, {path.parent.name}, stats, only={key})
    if (path / "data").is_dir():
        present = {p.name for p in (path / "data").iterdir() if p.is_dir()}
        chosen = set(splits) if splits else present
        files: dict[str, Path | RemoteFile] = {
            f"data/{s}/{f.name}": f
            for s in sorted(chosen & present)
            for f in sorted((path / "data" / s).iterdir())
            if f.suffix in HDF5_SUFFIXES
        }
        return DatasetCopy(files, present, path / "stats.yaml", split_scope=chosen)
    files = {
        f"data/{path.name}/{f.name}": f for f in sorted(path.iterdir()) if f.suffix in HDF5_SUFFIXES
    }
    if not files:
        raise DataError(
            f"{path}: no .hdf5 files (give a Well dataset dir with data/<split>/, a split dir "
            "or an .hdf5 file)"
        )
    return DatasetCopy(files, {path.name}, path.parent.parent / "stats.yaml", split_scope={path.name})


def _remote_copy(url: str, splits: Sequence[str] | None) -> DatasetCopy:
    chosen = list(splits) if splits else ["test"]
    files: dict[str, Path | RemoteFile] = {}
    stats: str | None = None
    present: set[str] = set()
    for split in chosen:
        try:
            found, stats_url = find_remote_files(url, split)
        except DataError:
            if splits:
                continue
            raise
        stats = stats or stats_url
        for remote in found:
            parts = remote.url.rstrip("/").split("/")
            split_name = parts[-2] if len(parts) >= 2 else split
            present.add(split_name)
            files[f"data/{split_name}/{remote.name}"] = remote
        if url.rstrip("/").endswith(HDF5_SUFFIXES):
            return DatasetCopy(files, present, stats, only=set(files))
    return DatasetCopy(files, present, stats, split_scope=set(splits) if splits else present)


def locate_copy(path: str | Path, splits: Sequence[str] | None) -> DatasetCopy:
    """The copy at ``path`` (local, ``file://`` or an fsspec URL), limited to ``splits``."""
    if is_remote(str(path)):
        return _remote_copy(str(path), splits)
    text = str(path)
    return _local_copy(Path(text[len("file://") :] if text.startswith("file://") else text), splits)


def stats_exists(stats: Path | str | None) -> bool:
    """Whether the copy has its ``stats.yaml``."""
    if stats is None:
        return False
    if isinstance(stats, Path):
        return stats.is_file()
    return True  # find_remote_files returns a URL only when it exists


__all__ = ["DatasetCopy", "locate_copy", "stats_exists"]
