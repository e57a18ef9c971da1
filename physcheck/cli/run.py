"""``physcheck run``: the physics suite alone, through pytest.

``physcheck run`` checks the demo surrogate and the reference oracle on the shipped
dataset (CPU is fine); any pytest or ``--physcheck-*`` option can follow, e.g.
``physcheck run --physcheck-model mine=walrus:cfg.yaml:ckpt.pt --physcheck-window paper``.
Given models replace the defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_MODELS = ("demo=demo", "reference=reference")


def main(argv: Sequence[str] | None = None) -> int:
    import pytest

    args = list(argv or [])
    if not any(a == "--physcheck-model" or a.startswith("--physcheck-model=") for a in args):
        for model in DEFAULT_MODELS:
            args += ["--physcheck-model", model]
    return int(pytest.main(["--physcheck-only", "-p", "no:cacheprovider", *args]))
