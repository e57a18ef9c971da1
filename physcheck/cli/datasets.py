"""``physcheck fixtures``: build the shipped datasets deterministically, or print where the
default one lives."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from physcheck.datasets import DEFAULT, RECIPES, SPLITS, build, default_dataset


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="physcheck fixtures", description="build the shipped MHD datasets deterministically"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="regenerate a dataset deterministically")
    b.add_argument("--name", default=DEFAULT, choices=sorted(RECIPES))
    b.add_argument(
        "--out", type=Path, default=None, help="dataset directory (default: the shipped location)"
    )
    b.add_argument(
        "--splits", default=",".join(SPLITS), help="comma-separated splits (default: all)"
    )
    b.add_argument("--device", default="cpu")
    p = sub.add_parser(
        "path", help="print the default dataset's directory (building missing splits)"
    )
    p.add_argument("--name", default=DEFAULT, choices=sorted(RECIPES))
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "build":
        root = build(
            args.name,
            root=args.out,
            splits=[s for s in args.splits.split(",") if s],
            device=args.device,
        )
        for path in sorted(root.rglob("*.hdf5")):
            print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
        return 0
    print(default_dataset(name=args.name))
    return 0



__all__ = ["main"]
