"""The reference solver as a surrogate: an exact oracle for the checks.

It integrates the saved-frame interval with physcheck's isothermal MHD solver, starting
from the last history frame, so its rollout reproduces the fixture truth (up to float32
storage of the frames and the chaotic growth of that round-off).
"""

from __future__ import annotations

from typing import Any

import torch

from physcheck.errors import ModelSpecError
from physcheck.sim.solver import SolverConfig, advance_well


class ReferenceSurrogate:
    """``n_history = 1``; ``step`` advances the last frame by ``frame_interval`` time units.

    The solver runs in float64 whatever the input precision (the oracle is exact by
    design) and returns the input's dtype; ``to`` only records the device and dtype.
    """

    n_history = 1

    def __init__(
        self, config: SolverConfig, frame_interval: float, *, device: str | torch.device = "cpu"
    ) -> None:
        self.config = config
        self.frame_interval = float(frame_interval)
        self.device = torch.device(device)
        self.dtype = torch.float32

    @classmethod
    def from_data(cls, data: Any, *, device: str | torch.device = "cpu") -> ReferenceSurrogate:
        """Build from a ``WellData`` made by physcheck (it stores the solver configuration)."""
        attrs = data.solver_attributes()
        if attrs is None or data.frame_interval is None:
            raise ModelSpecError(
                "the 'reference' model needs data made by physcheck's solver (its files store the solver settings); "
                f"{data.files[0].name} has none"
            )
        return cls(SolverConfig.from_attrs(attrs), data.frame_interval, device=device)

    @property
    def equivariance_skip(self) -> str | None:
        """A forced oracle integrates the data's own forcing, which a transformed input does not
        carry, so it is not equivariant by construction (an unforced one is)."""
        if getattr(self.config, "forcing_amplitude", 0) > 0:
            return (
                "the reference solver integrates the data's forcing realization, which breaks "
                "the symmetry (a learned model never sees the forcing); unforced data is equivariant"
            )
        return None

    def to(
        self, device: str | torch.device | None = None, dtype: torch.dtype | None = None
    ) -> ReferenceSurrogate:
        if device is not None:
            self.device = torch.device(device)
        if dtype is not None:
            self.dtype = dtype
        return self

    def step(self, history: torch.Tensor) -> torch.Tensor:
        last = history[:, -1].to(torch.float64)
        return advance_well(last, self.frame_interval, self.config).to(history.dtype)

    def identity(self) -> str:
        """Stable description for cache keys."""
        return f"reference:{self.config}:{self.frame_interval}"
