"""``physcheck fixtures``: build a data set deterministically, verify it against its recorded
checksums, or print where it lives."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from physcheck.datasets import (
    MANIFESTS,
    RECIPES,
    build,
    dataset_dir,
    default_dataset,
    default_name,
    fingerprint,
    split_files,
    verify,
)
from physcheck.errors import DataError


def _splits(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def record(name: str, root: Path, splits: Sequence[str]) -> Path:
    """Write ``physcheck/manifests/<name>.json``: the fingerprints of the built ``splits`` and
    the train split's statistics (maintainers only: this is what users' builds are checked
    against)."""
    import yaml

    files = {}
    for split in splits:
        for path in split_files(root, name, split):
            files[f"{split}/{path.name}"] = fingerprint(path)
    body = {"set": name, "files": files}
    stats = root / "stats.yaml"
    if "train" in splits and stats.exists():
        body["stats"] = yaml.safe_load(stats.read_text())
    target = MANIFESTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(body, indent=1) + "\n")
    return target


def _set_arguments(parser: argparse.ArgumentParser) -> None:
    """The set's name and directory, shared by the subcommands."""
    parser.add_argument(
        "name",
        nargs="?",
        default=None,
        choices=sorted(RECIPES),
        help="the set (default: $PHYSCHECK_DATASET or 'default')",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="set directory (default: where physcheck looks for it)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="physcheck fixtures",
        description="build physcheck's MHD data sets deterministically and check them",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="generate a data set's splits (deterministic, checksummed)")
    _set_arguments(b)
    b.add_argument("--splits", default="test", help="comma-separated splits (default: test)")
    b.add_argument("--device", default="cpu", help="torch device to integrate on (e.g. cuda)")
    b.add_argument(
        "--no-check", action="store_true", help="do not compare with the recorded checksums"
    )
    b.add_argument(
        "--record",
        action="store_true",
        help="maintainers: record these files' checksums as the reference",
    )
    v = sub.add_parser("verify", help="compare a built set with its recorded checksums")
    _set_arguments(v)
    v.add_argument("--splits", default="test", help="comma-separated splits (default: test)")
    st = sub.add_parser("stats", help="print a built set's truth statistics (the README's table)")
    _set_arguments(st)
    st.add_argument("--split", default="test")
    st.add_argument("--json", action="store_true", help="JSON instead of a Markdown table")
    p = sub.add_parser("path", help="print a set's directory (building its test split if missing)")
    p.add_argument("name", nargs="?", default=None, choices=sorted(RECIPES))
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        name = args.name or default_name()
        if args.command == "build":
            splits = _splits(args.splits)
            root = build(
                name,
                root=args.out,
                splits=splits,
                device=args.device,
                check=not (args.no_check or args.record),
            )
            for path in sorted(root.rglob("*.hdf5")):
                print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
            if args.record:
                print(f"recorded {record(name, root, splits)}")
            return 0
        if args.command == "verify":
            root = args.out or dataset_dir(name)
            for line in verify(root, name, _splits(args.splits)):
                print(line)
            return 0
        if args.command == "stats":
            from physcheck.sim.statistics import format_table, set_statistics

            root = args.out or default_dataset(name=name, splits=(args.split,))
            rows = set_statistics(root, args.split)
            print(json.dumps(rows, indent=1) if args.json else format_table(rows))
            return 0
        print(default_dataset(name=name))
        return 0
    except DataError as exc:
        print(f"ERROR: physcheck fixtures: {exc}")
        return 2


__all__ = ["main", "record"]
