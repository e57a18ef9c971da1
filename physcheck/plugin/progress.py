"""Rollout progress on the terminal, where a user sees it: not in pytest's capture.

A physics item computes its rollouts while pytest captures the test's output (at the file
descriptor level), so a plain ``print`` or terminal write from inside it would be swallowed.
``ProgressPrinter`` suspends the capture for each line. On a terminal, the step lines of one
rollout (``demo (base): step 20/50, 2.1 steps/s, ETA 14 s``) rewrite one live line; elsewhere
(CI logs) each is its own line. A pytest-xdist worker writes its lines to standard error, which
its controller's terminal shows, prefixed with the worker's id. ``-q -q`` silences it.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from typing import Any

import pytest

from physcheck.plugin.xdist import is_worker


class ProgressPrinter:
    """A ``progress(line)`` callback for the ``Suite`` and the executor."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._live = False  # a step line is showing and may be rewritten

    def _suspended(self) -> Any:
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        return capture.global_and_fixture_disabled() if capture is not None else nullcontext()

    def __call__(self, line: str) -> None:
        if self.config.get_verbosity() < -1:
            return
        step_line = line.startswith("  ")
        with self._suspended():
            if is_worker(self.config):
                worker = getattr(self.config, "workerinput", {}).get("workerid", "gw?")
                sys.stderr.write(f"[{worker}] physcheck: {line.strip()}\n")
                sys.stderr.flush()
                return
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is None:
                return
            text = f"physcheck: {line.strip() if step_line else line}"
            if step_line and reporter.isatty():
                reporter.rewrite(text, erase=True)
                self._live = True
                return
            if self._live:
                reporter.write_line("")
                self._live = False
            reporter.write_line(text)
            reporter.flush()


__all__ = ["ProgressPrinter"]
