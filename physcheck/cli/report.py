"""``physcheck report RESULTS.json [--out DIR]``: the HTML report of a saved run."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="physcheck report", description="write the HTML report of a physcheck results file"
    )
    parser.add_argument(
        "results",
        type=Path,
        help="a results JSON written by --physcheck-report (or --physcheck-json)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: beside the results file, physcheck-report/)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not args.results.is_file():
        parser.error(f"no results file at {args.results}")
    try:
        document = json.loads(args.results.read_text())
    except json.JSONDecodeError as exc:
        parser.error(f"{args.results} is not JSON ({exc})")
    from physcheck.report.build import write_report

    page = write_report(document, args.out or args.results.parent / "physcheck-report")
    print(page)
    return 0
