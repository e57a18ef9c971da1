"""Fixtures for users' own physics tests, over the run's ``Suite``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from physcheck.plugin.controller import PLUGIN_NAME, PhyscheckPlugin
from physcheck.plugin.options import SETTINGS_KEY
from physcheck.plugin.xdist import worker_index

if TYPE_CHECKING:
    from physcheck.models import Surrogate
    from physcheck.records import DiagnosticRecord
    from physcheck.suite import Suite, TruthWindow


@pytest.fixture(scope="session")
def physcheck_session(request: pytest.FixtureRequest) -> Suite:
    """The run's ``physcheck.suite.Suite`` (configured models, data, window, thresholds)."""
    plugin = request.config.pluginmanager.get_plugin(PLUGIN_NAME)
    if isinstance(plugin, PhyscheckPlugin):
        return plugin.suite
    from physcheck.suite import Suite

    return Suite(
        request.config.stash[SETTINGS_KEY],
        rootdir=request.config.rootpath,
        worker=worker_index(request.config),
    )


def parametrize_models(metafunc: pytest.Metafunc) -> None:
    """Tests using ``physcheck_model`` run once per configured model."""
    if "physcheck_model" in metafunc.fixturenames:
        settings = metafunc.config.stash.get(SETTINGS_KEY, None)
        names = [m.name for m in settings.models] if settings else []
        if names:
            metafunc.parametrize("physcheck_model_name", names, ids=names, scope="session")


@pytest.fixture(scope="session")
def physcheck_model_name(request: pytest.FixtureRequest) -> str:
    pytest.skip(
        "no model configured: pass --physcheck-model NAME=SPEC or set [tool.physcheck] models"
    )


@pytest.fixture(scope="session")
def physcheck_model(physcheck_session: Suite, physcheck_model_name: str) -> Surrogate:
    """The surrogate of each configured model (tests using it run once per model)."""
    return physcheck_session.model(physcheck_model_name)


@pytest.fixture(scope="session")
def physcheck_truth(physcheck_session: Suite, physcheck_model_name: str) -> TruthWindow:
    """``TruthWindow`` (``history``, ``truth``, ``record``) of the configured window for the model's history length."""
    return physcheck_session.truth(physcheck_session.n_history(physcheck_model_name))


@pytest.fixture(scope="session")
def physcheck_rollout(physcheck_session: Suite, physcheck_model_name: str) -> DiagnosticRecord:
    """The model's base-rollout ``DiagnosticRecord`` (computed once per session)."""
    return physcheck_session.record(physcheck_model_name, "base")


__all__ = [
    "parametrize_models",
    "physcheck_model",
    "physcheck_model_name",
    "physcheck_rollout",
    "physcheck_session",
    "physcheck_truth",
]
