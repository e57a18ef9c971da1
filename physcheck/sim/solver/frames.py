"""Well-layout states stepped by the solver: the cached solver of a config, one saved-frame
interval with the data's forcing (``advance_frame``, the generator's step and the exact
oracle), spectral refinement to a finer grid, and unforced integration for a duration."""

from __future__ import annotations

import torch

from physcheck.errors import ArgumentError
from physcheck.sim.solver.config import SolverConfig
from physcheck.sim.solver.isothermal import IsothermalMHD

_SOLVERS: dict[tuple[SolverConfig, str], IsothermalMHD] = {}


def solver_for(config: SolverConfig, device: torch.device | str = "cpu") -> IsothermalMHD:
    """A float64 :class:`IsothermalMHD` for ``config`` on ``device`` (cached)."""
    key = (config, str(torch.device(device)))
    if key not in _SOLVERS:
        if len(_SOLVERS) > 16:
            _SOLVERS.clear()
        _SOLVERS[key] = IsothermalMHD(config, device=device, dtype=torch.float64)
    return _SOLVERS[key]


def advance_frame(
    state: torch.Tensor, config: SolverConfig, seeds: list[int], frame_index: int
) -> torch.Tensor:
    """Advance Well-layout states ``[B, X, Y, Z, 7]`` from saved frame ``frame_index - 1`` to
    saved frame ``frame_index`` of the trajectories ``seeds`` (one seed per batch row).

    The step integrates ``config.frame_interval`` in ``config.substeps`` fixed IF-RK4 steps with
    the forcing of interval ``config.spinup_intervals + frame_index - 1`` (intervals count from
    the start of the spin-up; ``frame_index <= 0`` addresses spin-up intervals). Runs in float64
    on the input's device; returns the input's dtype. Unforced configs ignore ``seeds`` and
    ``frame_index``. The generator makes every saved frame with this function, so it is also
    the exact oracle.
    """
    if config.forcing_interval(frame_index) < 0:
        raise ArgumentError(
            f"frame {frame_index} is before the start of the run "
            f"({config.spinup_intervals} spin-up intervals precede frame 0)"
        )
    solver = solver_for(config, state.device)
    z = solver.from_well(state)
    z = solver.advance_interval(z, list(seeds), config.forcing_interval(frame_index))
    return solver.to_well(z).to(state.dtype)


def resample(state: torch.Tensor, config: SolverConfig, n: int) -> torch.Tensor:
    """Spectral interpolation of Well-layout states ``[B, X, Y, Z, 7]`` on ``config``'s grid to an
    ``n^3`` grid (``n >= config.n``), in the solver's variables (ln rho, u, b): the modes are
    copied and the new ones are zero, so the result is band-limited like the source. Float64
    on the input's device; returns the input's dtype."""
    if n < config.n:
        raise ArgumentError(f"resample only refines: {config.n} -> {n}")
    source = solver_for(config, state.device)
    target = solver_for(SolverConfig(**dict(config.to_attrs(), n=n)), state.device)
    z = source.from_well(state)
    m, h = config.n, config.n // 2  # modes |n_j| < n_src / 3 < h: no Nyquist to split
    out = z.new_zeros((*z.shape[:2], n, n, n // 2 + 1))
    rows = torch.cat((torch.arange(0, h), torch.arange(m - h, m)))
    targets = torch.cat((torch.arange(0, h), torch.arange(n - h, n)))
    block = z[:, :, rows][:, :, :, rows][..., :h]
    out[:, :, targets[:, None], targets[None, :], :h] = block
    out *= (n / m) ** 3  # unnormalised forward transform
    return target.to_well(out).to(state.dtype)


def advance_well(state: torch.Tensor, duration: float, config: SolverConfig) -> torch.Tensor:
    """Advance Well-layout states ``[B, X, Y, Z, 7]`` by ``duration`` **without forcing**
    (the forcing of ``config`` is ignored; steps no longer than ``config.dt``). Runs on the
    input's device in its dtype (the equivariant, unforced mode)."""
    unforced = SolverConfig(**dict(config.to_attrs(), forcing_amplitude=0.0))
    solver = IsothermalMHD(unforced, device=state.device, dtype=state.dtype)
    return solver.to_well(solver.advance(solver.from_well(state), duration)).to(state.dtype)


__all__ = ["advance_frame", "advance_well", "resample", "solver_for"]
