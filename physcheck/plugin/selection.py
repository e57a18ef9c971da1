"""When the physics suite joins a pytest run, and which of its items.

pytest users expect ``pytest tests/test_mine.py`` to run that file only. So the suite joins a
session when no test paths are given (pytest falls back to ``testpaths`` or the current
directory), with ``--physcheck-only``, or when its items are named on the command line:
``pytest physcheck`` (the whole suite), ``pytest "physcheck::solenoidality"`` (every item of a
check) or ``pytest "physcheck::solenoidality[demo-traj0]"`` (one item), beside any test paths.
pytest would look for such a name on disk, so it is taken off pytest's arguments here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

SUITE_NODE = "physcheck"


@dataclass(frozen=True)
class PhysicsSelection:
    """``joins``: the suite is collected in this session; ``names``: the node ids (or their
    ``physcheck::check`` prefixes) named on the command line, empty for every item."""

    joins: bool
    names: tuple[str, ...] = ()

    def wants(self, nodeid: str) -> bool:
        """Whether the item ``nodeid`` (``physcheck::check[params]``) is selected."""
        if not self.names:
            return True
        return any(
            name == SUITE_NODE or nodeid == name or nodeid.startswith(f"{name}[")
            for name in self.names
        )


def is_physics_name(arg: str) -> bool:
    """``physcheck`` or ``physcheck::...`` (a physics node id, never a path on disk)."""
    return arg == SUITE_NODE or arg.startswith(f"{SUITE_NODE}::")


def take_physics_selection(config: pytest.Config) -> PhysicsSelection:
    """Read (and take off ``config.args``) the physics node ids named on the command line,
    and whether the suite joins this session."""
    names = tuple(a for a in config.args if is_physics_name(a))
    if names:
        config.args[:] = [a for a in config.args if not is_physics_name(a)]
    only = bool(getattr(config.option, "physcheck_only", False))
    no_paths = config.args_source != pytest.Config.ArgsSource.ARGS
    return PhysicsSelection(joins=bool(names) or only or no_paths, names=names)


__all__ = ["PhysicsSelection", "SUITE_NODE", "is_physics_name", "take_physics_selection"]
