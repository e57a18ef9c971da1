"""Dataset manifests: what a Well dataset directory should hold, and a check of a copy against it.

A manifest is JSON (``physcheck data manifest PATH`` writes one; physcheck ships one per known
set under ``physcheck/manifests/datasets/``)::

    {"format": "physcheck-manifest/1", "name": "smoke", "dataset_name": "smoke",
     "notes": ["..."], "stats_yaml": {"sha256": "..."},
     "files": {"data/test/smoke_Ma_0.7_Ms_0.5.hdf5": {
         "n_trajectories": 2, "n_time": 80, "shape": [16, 16, 16], "dt": 1.0,
         "fields": {"t0_fields": ["density"], "t1_fields": ["magnetic_field", "velocity"],
                    "t2_fields": []},
         "dtype": "float32", "parameters": {"Ma": 0.7, "Ms": 0.5}, "sha256": "...",
         "documented": [{"n_trajectories": 5, "note": "..."}]}}}

Every key of a file entry but ``n_trajectories``/``fields`` is optional: a structural manifest
(The Well's MHD_64, physcheck's built sets) has no ``sha256``; a recorded one has it for every
file and for ``stats.yaml``. ``documented`` lists known, published deviations of a file from the
manifest (e.g. MHD_64's trajectory counts): a copy that shows one is reported as a note, not a
difference.

:func:`verify_manifest` returns one line per difference (``data/test/x.hdf5: 3 trajectories,
manifest says 4``); a file's ``sha256`` is compared only when its structure matches (a
structural difference changes the bytes anyway). A split of the manifest whose directory is
absent from the copy is not checked (users often fetch only the test split) unless it is asked
for by name. Torch-free: h5py over local files or fsspec URLs.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from physcheck.data.checksums import file_sha256
from physcheck.data.remote import HDF5_SUFFIXES, RemoteFile, find_remote_files, is_remote
from physcheck.errors import DataError

FORMAT = "physcheck-manifest/1"
#: where the shipped manifests live (package data), one ``NAME.json`` each
SHIPPED = Path(__file__).resolve().parents[1] / "manifests" / "datasets"
FIELD_GROUPS = ("t0_fields", "t1_fields", "t2_fields")
#: relative tolerance on the time step (times are stored in float32)
DT_RTOL = 1e-5
_CHUNK = 8 << 20


# -- reading one file ------------------------------------------------------------------------------
def _text(value: Any) -> str:
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
    spatial = [_text(d) for d in dims.attrs.get("spatial_dims", [])]
    times: list[float] = (
        np.asarray(dims["time"][:], dtype=np.float64).reshape(-1).tolist() if "time" in dims else []
    )
    fields: dict[str, list[str]] = {}
    dtypes: set[str] = set()
    counts: set[int] = set()
    shapes: dict[str, tuple[list[int], bool, bool]] = {}
    for group in FIELD_GROUPS:
        names = [_text(n) for n in handle[group].attrs.get("field_names", [])]
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
            _text(p): v
            for p in handle.attrs.get("simulation_parameters", [])
            if _text(p) in handle.attrs and (v := _number(handle.attrs[_text(p)])) is not None
        },
    }
    if "dataset_name" in handle.attrs:
        entry["dataset_name"] = _text(handle.attrs["dataset_name"])
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


def _sha256(path: Path | RemoteFile) -> str:
    if isinstance(path, Path):
        return file_sha256(path)
    digest = hashlib.sha256()  # a remote file is read whole: a download
    with path.open() as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- locating a copy -------------------------------------------------------------------------------
@dataclass
class _Copy:
    """A dataset copy: its files by manifest key (``data/<split>/<name>``), the splits it has,
    whether a key outside ``scope`` is checked, and its ``stats.yaml``."""

    files: dict[str, Path | RemoteFile]
    splits: set[str]
    stats: Path | str | None
    only: set[str] | None = None  # a single file: check only these keys
    split_scope: set[str] = field(default_factory=set)


def _local_copy(path: Path, splits: Sequence[str] | None) -> _Copy:
    if not path.exists():
        raise DataError(f"no such dataset path: {path}")
    if path.is_file():
        if path.suffix not in HDF5_SUFFIXES:
            raise DataError(f"{path}: expected a Well dataset dir, a split dir or an .hdf5 file")
        key = f"data/{path.parent.name}/{path.name}"
        stats = path.parent.parent.parent / "stats.yaml"
        return _Copy({key: path}, {path.parent.name}, stats, only={key})
    if (path / "data").is_dir():
        present = {p.name for p in (path / "data").iterdir() if p.is_dir()}
        chosen = set(splits) if splits else present
        files: dict[str, Path | RemoteFile] = {
            f"data/{s}/{f.name}": f
            for s in sorted(chosen & present)
            for f in sorted((path / "data" / s).iterdir())
            if f.suffix in HDF5_SUFFIXES
        }
        return _Copy(files, present, path / "stats.yaml", split_scope=chosen)
    files = {
        f"data/{path.name}/{f.name}": f for f in sorted(path.iterdir()) if f.suffix in HDF5_SUFFIXES
    }
    if not files:
        raise DataError(
            f"{path}: no .hdf5 files (give a Well dataset dir with data/<split>/, a split dir "
            "or an .hdf5 file)"
        )
    return _Copy(files, {path.name}, path.parent.parent / "stats.yaml", split_scope={path.name})


def _remote_copy(url: str, splits: Sequence[str] | None) -> _Copy:
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
            return _Copy(files, present, stats, only=set(files))
    return _Copy(files, present, stats, split_scope=set(splits) if splits else present)


def _copy(path: str | Path, splits: Sequence[str] | None) -> _Copy:
    if is_remote(str(path)):
        return _remote_copy(str(path), splits)
    text = str(path)
    return _local_copy(Path(text[len("file://") :] if text.startswith("file://") else text), splits)


def _stats_exists(stats: Path | str | None) -> bool:
    if stats is None:
        return False
    if isinstance(stats, Path):
        return stats.is_file()
    return True  # find_remote_files returns a URL only when it exists


def _stats_sha256(stats: Path | str) -> str:
    if isinstance(stats, Path):
        return file_sha256(stats)
    from physcheck.data.remote import read_text

    return hashlib.sha256(read_text(stats).encode()).hexdigest()


# -- recording -------------------------------------------------------------------------------------
def _public(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def record_manifest(
    path: str | Path, *, splits: Sequence[str] | None = None, checksums: bool = True
) -> dict[str, Any]:
    """The manifest of a dataset copy (dir, split dir or file; local or fsspec URL): every file's
    structure and (``checksums``) the SHA-256 of its bytes and of ``stats.yaml``.
    :class:`DataError` if a file cannot be read (a corrupt copy is not worth recording)."""
    copy = _copy(path, splits)
    files: dict[str, Any] = {}
    names: set[str] = set()
    for key, source in copy.files.items():
        try:
            entry = _public(describe_file(source))
        except DataError as exc:
            raise DataError(f"{key}: {exc}") from None
        names.add(str(entry.pop("dataset_name", "")))
        if checksums:
            entry["sha256"] = _sha256(source)
        files[key] = entry
    name = names.pop() if len(names) == 1 else ""
    manifest: dict[str, Any] = {"format": FORMAT, "name": name, "dataset_name": name}
    manifest["notes"] = ["recorded with `physcheck data manifest` from a copy of the data"]
    if _stats_exists(copy.stats):
        assert copy.stats is not None
        manifest["stats_yaml"] = {"sha256": _stats_sha256(copy.stats)} if checksums else {}
    manifest["files"] = files
    return manifest


# -- loading ---------------------------------------------------------------------------------------
def shipped_manifests() -> dict[str, Path]:
    """The manifests shipped with physcheck, by name."""
    return {p.stem: p for p in sorted(SHIPPED.glob("*.json"))}


def _normal(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _read(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text())
    except OSError as exc:
        raise DataError(f"{path}: cannot read the manifest ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise DataError(f"{path}: not a JSON manifest ({exc})") from None
    check_manifest(body, str(path))
    return dict(body)


def check_manifest(body: Any, where: str = "manifest") -> None:
    """:class:`DataError` (one line) unless ``body`` is a manifest: a JSON object with a
    ``files`` object of file entries."""
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
        raise DataError(f'{where}: not a physcheck dataset manifest (no "files" object)')
    for key, entry in body["files"].items():
        if not isinstance(entry, dict):
            raise DataError(f"{where}: entry {key!r} is not an object")


def load_manifest(name_or_path: str | Path) -> dict[str, Any]:
    """A manifest by shipped name (``mhd64``, ``smoke``, ``default``, ``mhd64-like``; also a
    ``dataset_name`` or alias it lists, e.g. ``MHD_64``) or by the path of a JSON file."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".json" or path.is_file() or "/" in text:
        if not path.is_file():
            raise DataError(f"no such manifest file: {path}")
        return _read(path)
    shipped = shipped_manifests()
    if text in shipped:
        return _read(shipped[text])
    for candidate in shipped.values():
        body = _read(candidate)
        names = [candidate.stem, str(body.get("dataset_name") or ""), *body.get("aliases", [])]
        if _normal(text) in {_normal(str(n)) for n in names if n}:
            return body
    raise DataError(
        f"unknown manifest {text!r}: give a JSON file or one of {', '.join(sorted(shipped))}"
    )


def dataset_name_of(path: str | Path, splits: Sequence[str] | None = None) -> str | None:
    """The ``dataset_name`` attribute of a copy's first readable file (``None`` if none says)."""
    import h5py

    for source in _copy(path, splits).files.values():
        try:
            opened: Any = source.open() if isinstance(source, RemoteFile) else source
            with h5py.File(opened, "r") as handle:
                if "dataset_name" in handle.attrs:
                    return _text(handle.attrs["dataset_name"])
        except (OSError, DataError):
            continue
    return None


def manifest_for(
    path: str | Path, name_or_path: str | None, splits: Sequence[str] | None = None
) -> dict[str, Any]:
    """``load_manifest(name_or_path)``; without one (or ``auto``), the shipped manifest of the
    data's ``dataset_name``."""
    if name_or_path and name_or_path != "auto":
        return load_manifest(name_or_path)
    name = dataset_name_of(path, splits)
    if name is None:
        raise DataError(f"{path}: no readable file says its dataset_name; give a manifest")
    try:
        return load_manifest(name)
    except DataError:
        raise DataError(
            f"{path}: no shipped manifest for dataset_name {name!r} (shipped: "
            f"{', '.join(shipped_manifests())}); give one with --manifest"
        ) from None


# -- verifying -------------------------------------------------------------------------------------
@dataclass
class Verification:
    """What a check of a copy found: ``differences`` (one line each), ``notes`` (documented
    discrepancies, splits not checked) and the number of files ``checked``."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _names(names: Iterable[str]) -> str:
    names = list(names)
    return ", ".join(names) if names else "none"


def _field_lines(key: str, got: dict[str, list[str]], want: dict[str, Any]) -> list[str]:
    lines = []
    for group in FIELD_GROUPS:
        if group not in want:
            continue
        have, expected = list(got.get(group, [])), [str(n) for n in want[group]]
        if have == expected:
            continue
        extra = [n for n in have if n not in expected]
        lacking = [n for n in expected if n not in have]
        if extra or lacking:
            lines.append(f"{key}: {group} has {_names(extra)}, manifest says {_names(lacking)}")
        else:
            lines.append(f"{key}: {group} order {_names(have)}, manifest says {_names(expected)}")
    return lines


def _consistency_lines(key: str, got: dict[str, Any]) -> list[str]:
    """Arrays that disagree with the file's own trajectory count, frames and grid."""
    lines = []
    n_traj, n_time, shape = got["n_trajectories"], got["n_time"], list(got["shape"])
    spatial = got["_spatial"]
    for name, (dims, per_sample, per_time) in got["_field_shapes"].items():
        group = name.split("/", 1)[0]
        tail = {"t0_fields": [], "t1_fields": [spatial], "t2_fields": [spatial * spatial]}[group]
        expected = [n_traj] * per_sample + [n_time] * per_time + shape + tail
        if dims != expected:
            lines.append(f"{key}: {name} has shape {dims}, the file's layout says {expected}")
    attr = got["_attr_trajectories"]
    if attr is not None and attr != n_traj:
        lines.append(f"{key}: n_trajectories attribute says {attr}, the arrays hold {n_traj}")
    return lines


def _file_lines(
    key: str, got: dict[str, Any], want: dict[str, Any], dataset_name: Any
) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    notes: list[str] = []
    documented = [d for d in want.get("documented", []) if isinstance(d, dict)]
    if dataset_name and got.get("dataset_name") not in (None, dataset_name):
        lines.append(f"{key}: dataset_name {got['dataset_name']}, manifest says {dataset_name}")
    expected = want.get("n_trajectories")
    if expected is not None and got["n_trajectories"] != expected:
        count = got["n_trajectories"]
        line = f"{key}: {count} trajector{'y' if count == 1 else 'ies'}, manifest says {expected}"
        known = next(
            (d for d in documented if d.get("n_trajectories") == got["n_trajectories"]), None
        )
        if known is None:
            lines.append(line)
        else:
            notes.append(f"{line} (documented: {known.get('note', 'a known discrepancy')})")
    if "n_time" in want and got["n_time"] != want["n_time"]:
        lines.append(f"{key}: {got['n_time']} frames, manifest says {want['n_time']}")
    if "shape" in want and list(got["shape"]) != list(want["shape"]):
        grid = "x".join(map(str, got["shape"])) or "none"
        lines.append(f"{key}: grid {grid}, manifest says {'x'.join(map(str, want['shape']))}")
    lines += _field_lines(key, got["fields"], dict(want.get("fields", {})))
    if "dtype" in want and got["dtype"] != want["dtype"]:
        lines.append(f"{key}: fields are {got['dtype']}, manifest says {want['dtype']}")
    if want.get("dt") is not None:
        dt = got["dt"]
        if dt is None or not math.isclose(dt, float(want["dt"]), rel_tol=DT_RTOL, abs_tol=1e-12):
            shown = "none (one frame)" if dt is None else f"{dt:.6g}"
            lines.append(f"{key}: dt {shown}, manifest says {_num(want['dt'])}")
    for name, value in dict(want.get("parameters", {})).items():
        have = got["parameters"].get(name)
        if have is not None and not math.isclose(have, float(value), rel_tol=1e-6):
            lines.append(f"{key}: {name} {_num(have)}, manifest says {_num(value)}")
    lines += _consistency_lines(key, got)
    return lines, notes


def verification(
    path: str | Path,
    manifest: dict[str, Any],
    *,
    splits: Sequence[str] | None = None,
    checksums: bool = True,
) -> Verification:
    """Check a copy (dataset dir, split dir or file; local or fsspec URL) against ``manifest``.
    ``splits``: the splits to check (default: those the copy has). :class:`DataError` only for
    a path that is not a dataset at all or a malformed manifest."""
    check_manifest(manifest)
    copy = _copy(path, splits)
    result = Verification()
    wanted: dict[str, dict[str, Any]] = dict(manifest["files"])
    unchecked: dict[str, int] = {}
    in_scope = 0
    for key in sorted(wanted):
        parts = PurePosixPath(key).parts
        split = parts[1] if len(parts) == 3 and parts[0] == "data" else ""
        if copy.only is not None and key not in copy.only:
            continue
        if copy.only is None and split not in copy.split_scope:
            unchecked[split] = unchecked.get(split, 0) + 1
            continue
        in_scope += 1
        if key not in copy.files:
            result.differences.append(f"{key}: missing")
            continue
        source = copy.files[key]
        result.checked += 1
        try:
            got = describe_file(source)
        except DataError as exc:
            result.differences.append(f"{key}: {exc}")
            continue
        lines, notes = _file_lines(key, got, wanted[key], manifest.get("dataset_name"))
        result.differences += lines
        result.notes += notes
        if not lines and wanted[key].get("sha256") and checksums:
            try:
                if _sha256(source) != wanted[key]["sha256"]:
                    result.differences.append(f"{key}: sha256 differs")
            except OSError as exc:
                result.differences.append(f"{key}: cannot be read ({exc})")
    for key in sorted(copy.files):
        if key not in wanted:
            result.differences.append(f"{key}: not in the manifest")
    if copy.only is None and not in_scope and unchecked and not copy.files:
        result.differences.append(
            f"no split of the manifest ({', '.join(sorted(unchecked))}) is present"
        )
    for split, count in sorted(unchecked.items()):
        if split:
            files = "file" if count == 1 else "files"
            result.notes.append(
                f"split {split} ({count} {files} in the manifest) absent, not checked"
            )
    stats = manifest.get("stats_yaml")
    if stats not in (None, False) and copy.only is None:  # one file alone: no stats.yaml check
        if not _stats_exists(copy.stats):
            result.differences.append("stats.yaml: missing")
        elif isinstance(stats, dict) and stats.get("sha256") and checksums:
            assert copy.stats is not None
            if _stats_sha256(copy.stats) != stats["sha256"]:
                result.differences.append("stats.yaml: sha256 differs")
    return result


def verify_manifest(
    path: str | Path,
    manifest: dict[str, Any],
    *,
    splits: Sequence[str] | None = None,
    checksums: bool = True,
) -> list[str]:
    """One line per difference between a copy and ``manifest`` (empty: it matches)."""
    return verification(path, manifest, splits=splits, checksums=checksums).differences


__all__ = [
    "FORMAT",
    "Verification",
    "check_manifest",
    "dataset_name_of",
    "describe_file",
    "load_manifest",
    "manifest_for",
    "record_manifest",
    "shipped_manifests",
    "verification",
    "verify_manifest",
]
