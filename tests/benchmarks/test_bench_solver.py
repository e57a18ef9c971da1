"""Reference solver: one RK4 step at 16^3, 32^3 and 64^3 on the CPU (steps/s = 1 / mean)."""

from __future__ import annotations

import pytest
import torch

from physcheck.sim import IsothermalMHD, SolverConfig
from physcheck.sim.generate import initial_state


@pytest.mark.parametrize("n", [16, 32, 64])
def test_solver_step(benchmark, n: int) -> None:
    benchmark.group = "solver-rk4-step-cpu-float64"
    solver = IsothermalMHD(SolverConfig(n=n, forcing_amplitude=0.1))
    state = solver.from_well(initial_state(solver, [0]))
    dt = solver.stable_dt(state)
    out = benchmark(solver.rk4_step, state, dt)
    assert torch.isfinite(out.b_hat.real).all()
