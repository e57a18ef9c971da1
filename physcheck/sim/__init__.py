"""The isothermal MHD reference solver (ground truth and exact oracle)."""

from physcheck.sim.solver import (
    IsothermalMHD,
    SolverConfig,
    SpectralGrid,
    SpectralState,
    advance_well,
)

__all__ = ["IsothermalMHD", "SolverConfig", "SpectralGrid", "SpectralState", "advance_well"]
