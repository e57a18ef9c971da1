"""pytest plugin entry point (registered under ``pytest11``): a thin shell over the library.

Loading it is cheap (no torch import): options come from the torch-free settings table
(``physcheck.config``); data, models and rollouts load only once a model is configured and the
suite is collected. With ``--physcheck-model NAME=SPEC`` the plugin collects one test per
check, model, trajectory (and channel where it applies), e.g. ``solenoidality[demo-traj2]``.

- ``options``: options, markers, the run's settings;
- ``controller``: the ``PhyscheckPlugin`` that owns the ``Suite``, collects and gathers results;
- ``items``: the test items and their collector;
- ``xdist``: one worker (and GPU) per model;
- ``fixtures`` and ``snapshots``: fixtures for users' own tests.
"""

from __future__ import annotations

import pytest

from physcheck.errors import ConfigError
from physcheck.plugin.controller import PLUGIN_NAME, PhyscheckPlugin
from physcheck.plugin.fixtures import (
    parametrize_models,
    physcheck_model,
    physcheck_model_name,
    physcheck_rollout,
    physcheck_session,
    physcheck_truth,
)
from physcheck.plugin.options import MARKERS, SETTINGS_KEY, add_options, settings_of
from physcheck.plugin.rootdir import pytest_load_initial_conftests
from physcheck.plugin.runtime import check_device, check_outputs, cuda_missing_reason
from physcheck.plugin.selection import take_physics_selection
from physcheck.plugin.snapshots import physcheck_snapshot
from physcheck.plugin.xdist import group_models_on_workers


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    try:
        settings = settings_of(config)
        check_device(config, settings)
        if settings.models:
            check_outputs(config, settings)
    except ConfigError as exc:
        raise pytest.UsageError(f"physcheck: {exc}") from None
    config.stash[SETTINGS_KEY] = settings
    selection = take_physics_selection(config)
    if settings.models:
        group_models_on_workers(config, [m.name for m in settings.models])
    if settings.models or settings.only:
        config.pluginmanager.register(PhyscheckPlugin(config, settings, selection), PLUGIN_NAME)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under ``physcheck run``: say that the session finished (its parent reports a session
    that ended without this, e.g. a model that exited the process, as a failure)."""
    import os

    marker = os.environ.get("PHYSCHECK_SESSION_MARKER")
    if marker and not hasattr(session.config, "workerinput"):
        try:
            with open(marker, "w") as handle:
                handle.write(f"{int(exitstatus)}\n")
        except OSError:
            pass


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``gpu``-marked tests skip, with the reason, where torch sees no CUDA device."""
    if item.get_closest_marker("gpu") is not None:
        reason = cuda_missing_reason()  # imports torch: only when a gpu test is about to run
        if reason:
            pytest.skip(f"gpu test: {reason}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_models(metafunc)


__all__ = [
    "SETTINGS_KEY",
    "physcheck_model",
    "physcheck_model_name",
    "physcheck_rollout",
    "physcheck_session",
    "physcheck_snapshot",
    "physcheck_truth",
    "pytest_addoption",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_load_initial_conftests",
    "pytest_runtest_setup",
    "pytest_sessionfinish",
]
