"""pytest-xdist: each model's items on one worker (its rollouts computed once there), one GPU
per worker, and node ids identical to a serial run's.

Under ``--dist load`` (what ``-n`` gives) or ``loadgroup``, the plugin hands pytest-xdist a
scheduler that groups physcheck's items by model and everything else as ``loadscope`` does
(by module or class), instead of suffixing node ids with a group the way ``loadgroup`` does.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

#: the key of ``workeroutput`` under which a worker hands its usage error to the controller
USAGE_ERROR_KEY = "physcheck_usage_error"


def explicit_dist(config: pytest.Config) -> str | None:
    """The ``--dist`` mode given on the command line, if any."""
    args = list(config.invocation_params.args)
    for i, arg in enumerate(args):
        if arg == "--dist" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--dist="):
            return arg.split("=", 1)[1]
    return None


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def worker_index(config: pytest.Config) -> int | None:
    """``N`` on xdist worker ``gwN``, else ``None``."""
    workerinput = getattr(config, "workerinput", None)
    worker = str(workerinput.get("workerid", "")) if isinstance(workerinput, dict) else ""
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def model_of(nodeid: str, models: list[str]) -> str | None:
    """The configured model a physcheck node id (``physcheck::check[model-...]``) belongs to;
    the longest matching name wins, so ``a`` and ``a-b`` are told apart."""
    if not nodeid.startswith("physcheck::"):
        return None
    name = nodeid.split("::", 1)[1]
    for model in sorted(models, key=len, reverse=True):
        if f"[{model}-" in name or f"[{model}]" in name:
            return model
    return None


class SchedulerPlugin:
    """Registered where pytest-xdist is active: makes its scheduler group by model."""

    def __init__(self, models: list[str]) -> None:
        self.models = models

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if explicit_dist(config) not in (None, "load", "loadgroup"):
            return None  # the user chose another mode: theirs
        from xdist.scheduler import LoadScopeScheduling

        models = self.models

        class ModelScheduling(LoadScopeScheduling):  # type: ignore[misc]
            """``loadscope`` with one scope per physcheck model."""

            def _split_scope(self, nodeid: str) -> str:
                model = model_of(nodeid, models)
                return f"physcheck model {model}" if model else str(super()._split_scope(nodeid))

        return ModelScheduling(config, log)


class WorkerUsageErrors:
    """On the xdist controller: the usage errors the workers met while preparing the suite
    (bad data, a bad model spec), which a worker can only hand over in its ``workeroutput``.
    Each is printed once and ends the session with exit 4, as without xdist, instead of
    "no tests ran"."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        line = getattr(node, "workeroutput", {}).get(USAGE_ERROR_KEY)
        if line and line not in self.lines:
            self.lines.append(str(line))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for line in self.lines:
            sys.stderr.write(f"ERROR: {line}\n")
        if self.lines:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR


def hand_usage_error_to_controller(config: pytest.Config, line: str) -> bool:
    """On an xdist worker, keep ``line`` for the controller (see ``WorkerUsageErrors``) and say
    so; elsewhere ``False`` (the caller raises ``pytest.UsageError`` itself)."""
    output = getattr(config, "workeroutput", None)
    if not is_worker(config) or not isinstance(output, dict):
        return False
    output[USAGE_ERROR_KEY] = line
    return True


def group_models_on_workers(config: pytest.Config, models: list[str]) -> None:
    """On the xdist controller, register the scheduler that keeps each model on one worker and
    the collector of the workers' usage errors."""
    if config.pluginmanager.hasplugin("xdist") and not is_worker(config):
        config.pluginmanager.register(SchedulerPlugin(models), "physcheck-xdist-scheduler")
        config.pluginmanager.register(WorkerUsageErrors(), "physcheck-xdist-usage-errors")


__all__ = [
    "USAGE_ERROR_KEY",
    "WorkerUsageErrors",
    "explicit_dist",
    "group_models_on_workers",
    "hand_usage_error_to_controller",
    "is_worker",
    "model_of",
    "worker_index",
]
