"""The manifest's schema: its format tag, the field groups of a file entry, and the check that
a JSON body is a manifest at all."""

from __future__ import annotations

from typing import Any

from physcheck.errors import DataError

FORMAT = "physcheck-manifest/1"
FIELD_GROUPS = ("t0_fields", "t1_fields", "t2_fields")


def check_manifest(body: Any, where: str = "manifest") -> None:
    """:class:`DataError` (one line) unless ``body`` is a manifest: a JSON object with a
    ``files`` object of file entries."""
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
        raise DataError(f'{where}: not a physcheck dataset manifest (no "files" object)')
    for key, entry in body["files"].items():
        if not isinstance(entry, dict):
            raise DataError(f"{where}: entry {key!r} is not an object")


__all__ = ["FIELD_GROUPS", "FORMAT", "check_manifest"]
