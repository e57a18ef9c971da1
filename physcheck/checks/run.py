"""Run the selected checks on a context, in report order."""

from __future__ import annotations

from collections.abc import Sequence

from physcheck.checks.context import CheckContext
from physcheck.checks.result import CheckResult
from physcheck.config.checks import check_names, check_spec


def run_check(ctx: CheckContext, name: str) -> list[CheckResult]:
    """The results of check ``name`` (one per trajectory, and channel where it applies)."""
    return list(check_spec(name).function()(ctx))


def run_checks(ctx: CheckContext, names: Sequence[str] | None = None) -> list[CheckResult]:
    """Results of the named checks (default: all), in catalogue order."""
    wanted = check_names() if names is None else tuple(names)
    return [r for name in check_names() if name in wanted for r in run_check(ctx, name)]


__all__ = ["run_check", "run_checks"]
