"""What a check sees (``CheckContext``) and the helpers every check family shares to build
its results and messages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import torch

from physcheck.checks.measures import Measures, SpectralRange
from physcheck.checks.result import CheckResult
from physcheck.config.thresholds import Thresholds
from physcheck.fields import FieldLayout
from physcheck.formatting import fmt
from physcheck.profiles import MHD, Profile
from physcheck.records import DiagnosticRecord, EquivarianceRecord, TruthRecord


@dataclass
class CheckContext:
    """Everything the checks of one model need. Records hold the trajectories in the order of
    ``trajectories`` (their global indices in the dataset)."""

    model: str
    trajectories: list[int]
    layout: FieldLayout
    thresholds: Thresholds
    truth: TruthRecord
    base: DiagnosticRecord
    float64: DiagnosticRecord | None = None
    float64_skip: str | None = None
    #: the precisions of the base rollout and of its twin (``float64``), as named in messages
    precisions: tuple[str, str] = ("float32", "float64")
    perturbed: list[DiagnosticRecord] | None = field(default=None)
    perturbed_skip: str | None = None
    noise_eps: float = 1e-6
    #: the base seed the perturbations were drawn from (each trajectory's from it and its index)
    seed: int = 0
    divergence_method: str = "central"
    spectral: SpectralRange | None = None
    equivariance: EquivarianceRecord | None = None
    equivariance_skip: str | None = None
    #: ``exact`` for a model that declares ``equivariant = True``, else ``approximate``
    equivariance_tier: str = "approximate"
    #: the dataset's profile: a check that requires what it lacks is skipped with the reason
    profile: Profile = MHD

    @property
    def n_steps(self) -> int:
        return self.base.n_steps

    @cached_property
    def measures(self) -> Measures:
        """The derived numbers of the base rollout against the truth."""
        return self.measures_of(self.base)

    def measures_of(self, record: DiagnosticRecord) -> Measures:
        """The derived numbers of another rollout of the model (float64, perturbed)."""
        return Measures(record, self.truth, self.layout, self.thresholds, self.spectral)


    def result(
        self,
        check: str,
        index: int | None,
        passed: bool,
        value: float | None,
        threshold: float | None,
        message: str,
        *,
        step: int | None = None,
        channel: str | None = None,
        skipped: str | None = None,
        details: dict[str, float] | None = None,
    ) -> CheckResult:
        """The result of ``check`` on the ``index``-th trajectory of the context
        (``index=None``: over all of them)."""
        return CheckResult(
            check=check,
            model=self.model,
            trajectory=None if index is None else self.trajectories[index],
            channel=channel,
            passed=bool(passed),
            value=value,
            threshold=threshold,
            message=message,
            step=step,
            skipped=skipped,
            details=details,
        )

    def model_result(
        self,
        check: str,
        passed: bool,
        value: float | None,
        threshold: float | None,
        message: str,
        *,
        step: int | None = None,
        skipped: str | None = None,
        details: dict[str, float] | None = None,
    ) -> CheckResult:
        """The result of a check over all of the model's trajectories (e.g. a median)."""
        return self.result(
            check, None, passed, value, threshold, message, step=step, skipped=skipped, details=details
        )

    def skipped(self, check: str, reason: str) -> list[CheckResult]:
        """One skipped result per trajectory, with the reason."""
        return [
            self.result(
                check, i, True, None, None, f"{self.prefix(i)}: skipped: {reason}", skipped=reason
            )
            for i in range(len(self.trajectories))
        ]

    def prefix(self, index: int, step: int | None = None) -> str:
        """``traj N`` or ``traj N, step S``: how every message starts."""
        traj = f"traj {self.trajectories[index]}"
        return f"{traj}, step {step}" if step is not None else traj

    def nonfinite_note(self, index: int) -> str:
        """`` (the rollout is non-finite from step S)`` when it is, else empty."""
        bad = int(self.base.first_nonfinite_step[index])
        return f" (the rollout is non-finite from step {bad})" if bad <= self.n_steps else ""


def worst_step(badness: torch.Tensor) -> int:
    """1-based step with the largest badness (NaN counts as the worst)."""
    b = torch.where(torch.isnan(badness), torch.full_like(badness, math.inf), badness)
    return int(torch.argmax(b).item()) + 1


def onset_step(beyond: torch.Tensor) -> int | None:
    """1-based first step where ``beyond [K]`` (bool: beyond the bound) holds; ``None`` if never."""
    steps = torch.nonzero(beyond).flatten()
    return int(steps[0]) + 1 if steps.numel() else None


def onset_text(beyond: torch.Tensor, worst: int) -> str:
    """``onset step S (first beyond the bound), worst step W``, for a per-step series judged
    at every step."""
    onset = onset_step(beyond)
    first = f"onset step {onset} (first beyond the bound)" if onset is not None else "never beyond the bound"
    return f"{first}, worst step {worst}"


__all__ = ["CheckContext", "fmt", "onset_step", "onset_text", "worst_step"]
