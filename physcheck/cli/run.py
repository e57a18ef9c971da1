"""``physcheck run``: the physics suite alone, through pytest.

``physcheck run`` checks the demo surrogate and the reference oracle on the shipped
dataset (CPU is fine); any pytest or ``--physcheck-*`` option can follow, e.g.
``physcheck run --physcheck-model mine=walrus:cfg.yaml:ckpt.pt --physcheck-window paper``.
Given models (or saved rollouts, ``--physcheck-predictions``) replace the defaults. Snapshot tests are left out (a main job run from any
folder has no committed snapshots to compare with); ``--physcheck-with-snapshots`` keeps them,
and ``--snapshot-update`` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_MODELS = ("demo=demo", "reference=reference")


def main(argv: Sequence[str] | None = None) -> int:
    import pytest

    args = list(argv or [])
    if "--physcheck-with-snapshots" in args:
        args = [a for a in args if a != "--physcheck-with-snapshots"]
    elif "--snapshot-update" not in args:
        args.append("--physcheck-no-snapshot")
    if not any(
        a.split("=", 1)[0] in ("--physcheck-model", "--physcheck-predictions") for a in args
    ):
        for model in DEFAULT_MODELS:
            args += ["--physcheck-model", model]
    return int(pytest.main(["--physcheck-only", "-p", "no:cacheprovider", *args]))
