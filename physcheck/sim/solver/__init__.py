"""Pseudo-spectral solver for forced 3D compressible isothermal MHD in a periodic box.

Equations (Heaviside-Lorentz units, mu0 = 1, sound speed c_s = 1, mean density rho0 = 1,
``s = ln rho``, ``B = B0 x_hat + b``, ``J = curl B``)::

    d_t s = - u . grad s - div u                                       - D_h (-lap)^p s
    d_t u = - (u . grad) u - c_s^2 grad s + (J x B) / rho + f + grad(zeta div u)
            + nu (lap u + grad(div u) / 3)                             - nu_h (-lap)^p u
    d_t b = curl(u x B) + eta lap b                                    - eta_h (-lap)^p b

- ``f``: solenoidal Ornstein-Uhlenbeck forcing at large scales, constant over each saved-frame
  interval (:mod:`physcheck.sim.forcing`); amplitude 0 = unforced (rotation/translation
  equivariant).
- ``zeta = nu_shock dx^2 max(-div u, 0)``: a shock-capturing bulk viscosity, active only in
  compressions (off unless ``nu_shock > 0``).
- With ``va_max > 0`` the Lorentz acceleration is ``J x B / (rho + |B|^2 / va_max^2)`` (an
  Alfven-speed limiter, Boris-style): it changes nothing where ``v_A << va_max`` and stops
  the runaway of near-empty, strongly magnetised voids at supersonic Mach numbers.
- Hyperdissipation of order ``p`` (``hyper_order``) and the Laplacian terms' diagonal parts
  are applied exactly by an integrating factor (IF-RK4), so they never limit the time step.
- Products are formed on the grid and truncated by the 2/3 rule (the state itself is kept
  truncated); the magnetic right-hand side is projected onto div b = 0 at every stage, so the
  spectral divergence of B stays at round-off.
- The mean velocity is held at zero (its k = 0 tendency is removed) and, with
  ``conserve_mass``, the k = 0 mode of ``s`` is reset after every step so that
  ``mean(rho) = 1`` exactly (the ``ln rho`` form conserves mass only up to truncation).
- Time stepping uses a **fixed** step ``dt = frame_interval / substeps`` (never state
  dependent, so a generator and an oracle take identical steps); the CFL number
  ``dt (max|u| + sqrt(c_s^2 + max |B|^2 / rho)) / dx`` is monitored and a step that exceeds
  ``cfl_max`` raises :class:`CFLError`.

Spectral state layout: ``z [B, 7, X, Y, Z//2+1]`` complex, rows ``(s, u_x, u_y, u_z, b_x, b_y,
b_z)`` (``b`` without the guide field). Well layout: ``[B, X, Y, Z, 7]`` channels last
``(density, B_x, B_y, B_z, v_x, v_y, v_z)`` with B including the guide field.

Its parts: ``config`` (``SolverConfig`` and the constants), ``isothermal`` (``IsothermalMHD``:
the right-hand side, the IF-RK4 step, the CFL watch) and ``frames`` (Well-layout states:
``advance_frame``, ``resample``, ``advance_well``, the cached ``solver_for``).
"""

from __future__ import annotations

from physcheck.sim.solver.config import C_S, RHO0, SolverConfig
from physcheck.sim.solver.frames import advance_frame, advance_well, resample, solver_for
from physcheck.sim.solver.isothermal import RK4_REAL_LIMIT as RK4_REAL_LIMIT
from physcheck.sim.solver.isothermal import CFLError, IsothermalMHD

__all__ = [
    "C_S",
    "CFLError",
    "IsothermalMHD",
    "RHO0",
    "SolverConfig",
    "advance_frame",
    "advance_well",
    "resample",
    "solver_for",
]
