"""``physcheck data``: check a Well dataset copy against a manifest, or record one.

``physcheck data verify PATH [--manifest NAME|FILE.json]`` prints one line per difference and
exits 0 when the copy matches, 1 when it differs and 4 on a bad path or manifest (one line).
``physcheck data manifest PATH > mine.json`` records a copy's structure and the SHA-256 of every
file, for a later ``verify --manifest mine.json``. The library is :mod:`physcheck.data.manifest`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from physcheck.errors import DataError

OK, DIFFERS, USAGE = 0, 1, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"ERROR: {self.prog}: {message}", file=sys.stderr)
        raise SystemExit(USAGE)


def _splits(text: str | None) -> list[str] | None:
    return [s.strip() for s in text.split(",") if s.strip()] or None if text else None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="physcheck data",
        description="check a Well dataset copy against a manifest, or record one",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    v = sub.add_parser(
        "verify",
        help="compare a dataset dir, split dir or .hdf5 file (or fsspec URL) with a manifest",
    )
    v.add_argument("path", help="Well dataset dir, split dir, .hdf5 file or fsspec URL")
    v.add_argument(
        "--manifest",
        default=None,
        help="a shipped manifest (mhd64, smoke, default, mhd64-like) or a JSON file "
        "(default: the shipped one of the data's dataset_name)",
    )
    v.add_argument(
        "--splits",
        default=None,
        help="comma-separated splits to check (default: those the copy has)",
    )
    v.add_argument(
        "--no-checksums", action="store_true", help="compare the structure only, not the bytes"
    )
    m = sub.add_parser(
        "manifest", help="print a copy's manifest (structure and SHA-256 of every file)"
    )
    m.add_argument("path", help="Well dataset dir, split dir, .hdf5 file or fsspec URL")
    m.add_argument("--splits", default=None, help="comma-separated splits (default: all)")
    m.add_argument(
        "--no-checksums", action="store_true", help="record the structure only, no SHA-256"
    )
    return parser


def _verify(args: argparse.Namespace) -> int:
    from physcheck.data.manifest import manifest_for, verification

    splits = _splits(args.splits)
    manifest = manifest_for(args.path, args.manifest, splits)
    found = verification(args.path, manifest, splits=splits, checksums=not args.no_checksums)
    for line in found.differences:
        print(line)
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    name = manifest.get("name") or args.manifest
    if found.differences:
        count = len(found.differences)
        print(
            f"physcheck data verify: {args.path} differs from manifest {name} "
            f"({count} difference{'s' if count != 1 else ''})",
            file=sys.stderr,
        )
        return DIFFERS
    print(
        f"physcheck data verify: {args.path} matches manifest {name} "
        f"({found.checked} file{'s' if found.checked != 1 else ''} checked)",
        file=sys.stderr,
    )
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help (0) or a usage error (4, already printed)
        return int(exc.code or 0)
    try:
        if args.command == "verify":
            return _verify(args)
        from physcheck.data.manifest import record_manifest

        body = record_manifest(
            args.path, splits=_splits(args.splits), checksums=not args.no_checksums
        )
        print(json.dumps(body, indent=1))
        return OK
    except DataError as exc:
        print(f"ERROR: physcheck data {args.command}: {exc}", file=sys.stderr)
        return USAGE
    except OSError as exc:
        print(f"ERROR: physcheck data {args.command}: {exc}", file=sys.stderr)
        return USAGE


__all__ = ["main"]
