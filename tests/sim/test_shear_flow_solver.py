"""The shear_flow reference solver against exact solutions and the equations' own budgets:
a Taylor-Green-type vortex decays at ``exp(-nu |k|^2 t)`` with its analytic pressure; the
card's shear layers stay divergence-free, lose kinetic energy and enstrophy, keep the
tracer's integral and (resolved) its range; without viscosity the dealiased system keeps its
energy; the stored frames are reproduced by stepping from them; a perturbation grows."""

from __future__ import annotations

import math

import pytest
import torch

from physcheck.errors import SimulationError
from physcheck.sim.shear_flow import (
    PeriodicGrid2D,
    ShearFlowParameters,
    ShearFlowSolver,
    budgets,
    initial_condition,
)

NX, NY = 32, 64


def vortex(grid: PeriodicGrid2D) -> tuple[torch.Tensor, torch.Tensor]:
    """``psi = sin(2 pi x) sin(pi (y + 1))`` on the 1 x 2 box: velocity ``[1, 2, X, Y]``
    (``u = (d_y psi, -d_x psi)``) and ``psi [X, Y]``. One wavenumber shell, so the nonlinear
    term is a pure gradient and the vortex decays exactly."""
    x, y = grid.coordinates()
    xx, yy = torch.meshgrid(x, y + 1, indexing="ij")
    a, b = 2 * math.pi, math.pi
    psi = torch.sin(a * xx) * torch.sin(b * yy)
    u = torch.stack([b * torch.sin(a * xx) * torch.cos(b * yy), -a * torch.cos(a * xx) * torch.sin(b * yy)])
    return u[None], psi


def divergence(grid: PeriodicGrid2D, velocity: torch.Tensor) -> torch.Tensor:
    u_hat = grid.fft(velocity)
    return grid.ifft(1j * (grid.k.to(u_hat.dtype) * u_hat).sum(dim=-3))


def test_a_single_shell_vortex_decays_exactly_with_its_analytic_pressure() -> None:
    grid = PeriodicGrid2D(NX, NY)
    velocity, psi = vortex(grid)
    parameters = ShearFlowParameters(reynolds=100.0)
    solver = ShearFlowSolver(grid, parameters, substeps=40)
    k2 = (2 * math.pi) ** 2 + math.pi**2
    # (u . grad) u = grad(|u|^2 / 2 + |k|^2 psi^2 / 2), so p = -(that), mean 0
    expected = -(0.5 * velocity.square().sum(1) + 0.5 * k2 * psi**2)
    assert torch.allclose(solver.pressure(velocity), expected - expected.mean(), atol=1e-12)
    later, _ = solver.advance(velocity, torch.zeros(1, NX, NY), n_frames=5)
    decay = math.exp(-parameters.viscosity * k2 * 5 * solver.frame_dt)
    assert torch.allclose(later, decay * velocity, atol=1e-12)


def test_the_card_initial_condition_is_divergence_free_with_the_tracer_on_the_shear() -> None:
    grid = PeriodicGrid2D(NX, NY)
    velocity, tracer = initial_condition(grid, ShearFlowParameters(n_shear=2, n_blobs=2))
    assert float(divergence(grid, velocity[None]).abs().max()) < 1e-12
    # two layers of opposite sign: u_x = -1/2 between y = -1/2 and 1/2, +1/2 outside
    x, y = grid.coordinates()
    middle, edge = int((y.abs() < 0.05).nonzero()[0]), 0
    assert float(velocity[0, :, middle].mean()) == pytest.approx(-0.5, abs=0.01)
    assert float(velocity[0, :, edge].mean()) == pytest.approx(0.5, abs=0.01)
    assert torch.allclose(tracer[:, middle].mean(), torch.tensor(-0.5, dtype=tracer.dtype), atol=0.01)
    # the blobs (amplitude 0.1 before the projection takes their divergent part)
    assert 0.02 < float(velocity[1].abs().max()) <= 0.1


@pytest.fixture(scope="module")
def shear_run() -> tuple[PeriodicGrid2D, dict[str, torch.Tensor], ShearFlowSolver]:
    """30 frames of a resolved configuration (Re 1e4, Sc 0.2) on 64 x 128."""
    grid = PeriodicGrid2D(64, 128)
    parameters = ShearFlowParameters(1e4, 0.2, 1.0, 4, 3)
    velocity, tracer = initial_condition(grid, parameters)
    solver = ShearFlowSolver(grid, parameters, substeps=16)
    return grid, solver.frames(velocity[None], tracer[None], 30), solver


def test_the_budgets_follow_the_equations(
    shear_run: tuple[PeriodicGrid2D, dict[str, torch.Tensor], ShearFlowSolver],
) -> None:
    grid, frames, _ = shear_run
    velocity = frames["velocity"].movedim(-1, 2)[0]  # [T, 2, X, Y]
    numbers = budgets(grid, velocity, frames["tracer"][0])
    energy, enstrophy = numbers["kinetic_energy"], numbers["enstrophy"]
    assert bool((energy[1:] <= energy[:-1]).all()) and float(energy[-1]) < float(energy[0])
    assert bool((enstrophy[1:] <= enstrophy[:-1] * (1 + 1e-12)).all())
    assert float((numbers["tracer_mean"] - numbers["tracer_mean"][0]).abs().max()) < 1e-12
    # resolved: the tracer stays within its initial range [-1/2, 1/2] to 1 % of it
    assert float(numbers["tracer_max"].max()) < 0.51 and float(numbers["tracer_min"].min()) > -0.51
    assert float(divergence(grid, velocity).abs().max()) < 1e-10
    assert float(frames["pressure"].mean(dim=(-2, -1)).abs().max()) < 1e-12  # int p = 0


def test_without_viscosity_the_dealiased_system_keeps_its_energy() -> None:
    grid = PeriodicGrid2D(NX, NY)
    parameters = ShearFlowParameters(reynolds=1e15, schmidt=1.0)
    velocity, tracer = initial_condition(grid, parameters)
    solver = ShearFlowSolver(grid, parameters, substeps=16)
    later, _ = solver.advance(velocity[None], tracer[None], n_frames=5)
    before = budgets(grid, velocity[None], tracer[None])["kinetic_energy"]
    after = budgets(grid, later, tracer[None])["kinetic_energy"]
    assert float(after / before) == pytest.approx(1.0, abs=1e-8)  # RK4's error only


def test_stepping_from_a_stored_frame_reproduces_the_next(
    shear_run: tuple[PeriodicGrid2D, dict[str, torch.Tensor], ShearFlowSolver],
) -> None:
    _, frames, solver = shear_run
    k = 12
    velocity = frames["velocity"][:, k].movedim(-1, 1)
    nxt_velocity, nxt_tracer = solver.advance(velocity, frames["tracer"][:, k])
    assert torch.allclose(nxt_velocity, frames["velocity"][:, k + 1].movedim(-1, 1), atol=1e-12)
    assert torch.allclose(nxt_tracer, frames["tracer"][:, k + 1], atol=1e-12)


def test_a_small_perturbation_grows() -> None:
    """A smooth divergence-free nudge of 1e-6 grows about 10x in 20 frames (the shear layers'
    instability): the truth is not a fixed point a trivial model could sit on."""
    grid = PeriodicGrid2D(64, 128)
    parameters = ShearFlowParameters(1e4, 0.2, 1.0, 4, 3)
    velocity, tracer = initial_condition(grid, parameters)
    solver = ShearFlowSolver(grid, parameters, substeps=16)
    nudge, _ = vortex(grid)
    a, _ = solver.advance(velocity[None], tracer[None], n_frames=20)
    b, _ = solver.advance(velocity[None] + 1e-6 * nudge, tracer[None], n_frames=20)
    start = 1e-6 * float(nudge.square().mean().sqrt())
    assert float((a - b).square().mean().sqrt()) > 5 * start


def test_a_step_past_the_cfl_limit_is_refused() -> None:
    grid = PeriodicGrid2D(NX, NY)
    velocity, tracer = initial_condition(grid, ShearFlowParameters())
    solver = ShearFlowSolver(grid, ShearFlowParameters(), substeps=1, cfl_max=0.5)
    with pytest.raises(SimulationError, match="CFL number .* exceeds 0.5 .*more substeps"):
        solver.advance(velocity[None], tracer[None])
