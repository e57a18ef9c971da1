"""The reference solver as a surrogate: an exact oracle for the checks.

Each step advances the last history frame by one saved-frame interval with the solver that
made the data (:func:`physcheck.sim.advance_frame`), with the same configuration, trajectory
seed and forcing interval, so its rollout reproduces the truth up to the float32 storage of the
frames and the chaotic growth of that round-off. The data's files record what it needs (their
``physcheck_solver`` attribute: configuration and one seed per trajectory); the engine tells it
which frame each step predicts and which trajectory each batch row is (the engine's
``StepContext``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from physcheck.errors import ArgumentError, ModelRunError, ModelSpecError
from physcheck.sim.solver import SolverConfig, advance_frame, advance_well

if TYPE_CHECKING:
    from physcheck.config.model_kinds import ModelTarget


class ReferenceSurrogate:
    """``n_history = 1``; ``step(history, context=...)`` advances the last frame
    ``[B, X, Y, Z, 7]`` to the next saved frame of each row's trajectory.

    ``configs[t]`` and ``seeds[t]`` are the solver configuration and forcing seed of dataset
    trajectory ``t``. The solver runs in float64 whatever the input precision (the oracle is
    exact by design) and returns the input's dtype; ``to`` only records the device and dtype.
    Without a context (a direct call) only unforced data can be advanced.
    """

    n_history = 1

    def __init__(
        self,
        configs: list[SolverConfig],
        seeds: list[int],
        *,
        device: str | torch.device = "cpu",
    ) -> None:
        if len(configs) != len(seeds) or not configs:
            raise ArgumentError("one solver configuration and one seed per trajectory are needed")
        self.configs = configs
        self.seeds = seeds
        #: per trajectory, the first trajectory with the same configuration: rows whose
        #: trajectories share a configuration are advanced together
        self.config_group = [configs.index(c) for c in configs]
        self.device = torch.device(device)
        self.dtype = torch.float32

    @classmethod
    def from_data(cls, data: Any, *, device: str | torch.device = "cpu") -> ReferenceSurrogate:
        """Build from a ``WellData`` made by physcheck (its files store the solver settings and
        the per-trajectory seeds)."""
        configs, seeds = [], []
        for t in range(data.n_trajectories):
            attrs = data.solver_attributes(t)
            if attrs is None:
                raise ModelSpecError(
                    "the 'reference' model needs data made by physcheck's solver (its files store "
                    f"the solver settings); {data.trajectories[t].file.name} has none"
                )
            config = SolverConfig.from_attrs(attrs)
            file_seeds = [int(s) for s in attrs.get("seeds", [])]
            local = data.trajectories[t].local
            if config.forced and local >= len(file_seeds):
                raise ModelSpecError(
                    f"{data.trajectories[t].file.name}: no forcing seed recorded for trajectory "
                    f"{local}; re-create the file with `physcheck fixtures build`"
                )
            configs.append(config)
            seeds.append(file_seeds[local] if local < len(file_seeds) else 0)
        return cls(configs, seeds, device=device)

    @property
    def forced(self) -> bool:
        return any(c.forced for c in self.configs)

    @property
    def equivariant(self) -> bool:
        """The unforced solver commutes with the rotations, reflections (B polar or
        pseudo-vector) and shifts to round-off: judged in the exact tier."""
        return not self.forced

    @property
    def equivariance_skip(self) -> str | None:
        """A forced oracle integrates the data's own forcing, which a transformed input does not
        carry, so it is not equivariant by construction (an unforced one is)."""
        if self.forced:
            return (
                "the reference solver integrates the data's forcing realization, which breaks "
                "the symmetry (a learned model never sees the forcing); unforced data is equivariant"
            )
        return None

    @property
    def precision_skip(self) -> str:
        """The oracle integrates in float64 whatever precision it is given, so its float32 and
        float64 rollouts are one computation (they differ only in how the frames are stored)."""
        return (
            "the reference solver integrates in float64 at either precision, so float32 and "
            "float64 rollouts are the same computation"
        )

    def to(
        self, device: str | torch.device | None = None, dtype: torch.dtype | None = None
    ) -> ReferenceSurrogate:
        if device is not None:
            self.device = torch.device(device)
        if dtype is not None:
            self.dtype = dtype
        return self

    def step(self, history: torch.Tensor, context: Any = None) -> torch.Tensor:
        """``context``: the engine's ``StepContext`` (``frame``: the predicted frame's index;
        ``trajectories``: each row's dataset trajectory)."""
        last = history[:, -1].to(torch.float64)
        if context is None:
            if self.forced:
                raise ModelRunError(
                    "the reference oracle of forced data needs to know which frame it predicts: "
                    "roll it out through physcheck (rollout(..., start_frame=, trajectories=))"
                )
            config = self.configs[0]
            return advance_well(last, config.frame_interval, config).to(history.dtype)
        rows = list(context.trajectories)
        out = torch.empty_like(last)
        groups: dict[int, list[int]] = {}
        for row, t in enumerate(rows):
            groups.setdefault(self.config_group[t], []).append(row)
        for members in groups.values():
            config = self.configs[rows[members[0]]]
            index = torch.tensor(members, device=last.device)
            seeds = [self.seeds[rows[r]] for r in members]
            out[index] = advance_frame(last[index], config, seeds, context.frame)
        return out.to(history.dtype)

    def identity(self) -> str:
        """Stable description for cache keys."""
        unique = {repr(c) for c in self.configs}
        return f"reference:{sorted(unique)}:{self.seeds}"


def from_spec(target: ModelTarget, **options: Any) -> ReferenceSurrogate:
    """The ``reference`` model kind's loader (``options``: ``data``, needed, and ``device``)."""
    data = options.get("data")
    if data is None:
        raise ModelSpecError(
            "the 'reference' model needs the dataset (data=...) to read the solver settings from"
        )
    return ReferenceSurrogate.from_data(data, device=options.get("device", "cpu"))
