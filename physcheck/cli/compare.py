"""``physcheck compare NEW.json BASELINE.json [--markdown PATH]``: the baseline comparison of
two saved runs, offline. Prints the scorecard; exits 1 when a number regressed, 4 when the
runs cannot be compared (other data, window, trajectories or settings)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _load(parser: argparse.ArgumentParser, path: Path) -> dict[str, Any]:
    if not path.is_file():
        parser.exit(4, f"ERROR: physcheck compare: no results file at {path}\n")
    try:
        document = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        parser.exit(4, f"ERROR: physcheck compare: {path} is not a results JSON ({exc})\n")
    if not isinstance(document, dict) or "results" not in document:
        parser.exit(4, f"ERROR: physcheck compare: {path} has no 'results' (write it with --physcheck-json)\n")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="physcheck compare",
        description="compare a run's numbers with a baseline run's (paired bootstrap intervals "
        "against non-inferiority margins)",
    )
    parser.add_argument("new", type=Path, help="the results JSON of the run to judge")
    parser.add_argument("baseline", type=Path, help="the results JSON of the accepted run")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the scorecard here")
    parser.add_argument(
        "--relative-margin",
        type=float,
        default=None,
        help="non-inferiority margin relative to the baseline's mean (default 0.1)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    from physcheck.baseline import Margins, compare_documents, scorecard
    from physcheck.errors import PhyscheckError
    from physcheck.jsonio import write_text_atomic

    new, old = _load(parser, args.new), _load(parser, args.baseline)
    margins = Margins() if args.relative_margin is None else Margins(relative=args.relative_margin)
    try:
        tables = compare_documents(new, old, label=str(args.baseline), margins=margins)
    except PhyscheckError as exc:
        print(f"ERROR: physcheck compare: {exc}", file=sys.stderr)
        return 4
    text = scorecard(tables)
    print(text)
    if args.markdown is not None:
        try:
            write_text_atomic(args.markdown, text)
        except PhyscheckError as exc:  # an unwritable or full target: one line, not a traceback
            print(f"ERROR: physcheck compare: {exc}", file=sys.stderr)
            return 4
    regressed = any(c.failed for _, comparisons in tables.values() for c in comparisons)
    return 1 if regressed else 0
