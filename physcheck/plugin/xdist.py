"""pytest-xdist: keep each model's tests on one worker, and one GPU per worker."""

from __future__ import annotations

import pytest


def explicit_dist(config: pytest.Config) -> str | None:
    """The ``--dist`` mode given on the command line, if any."""
    args = list(config.invocation_params.args)
    for i, arg in enumerate(args):
        if arg == "--dist" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--dist="):
            return arg.split("=", 1)[1]
    return None


def group_models_on_workers(config: pytest.Config) -> None:
    """Unless another ``--dist`` mode was asked for, schedule with ``loadgroup`` so that each
    model's tests (grouped by an ``@model`` node-id suffix) run on one worker and its rollouts
    are computed once there (the disk cache shares them across workers otherwise)."""
    if explicit_dist(config) not in (None, "load", "loadgroup"):
        return
    if is_worker(config):
        config.option.loadgroup = True  # workers suffix node ids with their group
    elif getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def worker_index(config: pytest.Config) -> int | None:
    """``N`` on xdist worker ``gwN``, else ``None``."""
    workerinput = getattr(config, "workerinput", None)
    worker = str(workerinput.get("workerid", "")) if isinstance(workerinput, dict) else ""
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def group_suffix(config: pytest.Config, model: str) -> str:
    """The ``@model`` suffix that keeps a model's items on one worker under ``loadgroup``."""
    return f"@{model}" if getattr(config.option, "loadgroup", False) else ""


__all__ = ["explicit_dist", "group_models_on_workers", "group_suffix", "is_worker", "worker_index"]
