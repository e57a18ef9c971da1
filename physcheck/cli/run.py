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


def with_default_models(args: Sequence[str]) -> list[str]:
    """``args`` with ``DEFAULT_MODELS`` added unless a model or saved rollouts are given
    (``--physcheck-model``, ``--physcheck-predictions``)."""
    given = ("--physcheck-model", "--physcheck-predictions")
    out = list(args)
    if not any(a.split("=", 1)[0] in given for a in out):
        for model in DEFAULT_MODELS:
            out += ["--physcheck-model", model]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    import pytest

    args = list(argv or [])
    if "--physcheck-with-snapshots" in args:
        args = [a for a in args if a != "--physcheck-with-snapshots"]
    elif "--snapshot-update" not in args:
        args.append("--physcheck-no-snapshot")
    return int(
        pytest.main(["--physcheck-only", "-p", "no:cacheprovider", *with_default_models(args)])
    )
