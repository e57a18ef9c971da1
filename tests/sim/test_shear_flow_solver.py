"""The shear_flow reference solver against exact solutions and the equations' own budgets:
a Taylor-Green-type vortex decays at ``exp(-nu |k|^2 t)`` with its analytic pressure; the
card's shear layers stay divergence-free, lose kinetic energy and enstrophy, keep the
tracer's integral and (resolved) its range; without viscosity the dealiased system keeps its
energy; the stored frames are reproduced by stepping from them; a perturbation grows; the
solver commutes with every symmetry of the profile's group (stepping a transformed state equals
transforming the stepped state), which validates the group against the physics."""

from __future__ import annotations

import math

import pytest
import torch

from physcheck.diagnostics.symmetry import SymmetryGroup
from physcheck.errors import SimulationError
from physcheck.fields import FieldLayout
from physcheck.profiles import SHEAR_FLOW
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


LAYOUT = FieldLayout.of(SHEAR_FLOW)
GROUP = SymmetryGroup.of(SHEAR_FLOW, LAYOUT, (NX, NY))


def generic_state(grid: PeriodicGrid2D) -> torch.Tensor:
    """The card's layers plus a random divergence-free, dealiased velocity and tracer of 10 %
    (no symmetry of its own), as a state ``[1, X, Y, C]`` in the profile's channel order."""
    velocity, tracer = initial_condition(grid, ShearFlowParameters(n_shear=2, n_blobs=2))
    noise = torch.randn(3, NX, NY, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    smooth = grid.ifft(grid.fft(noise) * grid.dealias)
    velocity = velocity + 0.1 * grid.ifft(grid.project(grid.fft(smooth[:2])) * grid.dealias)
    return to_state(grid, velocity[None], tracer[None] + 0.1 * smooth[2])


def to_state(grid: PeriodicGrid2D, velocity: torch.Tensor, tracer: torch.Tensor) -> torch.Tensor:
    """``velocity [B, 2, X, Y]``, ``tracer [B, X, Y]`` -> ``[B, X, Y, C]`` with the pressure."""
    solver = ShearFlowSolver(grid, ShearFlowParameters())
    channels = {"tracer": tracer, "pressure": solver.pressure(velocity)}
    channels["velocity_x"], channels["velocity_y"] = velocity.unbind(1)
    return torch.stack([channels[name] for name in LAYOUT.names], dim=-1)


def stepped(grid: PeriodicGrid2D, state: torch.Tensor) -> torch.Tensor:
    """``state [B, X, Y, C]`` two frames later (Re 1e3, Sc 0.5)."""
    solver = ShearFlowSolver(grid, ShearFlowParameters(reynolds=1e3, schmidt=0.5), substeps=16)
    velocity = state[..., list(LAYOUT.velocity)].movedim(-1, 1)
    velocity, tracer = solver.advance(velocity, state[..., LAYOUT.index("tracer")], n_frames=2)
    return to_state(grid, velocity, tracer)


@pytest.mark.parametrize("transform", GROUP.transforms, ids=lambda t: t.name)
def test_the_solver_commutes_with_every_symmetry_of_the_profile(transform) -> None:  # type: ignore[no-untyped-def]
    grid = PeriodicGrid2D(NX, NY)
    state = generic_state(grid)
    moved = GROUP.apply(transform, state)
    assert float((moved - state).abs().max()) > 0.1  # the state is not its own image
    gap = stepped(grid, moved) - GROUP.apply(transform, stepped(grid, state))
    assert float(gap.abs().max()) < 1e-12 * float(state.abs().max()), transform.name


def test_a_reflection_with_the_wrong_sign_is_not_a_symmetry_of_the_solver() -> None:
    """The teeth of the test above: x -> -x moving the points but keeping u_x (the velocity
    taken for scalars) maps solutions onto states that step elsewhere."""
    grid = PeriodicGrid2D(NX, NY)
    state = generic_state(grid)
    reflect = GROUP.by_name("reflect_x")
    wrong = SymmetryGroup(LAYOUT, vectors=(), pseudovectors=(), transforms=(reflect,))
    gap = stepped(grid, wrong.apply(reflect, state)) - wrong.apply(reflect, stepped(grid, state))
    assert float(gap.abs().max()) > 1e-3
