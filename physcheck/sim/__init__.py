"""The isothermal MHD reference solver (ground truth and exact oracle).

Importing this package is cheap: the torch-based modules load on first attribute access
(``physcheck.lazy``), and :mod:`physcheck.sim.recipes` (the data-set recipes) never needs torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from physcheck.lazy import lazy_attributes

_LAZY = {
    "CFLError": "physcheck.sim.solver",
    "IsothermalMHD": "physcheck.sim.solver",
    "SolverConfig": "physcheck.sim.solver",
    "advance_frame": "physcheck.sim.solver",
    "advance_well": "physcheck.sim.solver",
    "resample": "physcheck.sim.solver",
    "solver_for": "physcheck.sim.solver",
    "DatasetRecipe": "physcheck.sim.recipes",
    "PointRecipe": "physcheck.sim.recipes",
    "RECIPES": "physcheck.sim.recipes",
    "SpectralGrid": "physcheck.sim.spectral",
    "initial_state": "physcheck.sim.initial",
}
__all__ = [
    "RECIPES",
    "CFLError",
    "DatasetRecipe",
    "IsothermalMHD",
    "PointRecipe",
    "SolverConfig",
    "SpectralGrid",
    "advance_frame",
    "advance_well",
    "initial_state",
    "resample",
    "solver_for",
]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

if TYPE_CHECKING:
    from physcheck.sim.initial import initial_state
    from physcheck.sim.recipes import RECIPES, DatasetRecipe, PointRecipe
    from physcheck.sim.solver import (
        CFLError,
        IsothermalMHD,
        SolverConfig,
        advance_frame,
        advance_well,
        resample,
        solver_for,
    )
    from physcheck.sim.spectral import SpectralGrid
