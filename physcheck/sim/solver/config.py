"""What defines a solver run's dynamics (``SolverConfig``: physics, forcing, time stepping,
all of it stored in the data file) and the isothermal gas's constants."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

C_S = 1.0  # isothermal sound speed
RHO0 = 1.0  # mean density


@dataclass(frozen=True)
class SolverConfig:
    """Everything that defines a run's dynamics (all of it is stored in the data file).

    Physics: ``Ms`` sonic Mach number (target ``u_rms / c_s``), ``Ma`` Alfvenic Mach number
    (``u_rms / v_A``), so ``B0 = Ms / Ma``; ``box_size`` L (length). ``nu``/``eta`` Laplacian
    viscosity/resistivity (length^2 / time), ``nu_hyper``/``eta_hyper``/``lnrho_hyper``
    hyperdissipation coefficients of ``(-lap)^hyper_order`` (length^(2p) / time),
    ``nu_shock`` the dimensionless shock-viscosity coefficient; ``va_max`` (velocity) the
    Alfven-speed limiter (0 = off): the Lorentz acceleration is ``J x B / (rho + |B|^2 /
    va_max^2)``, so the Alfven speed never exceeds ``va_max`` (it acts only in deep voids).

    Forcing: ``forcing_amplitude`` A (expected rms acceleration, velocity / time; 0 = none),
    ``forcing_correlation`` T_f (time), on integer shells ``forcing_nmin <= |n| <= forcing_nmax``.

    Time: ``frame_interval`` between saved frames (time), ``substeps`` fixed RK4 steps per
    interval, ``spinup_intervals`` intervals integrated before frame 0 (so the step to saved
    frame ``k`` uses forcing interval ``spinup_intervals + k - 1``), ``cfl_max`` the CFL number
    above which a step raises, ``conserve_mass`` the mean-density reset.
    """

    n: int = 16
    Ms: float = 0.5
    Ma: float = 0.7
    box_size: float = 2 * math.pi
    frame_interval: float = 0.25
    substeps: int = 8
    spinup_intervals: int = 0
    nu: float = 0.0
    eta: float = 0.0
    nu_hyper: float = 0.0
    eta_hyper: float = 0.0
    lnrho_hyper: float = 0.0
    hyper_order: int = 3
    nu_shock: float = 0.0
    va_max: float = 0.0
    forcing_amplitude: float = 0.0
    forcing_correlation: float = 1.0
    forcing_nmin: float = 1.0
    forcing_nmax: float = 2.0
    forcing_npar_min: int = 0
    cfl_max: float = 2.0
    conserve_mass: bool = True

    @property
    def B0(self) -> float:
        """Guide-field strength along x: ``v_A = B0 / sqrt(rho0) = u_rms / Ma``."""
        return self.Ms / self.Ma * math.sqrt(RHO0) * C_S

    @property
    def dx(self) -> float:
        """Grid spacing (length)."""
        return self.box_size / self.n

    @property
    def dt(self) -> float:
        """The fixed time step (time)."""
        return self.frame_interval / self.substeps

    @property
    def forced(self) -> bool:
        return self.forcing_amplitude > 0

    @property
    def dealias_cutoff(self) -> float:
        """Integer wavenumber of the 2/3-rule truncation: modes with every ``|n_j| < n/3`` live."""
        return self.n / 3

    def forcing_interval(self, frame_index: int) -> int:
        """Forcing interval of the step that ends at saved frame ``frame_index``."""
        return self.spinup_intervals + frame_index - 1

    def to_attrs(self) -> dict[str, Any]:
        """Flat ``{name: value}`` (JSON-able) of every field."""
        return asdict(self)

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> SolverConfig:
        """Rebuild from :meth:`to_attrs` output (unknown keys, e.g. ``seeds``, are ignored)."""
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in attrs.items():
            kind = kinds.get(key)
            if kind is None:
                continue
            if kind in ("int", int):
                values[key] = int(value)
            elif kind in ("bool", bool):
                values[key] = bool(value)
            else:
                values[key] = float(value)
        return cls(**values)


__all__ = ["C_S", "RHO0", "SolverConfig"]
