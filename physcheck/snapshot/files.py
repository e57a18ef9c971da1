"""The suite's snapshot files: one JSON file per model and trajectory, compared numerically.

- A missing file fails with the command that creates it; a damaged one fails with what is
  wrong, and ``--snapshot-update`` rewrites it.
- A snapshot made under another window, dataset, dtype or number of steps is reported as
  such (its numbers are not comparable), not as a list of differences.
- ``--snapshot-update`` writes only the values beyond tolerance (the others keep their
  snapshot value), adds and removes keys, and says what it created, updated or removed.
- Recording NaN or an infinity is allowed (a snapshot of a model known to blow up) but warns.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from physcheck.jsonio import to_json_data, write_text_atomic
from physcheck.snapshot.compare import META_KEY, Tolerance, compare, dumps, merge, nonfinite_paths

#: ``_meta`` fields that make two snapshots incomparable when they differ
CONTEXT_FIELDS = ("window", "data_hash", "dtype", "n_steps")


class SnapshotWarning(UserWarning):
    """A snapshot was written with NaN or infinite values."""


def _read(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"unreadable ({type(exc).__name__}: {exc})"
    if not isinstance(document, dict):
        return None, f"not a snapshot (a JSON {type(document).__name__}, expected an object)"
    return document, None


def _context_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    before, now = old.get(META_KEY) or {}, new.get(META_KEY) or {}
    return [
        f"{name} {before.get(name)!r} (this run: {now.get(name)!r})"
        for name in CONTEXT_FIELDS
        if name in before and name in now and before[name] != now[name]
    ]


def _warn_nonfinite(payload: Mapping[str, Any], shown: str) -> list[str]:
    where = nonfinite_paths(payload)
    if not where:
        return []
    text = f"recorded non-finite values in {shown}: {', '.join(where[:5])}" + (
        f" and {len(where) - 5} more" if len(where) > 5 else ""
    )
    warnings.warn(f"physcheck snapshot: {text}", SnapshotWarning, stacklevel=3)
    return [text]


def check_file_snapshot(
    path: Path,
    payload: Mapping[str, Any],
    tolerance: Tolerance,
    *,
    update: bool,
    command: str,
    label: str | None = None,
) -> tuple[bool, list[str]]:
    """Compare ``payload`` with the JSON file at ``path``; under ``update`` write what moved.
    Returns (passed, lines to report); ``label`` names the file in them."""
    data = to_json_data(payload)
    shown = label or str(path)
    if not path.is_file():
        if update:
            write_text_atomic(path, dumps(data))
            return True, [f"created snapshot {shown}", *_warn_nonfinite(data, shown)]
        return False, [f"no snapshot at {shown}: create it with `{command}`"]
    old, problem = _read(path)
    if old is None:
        if update:
            write_text_atomic(path, dumps(data))
            return True, [f"rewrote snapshot {shown}, which was {problem}", *_warn_nonfinite(data, shown)]
        return False, [f"snapshot {shown} is {problem}: re-create it with `{command}`"]
    context = _context_change(old, data)
    differences = compare(old, data, tolerance)
    if not differences and not context:
        return True, []
    if update:
        merged = data if context else merge(old, data, tolerance)
        write_text_atomic(path, dumps(merged))
        added = sum(1 for d in differences if d.expected == "<missing>")
        removed = sum(1 for d in differences if d.actual == "<missing>")
        changed = len(differences) - added - removed
        parts = [f"{n} {what}" for n, what in ((changed, "updated"), (added, "added"), (removed, "removed")) if n]
        why = f" (made under {'; '.join(context)})" if context else ""
        line = f"updated snapshot {shown}: {', '.join(parts) or 'context only'}{why}"
        return True, [line, *_warn_nonfinite(data, shown)]
    if context:
        return False, [
            f"snapshot {shown} was made under {'; '.join(context)}: its numbers are not comparable "
            f"with this run's; re-create it on purpose with `{command}`"
        ]
    lines = [f"{len(differences)} value(s) differ from {shown} beyond tolerance:"]
    lines += ["  " + d.line() for d in differences]
    lines.append(f"accept the new numbers on purpose with `{command}`")
    return False, lines


__all__ = ["CONTEXT_FIELDS", "SnapshotWarning", "check_file_snapshot"]
