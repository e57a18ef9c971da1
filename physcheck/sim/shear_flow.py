"""The shear_flow reference solver: The Well's 2D periodic incompressible Navier-Stokes with a
passive tracer, pseudo-spectral.

Equations (The Well's ``shear_flow`` card), on ``0 <= x < L_x = 1``, ``-1 <= y < 1``
(``L_y = 2``), periodic:

    du/dt + grad p - nu lap u = -(u . grad) u,     div u = 0,     int p = 0,
    ds/dt - D lap s = -u . grad s,                 nu = 1 / Re,   D = nu / Sc.

Numerics:

- Fourier in both directions on an ``N_x x N_y`` grid (``rfft2``; spectra ``[..., X, Y//2+1]``),
  angular wavenumbers ``k = 2 pi n / L``; Nyquist entries are zeroed in derivatives.
- The nonlinear terms in divergence form, ``-i k_j F[u_i u_j]`` and ``-i k . F[u s]``, with
  the 2/3 rule: the state is kept truncated, so the quadratic products are exactly dealiased.
  The truncated system conserves kinetic energy, enstrophy, the tracer's integral and its
  variance without viscosity; viscosity and diffusion only take them away.
- ``div u = 0`` exactly: the nonlinear term is projected, ``P = I - k k^T / |k|^2``, and so is
  the initial velocity.
- Time: integrating-factor RK4 (Lawson), viscosity and diffusion exact in the factor; a fixed
  step, ``substeps`` per frame interval (so a generator and an oracle take identical steps);
  a state whose CFL number ``max|u| dt / dx`` exceeds ``cfl_max``, or that is non-finite,
  raises ``CFLError``.
- Pressure, the one The Well stores: from ``lap p = -d_i d_j (u_i u_j)`` with the mean set to
  0 (the gauge ``int p = 0``), ``p_hat = -k_i k_j F[u_i u_j] / |k|^2``.

Initial state (the card's ``init = default``): shear layers at ``y_k`` (``n_shear`` of them,
evenly spaced, alternating signs), ``u_x = 1/2 + sum_k sign_k tanh(z_k / 0.1) / 2`` with
``z_k = n_shear (y - y_k) / (2 w)``, perturbed by ``u_y = sum_k 0.1 sin(sign_k n_blobs pi x /
L_x) exp(-z_k^2 / 0.01)``, then projected; the tracer equals ``u_x``.

Layouts: velocity ``[B, 2, X, Y]`` (components x, y), scalars ``[B, X, Y]``, physical units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from physcheck.sim.solver import CFLError

#: The Well's shear_flow box: ``x`` in ``[0, 1)``, ``y`` in ``[-1, 1)``
BOX = (1.0, 2.0)
Y_ORIGIN = -1.0
#: the card's frame interval
FRAME_DT = 0.1


@dataclass(frozen=True)
class ShearFlowParameters:
    """One simulation: ``reynolds`` (nu = 1/Re), ``schmidt`` (D = nu/Sc), the initial
    condition's ``width`` (w), ``n_shear`` layers and ``n_blobs`` perturbation wavelengths."""

    reynolds: float = 1e4
    schmidt: float = 1.0
    width: float = 1.0
    n_shear: int = 2
    n_blobs: int = 2

    @property
    def viscosity(self) -> float:
        return 1.0 / self.reynolds

    @property
    def diffusivity(self) -> float:
        return self.viscosity / self.schmidt

    def as_attributes(self) -> dict[str, float]:
        """The Well's scalar names for the file: ``Reynolds`` and ``Schmidt``, plus the
        initial condition's parameters."""
        return {
            "Reynolds": self.reynolds,
            "Schmidt": self.schmidt,
            "width": self.width,
            "n_shear": float(self.n_shear),
            "n_blobs": float(self.n_blobs),
        }


class PeriodicGrid2D:
    """Wavenumbers, dealiasing and transforms of an ``nx x ny`` periodic box ``BOX``.

    ``k``: ``[2, X, Yr]`` angular wavenumbers with Nyquist entries 0 (derivatives);
    ``k2``: ``|k|^2`` with the Nyquist entries (viscosity); ``inv_k2``: ``1/|k|^2`` of the
    derivative wavenumbers, 0 at ``k = 0``; ``dealias``: 1 where every ``|n_j| < N_j / 3``.
    """

    def __init__(
        self, nx: int, ny: int, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float64
    ) -> None:
        self.nx, self.ny, self.dtype = nx, ny, dtype
        self.device = torch.device(device)
        lx, ly = BOX
        nx_int = torch.fft.fftfreq(nx, d=1.0 / nx, dtype=dtype, device=self.device)
        ny_int = torch.fft.rfftfreq(ny, d=1.0 / ny, dtype=dtype, device=self.device)
        ix, iy = torch.meshgrid(nx_int, ny_int, indexing="ij")
        self.k2 = (2 * math.pi * ix / lx) ** 2 + (2 * math.pi * iy / ly) ** 2
        kx_d, ky_d = nx_int.clone(), ny_int.clone()
        if nx % 2 == 0:
            kx_d[nx // 2] = 0
        if ny % 2 == 0:
            ky_d[-1] = 0
        dx, dy = torch.meshgrid(2 * math.pi * kx_d / lx, 2 * math.pi * ky_d / ly, indexing="ij")
        self.k = torch.stack([dx, dy])
        k2_deriv = dx**2 + dy**2
        self.inv_k2 = torch.where(k2_deriv > 0, 1.0 / torch.where(k2_deriv > 0, k2_deriv, 1.0), 0.0)
        self.dealias = ((ix.abs() < nx / 3.0) & (iy.abs() < ny / 3.0)).to(dtype)
        #: grid spacing (equal along both axes for The Well's 128 x 256 and its halvings)
        self.spacing = (lx / nx, ly / ny)

    def coordinates(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Cell positions ``x [X]`` in ``[0, 1)`` and ``y [Y]`` in ``[-1, 1)``."""
        lx, ly = BOX
        x = torch.arange(self.nx, dtype=self.dtype, device=self.device) * (lx / self.nx)
        y = Y_ORIGIN + torch.arange(self.ny, dtype=self.dtype, device=self.device) * (ly / self.ny)
        return x, y

    def fft(self, f: torch.Tensor) -> torch.Tensor:
        """Grid ``[..., X, Y]`` -> spectrum ``[..., X, Y//2+1]``."""
        out: torch.Tensor = torch.fft.rfft2(f, dim=(-2, -1))
        return out

    def ifft(self, f_hat: torch.Tensor) -> torch.Tensor:
        """Spectrum ``[..., X, Y//2+1]`` -> grid ``[..., X, Y]``."""
        out: torch.Tensor = torch.fft.irfft2(f_hat, s=(self.nx, self.ny), dim=(-2, -1))
        return out

    def project(self, u_hat: torch.Tensor) -> torch.Tensor:
        """The divergence-free part of ``u_hat [..., 2, X, Yr]``."""
        k = self.k.to(u_hat.dtype)
        along = (k * u_hat).sum(dim=-3, keepdim=True) * self.inv_k2
        return u_hat - k * along


def initial_condition(
    grid: PeriodicGrid2D, parameters: ShearFlowParameters
) -> tuple[torch.Tensor, torch.Tensor]:
    """The card's shear layers: velocity ``[2, X, Y]`` (projected, divergence-free on the
    grid) and tracer ``[X, Y]`` (the unprojected ``u_x``, as the card matches it), both
    truncated by the 2/3 rule (the states the solver evolves)."""
    x, y = grid.coordinates()
    xx, yy = torch.meshgrid(x, y, indexing="ij")
    p = parameters
    shear = torch.full_like(xx, 0.5)
    across = torch.zeros_like(xx)
    centres = [-1.0 + 2.0 * i / p.n_shear + 1.0 / p.n_shear for i in range(p.n_shear)]
    for i, centre in enumerate(centres):
        sign = 2 * (i % 2) - 1
        z = p.n_shear * (yy - centre) / (2 * p.width)
        shear = shear + sign * 0.5 * torch.tanh(z / 0.1)
        across = across + 0.1 * torch.sin(sign * p.n_blobs * math.pi * xx / BOX[0]) * torch.exp(
            -(z**2) / 0.01
        )
    velocity_hat = grid.project(grid.fft(torch.stack([shear, across])))
    return grid.ifft(velocity_hat * grid.dealias), grid.ifft(grid.fft(shear) * grid.dealias)


class ShearFlowSolver:
    """Advances ``(velocity [B, 2, X, Y], tracer [B, X, Y])`` by whole frame intervals; see the
    module docstring. ``substeps``: fixed IF-RK4 steps per ``frame_dt``."""

    def __init__(
        self,
        grid: PeriodicGrid2D,
        parameters: ShearFlowParameters,
        *,
        frame_dt: float = FRAME_DT,
        substeps: int = 16,
        cfl_max: float = 0.8,
    ) -> None:
        self.grid, self.parameters = grid, parameters
        self.frame_dt, self.substeps, self.cfl_max = frame_dt, substeps, cfl_max
        self.dt = frame_dt / substeps
        #: the largest CFL number the last ``advance`` saw
        self.cfl = 0.0

    # -- the right-hand side ---------------------------------------------------------------------
    def _products(self, velocity: torch.Tensor, extra: torch.Tensor) -> torch.Tensor:
        """``F[u_i u_j]`` (``[B, 2, 2, X, Yr]``) and ``F[u_i s]`` stacked as ``[B, 2, 3, X,
        Yr]`` (the last column the tracer's)."""
        fields = torch.cat([velocity, extra[:, None]], dim=1)  # [B, 3, X, Y]
        products = velocity[:, :, None] * fields[:, None]  # [B, 2, 3, X, Y]
        return self.grid.fft(products) * self.grid.dealias

    def nonlinear(
        self, velocity_hat: torch.Tensor, tracer_hat: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(-P i k_j F[u_i u_j], -i k . F[u s])``, dealiased: ``[B, 2, X, Yr]``, ``[B, X, Yr]``."""
        grid = self.grid
        velocity, tracer = grid.ifft(velocity_hat), grid.ifft(tracer_hat)
        products = self._products(velocity, tracer)
        k = grid.k.to(products.dtype)
        # products[:, j, i]: F[u_j f_i]; divergence over j
        divergence = 1j * (k[None, :, None] * products).sum(dim=1)  # [B, 3, X, Yr]
        return -grid.project(divergence[:, :2]), -divergence[:, 2]

    def pressure(self, velocity: torch.Tensor) -> torch.Tensor:
        """The pressure ``[B, X, Y]`` of ``velocity [B, 2, X, Y]``, mean 0."""
        grid = self.grid
        fields = velocity[:, :, None] * velocity[:, None]  # [B, 2, 2, X, Y]
        products = grid.fft(fields) * grid.dealias
        k = grid.k.to(products.dtype)
        source = (k[None, :, None] * k[None, None, :] * products).sum(dim=(1, 2))
        return grid.ifft(-source * grid.inv_k2)

    # -- time stepping ---------------------------------------------------------------------------
    def _factors(self, dt: float) -> tuple[torch.Tensor, torch.Tensor]:
        """The half-step integrating factors ``exp(-nu k^2 dt/2)``, ``exp(-D k^2 dt/2)``."""
        k2 = self.grid.k2
        return (
            torch.exp(-self.parameters.viscosity * k2 * dt / 2),
            torch.exp(-self.parameters.diffusivity * k2 * dt / 2),
        )

    def step(
        self, velocity_hat: torch.Tensor, tracer_hat: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One IF-RK4 step of ``self.dt`` (spectra in, spectra out)."""
        dt = self.dt
        eu, es = self._factors(dt)

        def rhs(u: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return self.nonlinear(u, s)

        a_u, a_s = rhs(velocity_hat, tracer_hat)
        b_u, b_s = rhs(eu * (velocity_hat + dt / 2 * a_u), es * (tracer_hat + dt / 2 * a_s))
        c_u, c_s = rhs(eu * velocity_hat + dt / 2 * b_u, es * tracer_hat + dt / 2 * b_s)
        d_u, d_s = rhs(
            eu**2 * velocity_hat + dt * eu * c_u, es**2 * tracer_hat + dt * es * c_s
        )
        u_new = eu**2 * velocity_hat + dt / 6 * (eu**2 * a_u + 2 * eu * (b_u + c_u) + d_u)
        s_new = es**2 * tracer_hat + dt / 6 * (es**2 * a_s + 2 * es * (b_s + c_s) + d_s)
        return u_new * self.grid.dealias, s_new * self.grid.dealias

    def _check(self, velocity: torch.Tensor) -> None:
        speed = float(velocity.abs().amax()) if velocity.numel() else 0.0
        if not math.isfinite(speed):
            raise CFLError("the shear_flow state became non-finite")
        cfl = speed * self.dt / min(self.grid.spacing)
        self.cfl = max(self.cfl, cfl)
        if cfl > self.cfl_max:
            raise CFLError(
                f"shear_flow CFL number {cfl:.3g} exceeds {self.cfl_max:g} (max |u| {speed:.3g}, "
                f"dt {self.dt:.3g}): use more substeps per frame"
            )

    def advance(
        self, velocity: torch.Tensor, tracer: torch.Tensor, n_frames: int = 1
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``n_frames`` frame intervals from ``velocity [B, 2, X, Y]``, ``tracer [B, X, Y]``."""
        grid = self.grid
        self.cfl = 0.0
        u_hat = grid.project(grid.fft(velocity)) * grid.dealias
        s_hat = grid.fft(tracer) * grid.dealias
        for _ in range(n_frames * self.substeps):
            self._check(grid.ifft(u_hat))
            u_hat, s_hat = self.step(u_hat, s_hat)
        return grid.ifft(u_hat), grid.ifft(s_hat)

    def frames(
        self,
        velocity: torch.Tensor,
        tracer: torch.Tensor,
        n_frames: int,
        on_frame: Callable[[int], None] | None = None,
    ) -> dict[str, torch.Tensor]:
        """``n_frames`` stored frames from the state (frame 0 the state itself): ``tracer``
        and ``pressure`` ``[B, T, X, Y]``, ``velocity`` ``[B, T, X, Y, 2]``."""
        out: dict[str, list[torch.Tensor]] = {"tracer": [], "pressure": [], "velocity": []}
        for index in range(n_frames):
            if index:
                velocity, tracer = self.advance(velocity, tracer)
            out["tracer"].append(tracer)
            out["pressure"].append(self.pressure(velocity))
            out["velocity"].append(velocity.movedim(1, -1))
            if on_frame is not None:
                on_frame(index)
        return {name: torch.stack(frames, dim=1) for name, frames in out.items()}


def budgets(grid: PeriodicGrid2D, velocity: torch.Tensor, tracer: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-trajectory budgets ``[B]`` of ``velocity [B, 2, X, Y]`` and ``tracer [B, X, Y]``:
    the kinetic energy and enstrophy (box means of ``|u|^2 / 2`` and ``omega^2 / 2``), the
    tracer's mean, minimum and maximum."""
    u_hat = grid.fft(velocity)
    k = grid.k.to(u_hat.dtype)
    vorticity = grid.ifft(1j * (k[0] * u_hat[:, 1] - k[1] * u_hat[:, 0]))
    return {
        "kinetic_energy": 0.5 * velocity.square().sum(1).mean(dim=(-2, -1)),
        "enstrophy": 0.5 * vorticity.square().mean(dim=(-2, -1)),
        "tracer_mean": tracer.mean(dim=(-2, -1)),
        "tracer_min": tracer.amin(dim=(-2, -1)),
        "tracer_max": tracer.amax(dim=(-2, -1)),
    }


__all__ = [
    "BOX",
    "FRAME_DT",
    "PeriodicGrid2D",
    "ShearFlowParameters",
    "ShearFlowSolver",
    "budgets",
    "initial_condition",
]
