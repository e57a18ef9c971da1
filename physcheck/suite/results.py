"""What a run concludes about each model (``CheckResults``): the derived numbers of a
rollout against the truth (``measures``), everything the checks look at (``context``) and
the check results themselves, computed once per model. A model whose rollouts raised raises
the same error for each of its results, without running again.

Records come from the ``record`` and ``equivariance`` functions given (the suite's store and
symmetry rollouts); nothing here rolls out.
"""

from __future__ import annotations

from collections.abc import Callable

from physcheck.checks.context import CheckContext
from physcheck.checks.measures import Measures
from physcheck.checks.result import CheckResult, test_id
from physcheck.checks.run import run_checks
from physcheck.errors import ModelRunError, PhyscheckError, RolloutError, UnknownNameError
from physcheck.records import DiagnosticRecord, EquivarianceRecord
from physcheck.suite.inputs import Inputs
from physcheck.suite.plan import RolloutPlan
from physcheck.suite.variant import BASE, FLOAT64, Variant, perturbations

#: ``record(model, variant)``: a rollout variant's diagnostic record
RecordOf = Callable[[str, Variant], DiagnosticRecord]
#: ``equivariance(model)``: the model's equivariance gaps
EquivarianceOf = Callable[[str], EquivarianceRecord]


class CheckResults:
    """The measures, check contexts and check results of ``inputs``' models."""

    def __init__(
        self,
        inputs: Inputs,
        plan: RolloutPlan,
        *,
        record: RecordOf,
        equivariance: EquivarianceOf,
    ) -> None:
        self.inputs = inputs
        self.plan = plan
        self.record = record
        self.equivariance = equivariance
        self._results: dict[str, list[CheckResult]] = {}
        self._failures: dict[str, PhyscheckError] = {}

    def measures(self, name: str, variant: Variant = BASE) -> Measures:
        """The derived numbers of a model's rollout against the truth."""
        inputs = self.inputs
        return Measures(
            self.record(name, variant),
            inputs.truth_record(name),
            inputs.layout,
            inputs.settings.thresholds,
            inputs.spectral_range(name),
        )

    def context(self, name: str) -> CheckContext:
        """Everything the checks of a model look at: the truth's and each needed variant's
        records, and why a variant could not be had."""
        inputs, plan, settings = self.inputs, self.plan, self.inputs.settings
        n_history = inputs.n_history(name)
        base = self.record(name, BASE)
        float64 = float64_skip = None
        if plan.needs("float64"):
            float64_skip = plan.precision_skip(name)
            if float64_skip is None:
                float64 = self.record(name, FLOAT64)
        perturbed = None
        perturbed_skip = plan.perturbed_skip(name) if plan.needs("perturbed") else None
        n_perturbations = settings.diagnostics.n_perturbations
        if plan.needs("perturbed") and perturbed_skip is None and n_perturbations > 0:
            perturbed = [self.record(name, v) for v in perturbations(n_perturbations)]
        equivariance = equivariance_skip = None
        if plan.needs("equivariance"):
            equivariance_skip = plan.equivariance_skip(name)
            if equivariance_skip is None:
                equivariance = self.equivariance(name)
        return CheckContext(
            model=name,
            trajectories=inputs.trajectories,
            layout=inputs.layout,
            thresholds=settings.thresholds,
            truth=inputs.truth(n_history).record,
            base=base,
            float64=float64,
            float64_skip=float64_skip,
            precisions=(settings.dtype, settings.reference_dtype),
            perturbed=perturbed,
            perturbed_skip=perturbed_skip,
            noise_eps=settings.diagnostics.noise_eps,
            seed=settings.diagnostics.seed,
            divergence_method=settings.diagnostics.divergence_method,
            spectral=inputs.spectral_range(name),
            equivariance=equivariance,
            equivariance_skip=equivariance_skip,
            equivariance_tier=plan.equivariance_tier(name),
            profile=inputs.profile,
        )

    def results(self, name: str) -> list[CheckResult]:
        """The results of a model's checks (computed once; a model whose rollout raised raises
        the same ``ModelRunError`` for each of its results, without running again)."""
        if name in self._failures:
            raise self._failures[name]
        if name not in self._results:
            try:
                self._results[name] = run_checks(self.context(name), self.inputs.settings.checks)
            except RolloutError as exc:  # the model's rollout could not go on: name the model
                named = type(exc)(f"model {name!r}: {exc}")
                self._failures[name] = named
                raise named from exc
            except PhyscheckError as exc:
                self._failures[name] = exc
                raise
            except (Exception, SystemExit) as exc:  # the model's code, or a check on its output
                wrapped = ModelRunError.wrap(name, exc)
                wrapped.__cause__ = exc
                self._failures[name] = wrapped
                raise wrapped from exc
        return self._results[name]

    def fail(self, name: str, error: PhyscheckError) -> None:
        """Model ``name`` failed before its checks could run (its own code raised in the
        preflight step): each of its results raises ``error``."""
        self._failures[name] = error

    def result(
        self, check: str, name: str, trajectory: int | None, channel: str | None = None
    ) -> CheckResult:
        """One result of a model's checks; ``KeyError`` naming its test id when none is."""
        for r in self.results(name):
            if r.check == check and r.trajectory == trajectory and r.channel == channel:
                return r
        raise UnknownNameError(f"no result for {test_id(check, name, trajectory, channel)}")


__all__ = ["CheckResults", "EquivarianceOf", "RecordOf"]
