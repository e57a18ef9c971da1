"""The suite's snapshot files: one JSON file per model and trajectory, compared numerically."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from physcheck.jsonio import write_text_atomic
from physcheck.snapshot.compare import Tolerance, compare, dumps


def check_file_snapshot(
    path: Path,
    payload: Mapping[str, Any],
    tolerance: Tolerance,
    *,
    update: bool,
    command: str,
    label: str | None = None,
) -> tuple[bool, list[str]]:
    """Compare ``payload`` with the JSON file at ``path`` (written when missing or beyond
    tolerance under ``update``). Returns (passed, lines to report); ``label`` names the file."""
    text = dumps(payload)
    shown = label or str(path)
    if not path.is_file():
        if update:
            write_text_atomic(path, text)
            return True, [f"created snapshot {shown}"]
        return False, [f"no snapshot at {shown}: create it with `{command}`"]
    differences = compare(json.loads(path.read_text()), json.loads(text), tolerance)
    if not differences:
        return True, []
    if update:
        write_text_atomic(path, text)
        return True, [f"updated snapshot {shown} ({len(differences)} value(s) beyond tolerance)"]
    lines = [f"{len(differences)} value(s) differ from {shown} beyond tolerance:"]
    lines += ["  " + d.line() for d in differences]
    lines.append(f"accept the new numbers on purpose with `{command}`")
    return False, lines


__all__ = ["check_file_snapshot"]
