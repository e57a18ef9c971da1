"""``physcheck train-demo``: train the demo surrogate on the default dataset."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from physcheck.models.demo import DEMO_DIR


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="physcheck train-demo", description="train the demo surrogate on the default dataset"
    )
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--dataset", default="default", help="the data set whose train split it learns (default: default)"
    )
    parser.add_argument("--out", type=Path, default=DEMO_DIR)
    args = parser.parse_args(list(argv) if argv is not None else None)
    from physcheck.demo_training import train

    record = train(steps=args.steps, batch=args.batch, seed=args.seed, out=args.out, dataset=args.dataset)
    print(json.dumps(record["test_vrmse"]))
    return 0


__all__ = ["main"]
