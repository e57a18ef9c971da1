"""Building a manifest: the structure of one Well file as a manifest file entry, and the
manifest of a whole copy (every file's structure and, optionally, the checksums)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from physcheck.data.manifest.copies import locate_copy, stats_exists
from physcheck.data.manifest.digests import sha256_of, stats_sha256
from physcheck.data.manifest.schema import FIELD_GROUPS, FORMAT
from physcheck.data.remote import RemoteFile
from physcheck.errors import DataError


def attr_text(value: Any) -> str:
    """An HDF5 attribute's text (bytes decoded)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _describe(handle: Any) -> dict[str, Any]:
    """The structure of an open Well file (h5py.File), as a manifest file entry (no sha256)."""
    import numpy as np

    missing = [g for g in ("dimensions", *FIELD_GROUPS) if g not in handle]
    if missing:
        raise DataError(f"not in The Well's layout (missing group {', '.join(missing)})")
    dims = handle["dimensions"]
    spatial = [attr_text(d) for d in dims.attrs.get("spatial_dims", [])]
    times: list[float] = (
        np.asarray(dims["time"][:], dtype=np.float64).reshape(-1).tolist() if "time" in dims else []
    )
    fields: dict[str, list[str]] = {}
    dtypes: set[str] = set()
    counts: set[int] = set()
    shapes: dict[str, tuple[list[int], bool, bool]] = {}
    for group in FIELD_GROUPS:
        names = [attr_text(n) for n in handle[group].attrs.get("field_names", [])]
        fields[group] = names
        for name in names:
            if name not in handle[group]:
                raise DataError(f"{group} lists {name} but has no such dataset")
            dset = handle[group][name]
            dtypes.add(str(dset.dtype))
            per_sample = bool(dset.attrs.get("sample_varying", True))
            per_time = bool(dset.attrs.get("time_varying", True))
            shapes[f"{group}/{name}"] = ([int(s) for s in dset.shape], per_sample, per_time)
            if per_sample and dset.shape:
                counts.add(int(dset.shape[0]))
    entry: dict[str, Any] = {
        "n_trajectories": (
            counts.pop() if len(counts) == 1 else int(handle.attrs.get("n_trajectories", 0))
        ),
        "n_time": len(times),
        "shape": [int(dims[d].shape[-1]) for d in spatial if d in dims],
        "dt": float(times[1] - times[0]) if len(times) > 1 else None,
        "fields": fields,
        "dtype": dtypes.pop() if len(dtypes) == 1 else sorted(dtypes),
        "parameters": {
            attr_text(p): v
            for p in handle.attrs.get("simulation_parameters", [])
            if attr_text(p) in handle.attrs and (v := _number(handle.attrs[attr_text(p)])) is not None
        },
    }
    if "dataset_name" in handle.attrs:
        entry["dataset_name"] = attr_text(handle.attrs["dataset_name"])
    entry["_field_shapes"] = shapes
    entry["_spatial"] = len(spatial)
    entry["_attr_trajectories"] = (
        int(handle.attrs["n_trajectories"]) if "n_trajectories" in handle.attrs else None
    )
    return entry


def describe_file(path: Path | RemoteFile) -> dict[str, Any]:
    """The structure of one Well file; :class:`DataError` (one line, no path) if it is not a
    readable Well file."""
    import h5py

    try:
        source: Any = path.open() if isinstance(path, RemoteFile) else path
        with h5py.File(source, "r") as handle:
            return _describe(handle)
    except DataError:
        raise
    except (OSError, KeyError, ValueError, IndexError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"not a readable HDF5 file ({reason})") from None


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def record_manifest(
    path: str | Path, *, splits: Sequence[str] | None = None, checksums: bool = True
) -> dict[str, Any]:
    """The manifest of a dataset copy (dir, split dir or file; local or fsspec URL): every file's
    structure and (``checksums``) the SHA-256 of its bytes and of ``stats.yaml``.
    :class:`DataError` if a file cannot be read (a corrupt copy is not worth recording)."""
    copy = locate_copy(path, splits)
    files: dict[str, Any] = {}
    names: set[str] = set()
    for key, source in copy.files.items():
        try:
            entry = _public(describe_file(source))
        except DataError as exc:
            raise DataError(f"{key}: {exc}") from None
        names.add(str(entry.pop("dataset_name", "")))
        if checksums:
            entry["sha256"] = sha256_of(source)
        files[key] = entry
    name = names.pop() if len(names) == 1 else ""
    manifest: dict[str, Any] = {"format": FORMAT, "name": name, "dataset_name": name}
    manifest["notes"] = ["recorded with `physcheck data manifest` from a copy of the data"]
    if stats_exists(copy.stats):
        assert copy.stats is not None
        manifest["stats_yaml"] = {"sha256": stats_sha256(copy.stats)} if checksums else {}
    manifest["files"] = files
    return manifest


__all__ = ["attr_text", "describe_file", "record_manifest"]
