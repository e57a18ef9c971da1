"""The ``physcheck`` command (also ``python -m physcheck``): a thin dispatcher.

Each sub-command is a module of this package exposing ``main(argv) -> int`` over the
library; this module only routes to it (imports happen on use, so ``physcheck --help`` and
``physcheck --version`` are fast).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: sub-command -> ("module:function", one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "physcheck.cli.run:main",
        "run the physics suite (the configured models; else the demo on the default data)",
    ),
    "export": (
        "physcheck.cli.export:main",
        "write models' rollouts to files that --physcheck-predictions gates",
    ),
    "fixtures": (
        "physcheck.cli.datasets:main",
        "build, verify or locate the MHD data sets (smoke, default, mhd64-like)",
    ),
    "data": (
        "physcheck.cli.data:main",
        "verify a Well dataset copy against a manifest, or record its manifest",
    ),
    "train-demo": (
        "physcheck.cli.train_demo:main",
        "train the demo surrogate on the default dataset",
    ),
    "report": ("physcheck.cli.report:main", "write the HTML report of a results JSON file"),
    "bench": (
        "physcheck.cli.bench:main",
        "gate one model once and show where the time goes (phases, physcheck's share)",
    ),
    "compare": (
        "physcheck.cli.compare:main",
        "compare a run's results JSON with a baseline's (regressions, improvements)",
    ),
}


def _usage() -> str:
    lines = ["usage: physcheck [--version] COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    if args[0] in {"-V", "--version"}:
        from physcheck import __version__

        print(f"physcheck {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"physcheck: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, _, func = COMMANDS[name][0].partition(":")
    return int(getattr(importlib.import_module(module_name), func)(rest) or 0)


__all__ = ["COMMANDS", "main"]


if __name__ == "__main__":
    raise SystemExit(main())
