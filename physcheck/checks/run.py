"""Run the selected checks on a context, in report order."""

from __future__ import annotations

from collections.abc import Sequence

from physcheck.checks.context import CheckContext
from physcheck.checks.result import CheckResult
from physcheck.config.checks import CheckSpec, check_names, check_spec
from physcheck.timing import phase


def run_check(ctx: CheckContext, name: str) -> list[CheckResult]:
    """The results of check ``name`` (one per trajectory, and channel where it applies); a
    check that requires what the dataset's profile lacks is skipped with the reason, in the
    same shape."""
    spec = check_spec(name)
    reason = ctx.profile.missing(spec.requires)
    if reason is not None:
        return skipped_results(ctx, spec, reason)
    return list(spec.function()(ctx))


def skipped_results(ctx: CheckContext, spec: CheckSpec, reason: str) -> list[CheckResult]:
    """The results of a check that cannot run, each skipped with ``reason``: one for the model,
    one per trajectory, or one per trajectory and channel, as the check's scope has them."""
    if spec.scope == "model":
        message = f"{ctx.model}: skipped: {reason}"
        return [ctx.model_result(spec.name, True, None, None, message, skipped=reason)]
    if spec.scope == "channel":
        return [
            ctx.result(
                spec.name,
                i,
                True,
                None,
                None,
                f"{ctx.prefix(i)}, {channel}: skipped: {reason}",
                channel=channel,
                skipped=reason,
            )
            for i in range(len(ctx.trajectories))
            for channel in ctx.layout.short_names
        ]
    return ctx.skipped(spec.name, reason)


def run_checks(ctx: CheckContext, names: Sequence[str] | None = None) -> list[CheckResult]:
    """Results of the named checks (default: all), in catalogue order."""
    wanted = check_names() if names is None else tuple(names)
    with phase("checks"):
        return [r for name in check_names() if name in wanted for r in run_check(ctx, name)]


__all__ = ["run_check", "run_checks", "skipped_results"]
