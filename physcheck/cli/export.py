"""``physcheck export``: write models' rollouts to prediction files, through pytest.

``physcheck export DIR --physcheck-model demo=demo [--physcheck-* options]`` rolls each model
out with the run's settings (data, window, trajectories, precision, perturbations, symmetries)
and writes the rollouts the selected checks need to ``DIR/NAME.hdf5`` (``--physcheck-export-format
npz|pt`` for the other formats). ``physcheck run --physcheck-predictions NAME=DIR/NAME.hdf5``
with the same settings then gates the files with the numbers and verdicts of the in-process
run. No checks run.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from physcheck.cli.run import NO_REWRITE_WARNING, run_pytest, with_default_models

USAGE = "usage: physcheck export DIR [--physcheck-model NAME=SPEC ...] [--physcheck-* options]"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv or [])
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args[0].startswith("-"):
        print(f"physcheck export: the first argument is the output folder\n{USAGE}", file=sys.stderr)
        return 2
    target, rest = args[0], with_default_models(args[1:])
    code = run_pytest(
        [
            "--physcheck-only",
            "--physcheck-no-snapshot",
            "-p",
            "no:cacheprovider",
            *NO_REWRITE_WARNING,
            "--physcheck-export",
            target,
            *rest,
        ]
    )
    # an export collects no test: pytest's "no tests collected" is success here
    return 0 if code == NO_TESTS_COLLECTED else code


#: pytest's exit status when no test was collected
NO_TESTS_COLLECTED = 5
