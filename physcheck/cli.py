"""The ``physcheck`` command: a thin dispatcher to each sub-command's module.

Each sub-command lives beside the code it drives and exposes ``main(argv) -> int``;
this module only routes to it (imports happen on use, so ``physcheck --help`` is fast).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: sub-command -> ("module:function", one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "physcheck.suite:main",
        "run the physics suite (default: demo and reference on the shipped data)",
    ),
    "fixtures": (
        "physcheck.fixtures:main",
        "regenerate the shipped MHD fixtures deterministically",
    ),
    "train-demo": (
        "physcheck.models.demo_train:main",
        "train the demo surrogate on the default dataset",
    ),
    "report": ("physcheck.report.cli:main", "write the HTML report of a results JSON file"),
}


def _usage() -> str:
    lines = ["usage: physcheck COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"physcheck: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, _, func = COMMANDS[name][0].partition(":")
    return int(getattr(importlib.import_module(module_name), func)(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
