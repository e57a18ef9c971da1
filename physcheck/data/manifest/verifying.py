"""Verifying a copy against a manifest: one line per difference (structure, the arrays'
consistency with the file's own layout, checksums, missing and extra files, ``stats.yaml``),
notes for documented discrepancies and splits not checked."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from physcheck.data.manifest.building import describe_file
from physcheck.data.manifest.copies import locate_copy, stats_exists
from physcheck.data.manifest.digests import sha256_of, stats_sha256
from physcheck.data.manifest.schema import FIELD_GROUPS, check_manifest
from physcheck.errors import DataError

#: relative tolerance on the time step (times are stored in float32)
DT_RTOL = 1e-5


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
    copy = locate_copy(path, splits)
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
                if sha256_of(source) != wanted[key]["sha256"]:
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
        if not stats_exists(copy.stats):
            result.differences.append("stats.yaml: missing")
        elif isinstance(stats, dict) and stats.get("sha256") and checksums:
            assert copy.stats is not None
            if stats_sha256(copy.stats) != stats["sha256"]:
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


__all__ = ["DT_RTOL", "Verification", "verification", "verify_manifest"]
