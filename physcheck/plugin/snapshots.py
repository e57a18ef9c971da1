"""Snapshot tolerances and commands of a pytest run, and the ``physcheck_snapshot`` fixture."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from physcheck.plugin.options import SETTINGS_KEY
from physcheck.snapshot.compare import Tolerance


def update_command(config: pytest.Config, nodeid: str | None = None) -> str:
    """The command that re-runs this pytest invocation (or one test) with ``--snapshot-update``."""
    args = [a for a in config.invocation_params.args if a != "--snapshot-update"]
    if nodeid:
        args = [a for a in args if a.startswith("-")] + [nodeid]
    return " ".join(["python -m pytest", *args, "--snapshot-update"])


def configured_tolerance(config: pytest.Config, marker: pytest.Mark | None = None) -> Tolerance:
    """Tolerance from the ``physcheck_snapshot`` marker, else ``[tool.physcheck]`` settings."""
    settings = config.stash.get(SETTINGS_KEY, None)
    rtol = settings.snapshot_rtol if settings else None
    atol = settings.snapshot_atol if settings else None
    overrides: Mapping[str, Any] | None = None
    if marker is not None:
        rtol = marker.kwargs.get("rtol", rtol)
        atol = marker.kwargs.get("atol", atol)
        overrides = marker.kwargs.get("overrides")
    return Tolerance.build(rtol, atol, overrides)


@pytest.fixture
def physcheck_snapshot(snapshot: Any, request: pytest.FixtureRequest) -> Any:
    """syrupy's ``snapshot`` with physcheck's numeric JSON extension and configured tolerances::

    @pytest.mark.physcheck_snapshot(rtol=1e-3, overrides={"vrmse.*": (1e-2, 0)})
    def test_numbers(physcheck_snapshot):
        assert physcheck_snapshot == {"vrmse": {"step1": 0.12}, "_meta": {...}}
    """
    from physcheck.snapshot.extension import extension_for

    tolerance = configured_tolerance(
        request.config, request.node.get_closest_marker("physcheck_snapshot")
    )
    return snapshot.use_extension(
        extension_for(tolerance, update_command(request.config, request.node.nodeid))
    )


__all__ = ["configured_tolerance", "physcheck_snapshot", "update_command"]
