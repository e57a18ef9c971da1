"""Reference solver: one IF-RK4 step of the default set's (Ma 0.7, Ms 0.5) numerics at 16^3,
32^3 and 64^3 on the CPU, forced (steps/s = 1 / mean)."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from physcheck.sim import initial_state, solver_for
from physcheck.sim.recipes import DEFAULT


@pytest.mark.parametrize("n", [16, 32, 64])
def test_solver_step(benchmark, n: int) -> None:
    benchmark.group = "solver-rk4-step-cpu-float64"
    recipe = dataclasses.replace(DEFAULT, n=n)
    point = recipe.point(0.7, 0.5)
    config = recipe.config(point)
    solver = solver_for(config)
    z = solver.from_well(initial_state(config, recipe.seeds(point, "test")[:1]))
    forcing = solver.forcing.spectrum(recipe.seeds(point, "test")[:1], 0) if solver.forcing else None
    out = benchmark(solver.step, z, forcing, config.dt)
    assert torch.isfinite(out).all()
