"""Data-set recipes: torch-free, deterministic seeds, resolution-aware constants."""

from __future__ import annotations

import subprocess
import sys

import pytest

from physcheck.sim.recipes import DEFAULT, RECIPES, SMOKE, SPLITS


def test_recipes_import_without_torch() -> None:
    code = "import sys, physcheck.sim.recipes; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_seeds_are_unique_per_point_split_and_trajectory() -> None:
    """Within a set no two trajectories share a seed (across sets they may: the same initial
    conditions at another resolution)."""
    for recipe in RECIPES.values():
        seen: set[int] = set()
        for point in recipe.points:
            for split in SPLITS:
                seeds = recipe.seeds(point, split)
                assert len(seeds) == recipe.n_trajectories(split)
                assert len(set(seeds)) == len(seeds)
                assert seen.isdisjoint(seeds), (recipe.name, point, split)
                seen.update(seeds)
    a, b = DEFAULT.points
    assert DEFAULT.seeds(a, "test") != DEFAULT.seeds(b, "test")
    assert DEFAULT.seeds(a, "test") == DEFAULT.seeds(a, "test")


def test_the_sets_meet_their_sizes() -> None:
    assert SMOKE.n == 16 and DEFAULT.n >= 32
    for recipe in (SMOKE, DEFAULT):
        assert recipe.n_frames >= 80  # the paper window needs frames 14..76
        assert recipe.n_trajectories("test") >= 2
        assert recipe.point(0.7, 0.5).B0 == pytest.approx(0.5 / 0.7)
    assert any(p.Ms > 1 for p in DEFAULT.points)


def test_resolution_awareness() -> None:
    assert DEFAULT.forcing_scale == 2 and DEFAULT.dealias_cutoff == pytest.approx(32 / 3)
    assert DEFAULT.spectral_fit_range == (3, 10)
    assert SMOKE.spectral_fit_range == (3, 5)


def test_solver_parameters_make_a_config() -> None:
    point = DEFAULT.point(0.7, 2.0)
    config = DEFAULT.config(point)
    assert config.n == 32 and config.Ms == 2.0 and config.B0 == pytest.approx(2 / 0.7)
    assert config.spinup_intervals == DEFAULT.spinup(point)
    k_c = 32 / 3
    rate = config.nu_hyper * k_c ** (2 * config.hyper_order)
    assert rate == pytest.approx(point.hyper * point.Ms * k_c)  # damping rate at the cutoff
    params = DEFAULT.simulation_parameters(point)
    assert params["Ma"] == 0.7 and params["B0"] == pytest.approx(2 / 0.7)
    assert params["dt"] == point.frame_interval


def test_unknown_points_and_splits_say_what_exists() -> None:
    with pytest.raises(KeyError, match="Ma_0.7_Ms_0.5"):
        DEFAULT.point(2.0, 7.0)
    with pytest.raises(KeyError, match="train"):
        DEFAULT.n_trajectories("bogus")
