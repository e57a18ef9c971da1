"""The reference solver's physics: constraints, conservation, wave speeds, precision."""

from __future__ import annotations

import math

import pytest
import torch

from physcheck.diagnostics import divb_ratio
from physcheck.sim import IsothermalMHD, SolverConfig, advance_well
from physcheck.sim.generate import initial_state


def uniform_frame(n: int, config: SolverConfig, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    frame = torch.zeros(1, n, n, n, 7, dtype=dtype)
    frame[..., 0] = 1.0
    frame[..., 1] = config.B0
    return frame


def x_coordinate(n: int, config: SolverConfig) -> torch.Tensor:
    return (torch.arange(n, dtype=torch.float64) * config.dx)[:, None, None].expand(n, n, n)


def mode_phase(signal: torch.Tensor) -> float:
    """Phase of the k = 1 Fourier mode along x of a ``[X, Y, Z]`` field (averaged over y, z)."""
    line = signal.mean(dim=(1, 2))
    return float(torch.angle(torch.fft.fft(line)[1]))


def phase_speed(config: SolverConfig, frame: torch.Tensor, channel: int, duration: float) -> float:
    solver = IsothermalMHD(config)
    start = solver.from_well(frame)
    end = solver.to_well(solver.advance(start, duration))
    shift = mode_phase(frame[0, ..., channel]) - mode_phase(end[0, ..., channel])
    shift = (shift + math.pi) % (2 * math.pi) - math.pi  # principal value
    k = 2 * math.pi / config.box_size
    return shift / (k * duration)


def test_alfven_wave_travels_at_the_alfven_speed() -> None:
    config = SolverConfig(n=16, nu=0.0, eta=0.0)
    frame = uniform_frame(16, config)
    a = 1e-4
    wave = torch.sin(2 * math.pi * x_coordinate(16, config) / config.box_size)
    frame[0, ..., 5] = a * wave  # u_y
    frame[0, ..., 2] = -a * math.sqrt(1.0) * wave  # b_y
    speed = phase_speed(config, frame, channel=5, duration=1.5)
    assert speed == pytest.approx(config.B0, rel=0.01)  # v_A = B0 / sqrt(rho0)


def test_sound_wave_travels_at_the_sound_speed() -> None:
    config = SolverConfig(n=16, nu=0.0, eta=0.0)
    frame = uniform_frame(16, config)
    a = 1e-4
    wave = torch.sin(2 * math.pi * x_coordinate(16, config) / config.box_size)
    frame[0, ..., 0] = 1.0 + a * wave  # rho
    frame[0, ..., 4] = a * 1.0 * wave  # u_x = a c_s sin(kx)
    speed = phase_speed(config, frame, channel=0, duration=1.5)
    assert speed == pytest.approx(1.0, rel=0.01)


@pytest.fixture(scope="module")
def turbulent_run() -> tuple[IsothermalMHD, list]:
    """A forced 16^3 run: the states at t = 0, 0.5, ..., 2."""
    config = SolverConfig(n=16, nu=0.04, eta=0.04, forcing_amplitude=0.1, forcing_seed=3)
    solver = IsothermalMHD(config)
    state = solver.from_well(initial_state(solver, [11]))
    states = [state]
    for _ in range(4):
        state = solver.advance(state, 0.5)
        states.append(state)
    return solver, states


def test_spectral_div_b_stays_at_roundoff_over_a_run(turbulent_run) -> None:
    solver, states = turbulent_run
    for state in states:
        frame = solver.to_well(state)
        assert divb_ratio(frame[..., 1:4], method="spectral").item() < 1e-13


def test_mass_is_conserved_to_roundoff(turbulent_run) -> None:
    solver, states = turbulent_run
    masses = torch.stack([solver.to_well(s)[..., 0].mean() for s in states])
    assert (masses - masses[0]).abs().max().item() < 1e-13
    # and the run is not trivially static: density fluctuates
    assert solver.to_well(states[-1])[..., 0].std().item() > 1e-3


def test_energy_drift_without_forcing_and_dissipation_is_small() -> None:
    """Ideal run (nu = eta = 0, no forcing) over 1 time unit: |dE| / E < 1e-4 (stated bound;
    the remainder is the 2/3-rule truncation of the nonlinear terms and RK4 error)."""
    config = SolverConfig(n=16, nu=0.0, eta=0.0, forcing_amplitude=0.0)
    solver = IsothermalMHD(config)
    state = solver.from_well(initial_state(solver, [5]))
    e0 = solver.total_energy(state)
    e1 = solver.total_energy(solver.advance(state, 1.0))
    assert ((e1 - e0).abs() / e0).item() < 1e-4


def test_dissipation_removes_energy() -> None:
    config = SolverConfig(n=16, nu=0.05, eta=0.05)
    solver = IsothermalMHD(config)
    state = solver.from_well(initial_state(solver, [5]))
    assert (solver.total_energy(solver.advance(state, 1.0)) < solver.total_energy(state)).all()


def test_float32_and_float64_runs_agree_to_single_precision() -> None:
    config = SolverConfig(n=16, forcing_amplitude=0.1)
    frame = initial_state(IsothermalMHD(config), [7])
    f64 = advance_well(frame, 1.0, config)
    f32 = advance_well(frame.float(), 1.0, config)
    assert f32.dtype == torch.float32 and f64.dtype == torch.float64
    rel = ((f32.double() - f64).norm() / f64.norm()).item()
    assert 0 < rel < 1e-5


def test_config_round_trips_through_attributes() -> None:
    config = SolverConfig(n=16, Ma=2.0, forcing_amplitude=0.1, forcing_seed=9)
    assert SolverConfig.from_attrs(config.to_attrs()) == config
    assert config.B0 == pytest.approx(0.25)
