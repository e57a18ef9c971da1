"""Pseudo-spectral solver for 3D compressible isothermal MHD in a periodic box.

Equations (Heaviside-Lorentz units, mu0 = 1, sound speed c_s = 1, mean density 1)::

    d_t rho = - div(rho u)
    d_t u   = - (u . grad) u - c_s^2 grad(rho) / rho + (J x B) / rho
            + nu (lap u + grad(div u) / 3) + f                      (f static, solenoidal)
    d_t B = curl(u x B) + eta lap B,   B = B0 x_hat + b,   J = curl B

The state lives in Fourier space (``rfftn`` over the three spatial axes); products are
formed on the grid and truncated by the 2/3 rule; the magnetic right-hand side is
projected onto div B = 0 at every stage, so the spectral divergence of B stays at
round-off. Time stepping is classical RK4 with a CFL-limited step,
``dt = C dx / (max|u| + sqrt(c_s^2 + v_A^2))``, sub-stepping each saved interval.

The box is ``[0, L)^3`` with ``L = box_size`` (2 pi by default). Tensors are
``[B, X, Y, Z]`` per scalar field (batched trajectories) on any device, float32 or float64.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch

C_S = 1.0  # isothermal sound speed
RHO0 = 1.0  # mean density


@dataclass(frozen=True)
class SolverConfig:
    """Physical and numerical parameters of a run (all stored in the data file).

    ``Ms`` sonic Mach number (target u_rms / c_s), ``Ma`` Alfvenic Mach number
    (u_rms / v_A), so ``B0 = Ms / Ma``; ``nu`` kinematic viscosity, ``eta`` resistivity,
    ``n`` grid points per axis, ``box_size`` L, ``cfl`` Courant number,
    ``forcing_amplitude`` of the static large-scale solenoidal forcing (0 = none),
    ``forcing_seed`` fixes its pattern; ``forcing_kmax`` its largest wavenumber (cycles per box).
    """

    n: int = 16
    Ms: float = 0.5
    Ma: float = 0.7
    nu: float = 0.02
    eta: float = 0.02
    box_size: float = 2 * math.pi
    cfl: float = 0.4
    forcing_amplitude: float = 0.0
    forcing_seed: int = 0
    forcing_kmax: float = 2.0

    @property
    def B0(self) -> float:
        """Guide-field strength along x: v_A = B0 / sqrt(rho0) = u_rms / Ma."""
        return self.Ms / self.Ma * math.sqrt(RHO0) * C_S

    @property
    def dx(self) -> float:
        return self.box_size / self.n

    def to_attrs(self) -> dict[str, Any]:
        """Flat ``{name: number}`` for HDF5 attributes (prefixed by the writer)."""
        return asdict(self)

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> SolverConfig:
        names = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in attrs.items():
            if key in names:
                values[key] = int(value) if key in {"n", "forcing_seed"} else float(value)
        return cls(**values)


class SpectralGrid:
    """Wavenumbers, dealiasing mask and transforms of an ``n^3`` periodic box."""

    def __init__(
        self, n: int, box_size: float, *, device: torch.device | str, dtype: torch.dtype
    ) -> None:
        self.n, self.box_size, self.dtype = n, box_size, dtype
        self.device = torch.device(device)
        k_full = torch.fft.fftfreq(n, d=1.0 / n, dtype=dtype, device=self.device)
        k_half = torch.fft.rfftfreq(n, d=1.0 / n, dtype=dtype, device=self.device)
        scale = 2 * math.pi / box_size
        if n % 2 == 0:  # Nyquist modes carry no derivative (real derivatives, exact projection)
            k_full = k_full.clone()
            k_full[n // 2] = 0
            k_half = k_half.clone()
            k_half[-1] = 0
        kx, ky, kz = torch.meshgrid(k_full * scale, k_full * scale, k_half * scale, indexing="ij")
        self.k = torch.stack((kx, ky, kz))  # [3, X, Y, Zr], angular
        self.k2 = (self.k**2).sum(0)
        self.inv_k2 = torch.where(self.k2 > 0, 1.0 / torch.where(self.k2 > 0, self.k2, 1.0), 0.0)
        n_int = torch.meshgrid(
            torch.fft.fftfreq(n, d=1.0 / n, dtype=dtype, device=self.device).abs(),
            torch.fft.fftfreq(n, d=1.0 / n, dtype=dtype, device=self.device).abs(),
            torch.fft.rfftfreq(n, d=1.0 / n, dtype=dtype, device=self.device),
            indexing="ij",
        )
        cutoff = n / 3.0  # 2/3 rule: keep |n_j| < N/3 on every axis
        self.dealias = ((n_int[0] < cutoff) & (n_int[1] < cutoff) & (n_int[2] < cutoff)).to(dtype)
        self.n_int = n_int

    def fft(self, f: torch.Tensor) -> torch.Tensor:
        """Grid ``[..., X, Y, Z]`` -> spectrum ``[..., X, Y, Z//2+1]``."""
        spectrum: torch.Tensor = torch.fft.rfftn(f, dim=(-3, -2, -1))
        return spectrum

    def ifft(self, f_hat: torch.Tensor) -> torch.Tensor:
        grid: torch.Tensor = torch.fft.irfftn(f_hat, s=(self.n,) * 3, dim=(-3, -2, -1))
        return grid

    def grad(self, f_hat: torch.Tensor) -> torch.Tensor:
        """Spectral gradient of a scalar ``[B, X, Y, Zr]`` -> ``[B, 3, X, Y, Zr]``."""
        return 1j * self.k * f_hat[:, None]

    def curl(self, v_hat: torch.Tensor) -> torch.Tensor:
        """Spectral curl of ``[B, 3, X, Y, Zr]``."""
        kx, ky, kz = self.k
        vx, vy, vz = v_hat[:, 0], v_hat[:, 1], v_hat[:, 2]
        return 1j * torch.stack((ky * vz - kz * vy, kz * vx - kx * vz, kx * vy - ky * vx), dim=1)

    def div(self, v_hat: torch.Tensor) -> torch.Tensor:
        return 1j * (self.k * v_hat).sum(1)

    def project(self, v_hat: torch.Tensor) -> torch.Tensor:
        """Solenoidal part of ``[B, 3, X, Y, Zr]``; the k = 0 mode is kept."""
        return v_hat - self.k * ((self.k * v_hat).sum(1, keepdim=True) * self.inv_k2)


@dataclass
class SpectralState:
    """Fourier-space state: ``rho_hat`` = FFT(rho) ``[B, X, Y, Zr]`` (conservative: the mean
    density, i.e. the mass, is the k = 0 mode and no term changes it), ``u_hat``, ``b_hat``
    ``[B, 3, X, Y, Zr]`` (``b`` is the fluctuation; the guide field B0 x_hat is added on the grid)."""

    rho_hat: torch.Tensor
    u_hat: torch.Tensor
    b_hat: torch.Tensor

    def axpy(self, a: float, other: SpectralState) -> SpectralState:
        return SpectralState(
            self.rho_hat + a * other.rho_hat,
            self.u_hat + a * other.u_hat,
            self.b_hat + a * other.b_hat,
        )


class IsothermalMHD:
    """The solver: right-hand side, time step and integration of a :class:`SpectralState`."""

    def __init__(
        self,
        config: SolverConfig,
        *,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float64,
    ) -> None:
        self.config = config
        self.grid = SpectralGrid(config.n, config.box_size, device=device, dtype=dtype)
        self.forcing_hat = self._forcing() if config.forcing_amplitude > 0 else None

    # -- forcing -------------------------------------------------------------------------------
    def _forcing(self) -> torch.Tensor:
        """Static solenoidal forcing with rms ``forcing_amplitude`` on modes ``0 < |n| <= forcing_kmax``."""
        g = self.grid
        gen = torch.Generator().manual_seed(self.config.forcing_seed)
        shape = (1, 3, g.n, g.n, g.n)
        noise = torch.randn(shape, generator=gen, dtype=torch.float64).to(
            device=g.device, dtype=g.dtype
        )
        n_mag = torch.sqrt(g.n_int[0] ** 2 + g.n_int[1] ** 2 + g.n_int[2] ** 2)
        band = ((n_mag > 0) & (n_mag <= self.config.forcing_kmax)).to(g.dtype)
        f_hat = g.project(g.fft(noise) * band)
        f = g.ifft(f_hat)
        f = f * (self.config.forcing_amplitude / torch.sqrt((f**2).sum(1).mean()))
        return g.fft(f)

    # -- physics -------------------------------------------------------------------------------
    def rhs(self, state: SpectralState) -> SpectralState:
        """Time derivative of the state (dealiased; magnetic part projected)."""
        g, cfg = self.grid, self.config
        rho = g.ifft(state.rho_hat)
        u = g.ifft(state.u_hat)
        b = g.ifft(state.b_hat)
        b_total = b.clone()
        b_total[:, 0] += cfg.B0
        grad_rho = g.ifft(g.grad(state.rho_hat))
        grad_u = g.ifft(1j * g.k[None, :, None] * state.u_hat[:, None])  # [B, j, i, ...] = d_j u_i
        j_current = g.ifft(g.curl(state.b_hat))

        inv_rho = 1.0 / rho
        advect_u = -(u[:, :, None] * grad_u).sum(1)  # -(u . grad) u_i
        force = torch.linalg.cross(j_current, b_total, dim=1) - C_S**2 * grad_rho
        emf = torch.linalg.cross(u, b_total, dim=1)

        ds = -g.div(g.dealias * g.fft(rho[:, None] * u))
        du = g.dealias * g.fft(advect_u + force * inv_rho[:, None])
        du = du - cfg.nu * (g.k2 * state.u_hat + g.k * (g.k * state.u_hat).sum(1, keepdim=True) / 3)
        if self.forcing_hat is not None:
            du = du + self.forcing_hat
        db = g.project(g.dealias * g.curl(g.fft(emf))) - cfg.eta * g.k2 * state.b_hat
        return SpectralState(ds, du, db)

    def stable_dt(self, state: SpectralState) -> float:
        """CFL step ``C dx / (max|u| + sqrt(c_s^2 + v_A^2))`` with v_A from the local max |B| / sqrt(rho)."""
        g, cfg = self.grid, self.config
        u = g.ifft(state.u_hat)
        b = g.ifft(state.b_hat)
        b[:, 0] += cfg.B0
        rho = g.ifft(state.rho_hat).clamp_min(1e-12)
        u_max = float(torch.sqrt((u**2).sum(1)).max())
        va_max = float(torch.sqrt((b**2).sum(1) / rho).max())
        speed = u_max + math.sqrt(C_S**2 + va_max**2)
        dt = cfg.cfl * cfg.dx / speed
        if cfg.nu > 0 or cfg.eta > 0:  # explicit diffusion limit
            k2_max = float(g.k2.max())
            dt = min(dt, 2.5 / (max(cfg.nu * 4 / 3, cfg.eta) * k2_max))
        return dt

    def rk4_step(self, state: SpectralState, dt: float) -> SpectralState:
        k1 = self.rhs(state)
        k2 = self.rhs(state.axpy(dt / 2, k1))
        k3 = self.rhs(state.axpy(dt / 2, k2))
        k4 = self.rhs(state.axpy(dt, k3))
        return SpectralState(
            state.rho_hat + dt / 6 * (k1.rho_hat + 2 * k2.rho_hat + 2 * k3.rho_hat + k4.rho_hat),
            state.u_hat + dt / 6 * (k1.u_hat + 2 * k2.u_hat + 2 * k3.u_hat + k4.u_hat),
            state.b_hat + dt / 6 * (k1.b_hat + 2 * k2.b_hat + 2 * k3.b_hat + k4.b_hat),
        )

    def advance(self, state: SpectralState, duration: float) -> SpectralState:
        """Integrate ``duration`` time units in equal CFL-limited sub-steps."""
        if duration <= 0:
            return state
        n_sub = max(1, math.ceil(duration / self.stable_dt(state)))
        dt = duration / n_sub
        for _ in range(n_sub):
            state = self.rk4_step(state, dt)
        return state

    # -- conversions ---------------------------------------------------------------------------
    def from_grid(self, rho: torch.Tensor, u: torch.Tensor, b_total: torch.Tensor) -> SpectralState:
        """From grid fields ``rho [B, X, Y, Z]``, ``u``, ``B`` ``[B, 3, X, Y, Z]`` (B including the guide field)."""
        g = self.grid
        b = b_total.clone()
        b[:, 0] -= self.config.B0
        return SpectralState(g.fft(rho), g.fft(u), g.project(g.fft(b)))

    def to_grid(self, state: SpectralState) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(rho, u, B)`` on the grid, B including the guide field."""
        g = self.grid
        b = g.ifft(state.b_hat)
        b[:, 0] += self.config.B0
        return g.ifft(state.rho_hat), g.ifft(state.u_hat), b

    def from_well(self, frame: torch.Tensor) -> SpectralState:
        """From a Well-layout frame ``[B, X, Y, Z, 7]`` (density, B_xyz, v_xyz)."""
        f = frame.to(device=self.grid.device, dtype=self.grid.dtype)
        return self.from_grid(f[..., 0], f[..., 4:7].movedim(-1, 1), f[..., 1:4].movedim(-1, 1))

    def to_well(self, state: SpectralState) -> torch.Tensor:
        """Well-layout frame ``[B, X, Y, Z, 7]``."""
        rho, u, b = self.to_grid(state)
        return torch.cat((rho[..., None], b.movedim(1, -1), u.movedim(1, -1)), dim=-1)

    def total_energy(self, state: SpectralState) -> torch.Tensor:
        """Kinetic + magnetic + isothermal internal energy per unit volume, ``[B]``:
        ``mean(rho |u|^2 / 2 + |B|^2 / 2 + c_s^2 rho ln rho)`` (conserved without forcing
        and dissipation up to truncation)."""
        rho, u, b = self.to_grid(state)
        density = rho * (u**2).sum(1) / 2 + (b**2).sum(1) / 2 + C_S**2 * rho * torch.log(rho)
        return density.mean(dim=(-3, -2, -1))


def advance_well(state: torch.Tensor, duration: float, config: SolverConfig) -> torch.Tensor:
    """Advance Well-layout states ``[B, X, Y, Z, 7]`` (physical units) by ``duration``.

    Runs on the input's device and in its dtype; returns the same layout. This is what the
    reference oracle calls once per saved-frame interval.
    """
    solver = IsothermalMHD(config, device=state.device, dtype=state.dtype)
    return solver.to_well(solver.advance(solver.from_well(state), duration)).to(state.dtype)
