"""The isothermal MHD equations on a spectral state and their integration: right-hand side,
integrating-factor RK4 step, fixed-step advance with the CFL watch (``CFLError``), and the
conversions between the spectral state and Well frames (the equations and layouts are in
:mod:`physcheck.sim.solver`'s docstring)."""

from __future__ import annotations

import math

import torch

from physcheck.errors import ArgumentError, SimulationError
from physcheck.sim.forcing import OUForcing
from physcheck.sim.solver.config import C_S, SolverConfig
from physcheck.sim.spectral import SpectralGrid

#: RK4's stability limit on the negative real axis (explicit diffusion: the shock viscosity)
RK4_REAL_LIMIT = 2.78


class CFLError(SimulationError):
    """The fixed time step exceeded the configured CFL limit (or the state became non-finite);
    a ``SimulationError`` (so a ``PhyscheckError`` and a ``RuntimeError``)."""


def _cross_into(a: torch.Tensor, b: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """``out = a x b`` for ``[B, 3, X, Y, Z]`` fields (component formulas)."""
    ax, ay, az = a[:, 0], a[:, 1], a[:, 2]
    bx, by, bz = b[:, 0], b[:, 1], b[:, 2]
    torch.mul(ay, bz, out=out[:, 0]).sub_(az * by)
    torch.mul(az, bx, out=out[:, 1]).sub_(ax * bz)
    torch.mul(ax, by, out=out[:, 2]).sub_(ay * bx)
    return out


def _cross(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a x b`` of ``[B, 3, X, Y, Z]`` fields."""
    return _cross_into(a, b, torch.empty_like(a))


def _curl(ik: torch.Tensor, v_hat: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """``out = i k x v_hat`` (spectral curl) for ``[B, 3, X, Y, Zr]``; ``ik`` is ``[3, X, Y, Zr]``."""
    return _cross_into(ik[None].expand_as(v_hat), v_hat, out)


class IsothermalMHD:
    """Right-hand side, IF-RK4 step and fixed-step integration of a spectral state ``z``."""

    def __init__(
        self,
        config: SolverConfig,
        *,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float64,
    ) -> None:
        self.config = config
        self.grid = g = SpectralGrid(config.n, config.box_size, device=device, dtype=dtype)
        self.forcing = (
            OUForcing(
                g,
                amplitude=config.forcing_amplitude,
                correlation=config.forcing_correlation,
                frame_interval=config.frame_interval,
                n_min=config.forcing_nmin,
                n_max=config.forcing_nmax,
                n_par_min=config.forcing_npar_min,
            )
            if config.forced
            else None
        )
        self._ik = (1j * g.k).to(torch.complex128 if dtype == torch.float64 else torch.complex64)
        hyper = g.k2**config.hyper_order
        linear = torch.stack(
            [config.lnrho_hyper * hyper]
            + [config.nu * g.k2 + config.nu_hyper * hyper] * 3
            + [config.eta * g.k2 + config.eta_hyper * hyper] * 3
        )  # [7, X, Y, Zr], damping rate per mode (1 / time)
        self._linear = linear
        self._factors: dict[float, tuple[torch.Tensor, torch.Tensor]] = {}
        #: largest CFL number / shock-viscosity diffusion number seen by the last advance
        self.max_cfl = 0.0
        self.max_diffusion = 0.0
        self._track = torch.zeros(2, dtype=dtype, device=g.device)

    # -- conversions -------------------------------------------------------------------------
    def from_well(self, frame: torch.Tensor) -> torch.Tensor:
        """Spectral state ``[B, 7, X, Y, Zr]`` of Well frames ``[B, X, Y, Z, 7]`` (any dtype):
        ``s = ln(density)``, truncated by the 2/3 rule, b projected onto div b = 0."""
        g, cfg = self.grid, self.config
        f = frame.to(device=g.device, dtype=g.dtype)
        rho = f[..., 0]
        if not bool((rho > 0).all()):
            raise ArgumentError("the density must be positive everywhere to take its logarithm")
        b = f[..., 1:4].movedim(-1, 1).clone()
        b[:, 0] -= cfg.B0
        grid_fields = torch.cat((torch.log(rho)[:, None], f[..., 4:7].movedim(-1, 1), b), dim=1)
        z = g.fft(grid_fields) * g.dealias
        z[:, 4:7] = g.project(z[:, 4:7])
        return z

    def to_well(self, z: torch.Tensor) -> torch.Tensor:
        """Well frames ``[B, X, Y, Z, 7]`` (grid dtype) of a spectral state."""
        grid_fields = self.grid.ifft(z)
        rho = torch.exp(grid_fields[:, 0])
        b = grid_fields[:, 4:7]
        b[:, 0] += self.config.B0
        return torch.cat((rho[:, None], b, grid_fields[:, 1:4]), dim=1).movedim(1, -1)

    # -- physics -----------------------------------------------------------------------------
    def rhs(
        self, z: torch.Tensor, f_hat: torch.Tensor | None, *, track: bool = False
    ) -> torch.Tensor:
        """Nonlinear and non-diagonal tendency ``[B, 7, X, Y, Zr]`` (the diagonal dissipation is
        in the integrating factor). With ``track`` the CFL number of this state is folded into
        the running maximum of :meth:`advance_steps`."""
        g, cfg = self.grid, self.config
        ik = self._ik
        s_hat, u_hat, b_hat = z[:, 0], z[:, 1:4], z[:, 4:7]
        shock = cfg.nu_shock > 0
        # spectral fields to bring to the grid: s, grad s, u, curl u, b, curl b (, div u)
        spec = z.new_empty((z.shape[0], 17 if shock else 16, *z.shape[2:]))
        spec[:, 0] = s_hat
        torch.mul(ik, s_hat[:, None], out=spec[:, 1:4])
        spec[:, 4:7] = u_hat
        _curl(ik, u_hat, spec[:, 7:10])
        spec[:, 10:13] = b_hat
        _curl(ik, b_hat, spec[:, 13:16])
        div_u_hat = (ik * u_hat).sum(1)
        if shock:
            spec[:, 16] = div_u_hat
        grid_fields = g.ifft(spec)
        s, grad_s, u = grid_fields[:, 0], grid_fields[:, 1:4], grid_fields[:, 4:7]
        omega, b_total, current = grid_fields[:, 7:10], grid_fields[:, 10:13], grid_fields[:, 13:16]
        b_total[:, 0] += cfg.B0  # b -> B (in place: the grid copy is ours)
        b2 = (b_total * b_total).sum(1)
        if cfg.va_max > 0:  # Alfven-speed limiter: 1 / (rho + |B|^2 / va_max^2)
            inv_rho = 1.0 / (torch.exp(s) + b2 * (1.0 / cfg.va_max**2))
        else:
            inv_rho = torch.exp(-s)
        prod = grid_fields.new_empty((z.shape[0], 9 if shock else 8, *grid_fields.shape[2:]))
        torch.sum(u * grad_s, dim=1, out=prod[:, 0])
        prod[:, 0].neg_()
        _cross_into(current, b_total, prod[:, 1:4])
        prod[:, 1:4] *= inv_rho[:, None]
        prod[:, 1:4] += _cross(u, omega)
        torch.sum(u * u, dim=1, out=prod[:, 4])
        prod[:, 4] *= 0.5
        _cross_into(u, b_total, prod[:, 5:8])
        if shock:
            div_u = grid_fields[:, 16]
            compression = torch.clamp(-div_u, min=0.0)
            torch.mul(compression, div_u, out=prod[:, 8])
            prod[:, 8] *= cfg.nu_shock * cfg.dx**2
        p_hat = g.fft(prod)
        p_hat *= g.dealias
        out = torch.empty_like(z)
        torch.sub(p_hat[:, 0], div_u_hat, out=out[:, 0])
        du = out[:, 1:4]
        # -(u.grad)u + J x B / rho = u x omega - grad(|u|^2 / 2) + J x B / rho
        torch.sub(p_hat[:, 1:4], ik * (p_hat[:, 4:5] + C_S**2 * s_hat[:, None]), out=du)
        if shock:
            du += ik * p_hat[:, 8:9]
        if cfg.nu > 0:  # compressive part of the Laplacian viscosity (the diagonal part is in IF)
            du += (cfg.nu / 3) * ik * div_u_hat[:, None]
        if f_hat is not None:
            du += f_hat
        du[:, :, 0, 0, 0] = 0  # hold the mean velocity
        _curl(ik, p_hat[:, 5:8], out[:, 4:7])
        out[:, 4:7] = g.project(out[:, 4:7])
        if track:
            speed_u = torch.sqrt((u * u).sum(1)).amax()
            va2 = (b2 * inv_rho).amax()
            cfl = (speed_u + torch.sqrt(C_S**2 + va2)) * (cfg.dt / cfg.dx)
            diffusion = torch.zeros_like(cfl)
            if shock:
                zeta_max = cfg.nu_shock * cfg.dx**2 * compression.amax()
                diffusion = zeta_max * g.k2_max_kept * cfg.dt / RK4_REAL_LIMIT
            self._track = torch.maximum(self._track, torch.stack((cfl, diffusion)))
        return out

    def _integrating_factors(self, dt: float) -> tuple[torch.Tensor, torch.Tensor]:
        if dt not in self._factors:
            half = torch.exp(-self._linear * (dt / 2)) * self.grid.dealias
            self._factors = {dt: (half, half * half)}
        return self._factors[dt]

    def step(self, z: torch.Tensor, f_hat: torch.Tensor | None, dt: float) -> torch.Tensor:
        """One integrating-factor RK4 step of ``dt`` (forcing ``f_hat`` held constant)."""
        e_half, e_full = self._integrating_factors(dt)
        k1 = self.rhs(z, f_hat, track=True)
        k2 = self.rhs(e_half * (z + (dt / 2) * k1), f_hat)
        k3 = self.rhs(e_half * z + (dt / 2) * k2, f_hat)
        k4 = self.rhs(e_full * z + dt * (e_half * k3), f_hat)
        z = e_full * (z + (dt / 6) * k1) + (dt / 3) * (e_half * (k2 + k3)) + (dt / 6) * k4
        if self.config.conserve_mass:
            z = self._reset_mass(z)
        return z

    def _reset_mass(self, z: torch.Tensor) -> torch.Tensor:
        g = self.grid
        mean_rho = torch.exp(g.ifft(z[:, 0])).mean(dim=(-3, -2, -1))
        z = z.clone()
        z[:, 0, 0, 0, 0] -= torch.log(mean_rho) * g.volume_points
        return z

    def advance_steps(
        self, z: torch.Tensor, n_steps: int, dt: float, f_hat: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``n_steps`` IF-RK4 steps of ``dt``; raises :class:`CFLError` past ``cfl_max``."""
        self._track = torch.zeros_like(self._track)
        for _ in range(n_steps):
            z = self.step(z, f_hat, dt)
        cfl, diffusion = (float(v) for v in self._track.cpu())
        self.max_cfl, self.max_diffusion = cfl, diffusion
        cfg = self.config
        where = f"with the fixed step dt = {dt:.4g} (n = {cfg.n}, Ms = {cfg.Ms:g}, Ma = {cfg.Ma:g})"
        if not (math.isfinite(cfl) and math.isfinite(diffusion)):
            raise CFLError(
                f"the state became non-finite {where}; raise `substeps` or the dissipation"
            )
        if cfl > cfg.cfl_max:
            raise CFLError(
                f"CFL number {cfl:.3g} exceeds cfl_max = {cfg.cfl_max} {where}; "
                "raise `substeps` in the recipe (or the dissipation) and regenerate"
            )
        if diffusion > 1:
            raise CFLError(
                f"the shock viscosity's explicit diffusion number {diffusion:.3g} exceeds 1 "
                f"{where}; raise `substeps` or lower `nu_shock`"
            )
        return z

    def advance_interval(self, z: torch.Tensor, seeds: list[int], interval: int) -> torch.Tensor:
        """Integrate one saved-frame interval (``substeps`` fixed steps) with the forcing of
        interval ``interval`` of the trajectories ``seeds`` (one per batch row)."""
        cfg = self.config
        f_hat = None
        if self.forcing is not None:
            if len(seeds) != z.shape[0]:
                raise ArgumentError(f"{len(seeds)} seeds for a batch of {z.shape[0]} trajectories")
            f_hat = self.forcing.spectrum(list(seeds), interval)
        return self.advance_steps(z, cfg.substeps, cfg.dt, f_hat)

    def advance(self, z: torch.Tensor, duration: float) -> torch.Tensor:
        """Unforced integration for ``duration`` in equal steps no longer than ``config.dt``."""
        if duration <= 0:
            return z
        n_steps = max(1, math.ceil(duration / self.config.dt - 1e-9))
        return self.advance_steps(z, n_steps, duration / n_steps)

    def total_energy(self, z: torch.Tensor) -> torch.Tensor:
        """Kinetic + magnetic + isothermal internal energy per unit volume, ``[B]``:
        ``mean(rho |u|^2 / 2 + |B|^2 / 2 + c_s^2 rho ln rho)``."""
        w = self.to_well(z)
        rho, b, u = w[..., 0], w[..., 1:4], w[..., 4:7]
        density = rho * (u**2).sum(-1) / 2 + (b**2).sum(-1) / 2 + C_S**2 * rho * torch.log(rho)
        return density.mean(dim=(-3, -2, -1))


__all__ = ["RK4_REAL_LIMIT", "CFLError", "IsothermalMHD"]
