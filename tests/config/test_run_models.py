"""Which models a run checks: the configured ones, saved rollouts replacing a configured model
of the same name, and the fallback models (``physcheck run``'s demo) only when none is
configured anywhere."""

from __future__ import annotations

import pytest

from physcheck.config import build_settings
from physcheck.errors import ConfigError


def names(file: dict[str, object], cli: dict[str, object]) -> dict[str, str]:
    return {m.name: m.spec for m in build_settings(file, cli).models}


def test_fallback_models_apply_only_when_none_is_configured() -> None:
    fallback = {"fallback_models": ["demo=demo"]}
    assert names({}, fallback) == {"demo": "demo"}
    assert names({"models": {"mine": "pkg.m:make"}}, fallback) == {"mine": "pkg.m:make"}
    assert names({}, {**fallback, "models": ["mine=pkg.m:make"]}) == {"mine": "pkg.m:make"}
    assert names({"predictions": {"old": "out/old.npz"}}, fallback) == {"old": "saved:out/old.npz"}


def test_saved_rollouts_replace_a_configured_model_of_the_same_name() -> None:
    got = names(
        {"models": {"tiny": "pkg.m:tiny", "big": "pkg.m:big"}},
        {"predictions": ["tiny=out/tiny.hdf5"]},
    )
    assert got == {"big": "pkg.m:big", "tiny": "saved:out/tiny.hdf5"}


def test_two_models_of_one_name_on_the_command_line_are_refused() -> None:
    with pytest.raises(ConfigError, match="model names must be unique"):
        build_settings({}, {"models": ["a=demo"], "predictions": ["a=out/a.npz"]})


def test_zero_noise_with_basin_determinism_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="noise 0 makes basin_determinism vacuous"):
        build_settings({}, {"noise": "0"})
    assert build_settings({}, {"noise": "0", "checks": "finite"}).diagnostics.noise_eps == 0
    assert build_settings({"perturbations": 0}, {"noise": "0"}).diagnostics.n_perturbations == 0
