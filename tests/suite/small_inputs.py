"""Small real inputs for the rooms' tests: the persistence model on one trajectory of the
smoke set, a short window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from physcheck.config import build_settings
from physcheck.suite.inputs import Inputs

OPTIONS = {
    "models": ["p=persistence"],
    "window": "3:1:4",
    "trajectories": "0",
    "perturbations": "2",
    "device": "cpu",
}


def inputs_of(rootdir: Path, cache: bool = False, **options: Any) -> Inputs:
    settings = build_settings(
        {"cache": cache, "cache_dir": str(rootdir / "cache")}, {**OPTIONS, **options}
    )
    return Inputs(settings, rootdir=rootdir)
