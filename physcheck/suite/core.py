"""``Suite``: the facade of a run over its rooms, with the public API the plugin, the
outputs, the executor and users' code call. Each room has one job:

- ``inputs`` (``Inputs``): data, layout, device, window, trajectories, models, truth, symmetries;
- ``preflight``: what can be checked before any rollout;
- ``plan`` (``RolloutPlan``): each model's variants, why one is missing, which go together;
- ``runner`` (``Runner``): rollouts, one at a time or batched, following the base one, progress;
- ``store`` (``RecordStore``): records kept, cached on disk under locks;
- ``check_results`` (``CheckResults``): measures, check contexts, check results.

The suite wires them (the store computes through the runner here, or through an executor's
workers) and keeps the equivariance records and basin maps; variant names (``"base"``,
``"float64"``, ``"noise0"``, ...) become :class:`Variant` values at this door.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import torch

from physcheck.cache import RecordCache
from physcheck.checks.context import CheckContext
from physcheck.checks.measures import Measures, SpectralRange
from physcheck.checks.result import CheckResult
from physcheck.config import DiagnosticSettings, ModelSpec, Settings
from physcheck.data.well import WellData
from physcheck.data.windows import Window
from physcheck.diagnostics.symmetry import SymmetryGroup
from physcheck.errors import PhyscheckError
from physcheck.fields import FieldLayout
from physcheck.models import Surrogate
from physcheck.models.saved import SavedRollouts
from physcheck.profiles import Profile
from physcheck.records import DiagnosticRecord, EquivarianceRecord, TruthRecord
from physcheck.suite import preflight
from physcheck.suite.basin_map import basin_map_rows
from physcheck.suite.equivariance import SymmetryRollouts, equivariance_record, symmetry_rollouts
from physcheck.suite.export import export_file_name, export_rollouts
from physcheck.suite.inputs import Inputs, TruthWindow
from physcheck.suite.plan import RolloutPlan
from physcheck.suite.results import CheckResults
from physcheck.suite.runner import Runner
from physcheck.suite.store import RecordStore
from physcheck.suite.variant import BASE, FLOAT64, Variant, names


class RolloutExecutor(Protocol):
    """Computes rollouts somewhere else (``physcheck.executor``: a Dask cluster):
    ``compute(suite, name, variants)`` returns each variant's record over the suite's
    trajectories, ``equivariance_rollouts(suite, name)`` what ``Suite.equivariance_rollouts``
    returns; both equal to what the suite would compute itself."""

    def compute(self, suite: Suite, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        ...

    def equivariance_rollouts(self, suite: Suite, name: str) -> SymmetryRollouts:
        ...


class Suite:
    """Lazily computes and memoises everything a run needs. ``rootdir``: where relative paths
    in the settings start; ``worker``: the index of a parallel worker (one GPU each);
    ``executor``: where rollouts run when not here (``physcheck.executor``).
    ``rollout_counts`` counts the rollouts actually computed (cache hits excluded), per
    ``(model, variant)``."""

    def __init__(
        self,
        settings: Settings,
        *,
        rootdir: str | Path = ".",
        worker: int | None = None,
        progress: Callable[[str], None] | None = None,
        executor: RolloutExecutor | None = None,
    ) -> None:
        self.executor = executor
        self.inputs = Inputs(settings, rootdir=Path(rootdir), worker=worker)
        self.plan = RolloutPlan(self.inputs)
        self.runner = Runner(self.inputs, progress=progress)
        self.store = RecordStore(
            self.inputs, self.plan, group=self._batch_group, compute=self._compute_variants
        )
        self.check_results = CheckResults(
            self.inputs, self.plan, record=self.store.record, equivariance=self.equivariance
        )
        #: ``engine.rollout`` of a model as every rollout of the run goes (``Runner.roll_out``)
        self.roll_out = self.runner.roll_out
        self._equivariance: dict[str, EquivarianceRecord] = {}
        self._basin_maps: dict[str, list[dict[str, object]]] = {}

    # -- what the suite was given and what it counted --------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.inputs.settings

    @property
    def rootdir(self) -> Path:
        return self.inputs.rootdir

    @property
    def worker(self) -> int | None:
        return self.inputs.worker

    @property
    def progress(self) -> Callable[[str], None] | None:
        """Where progress lines go (``None``: nowhere)."""
        return self.runner.progress

    @progress.setter
    def progress(self, progress: Callable[[str], None] | None) -> None:
        self.runner.progress = progress

    @property
    def rollout_counts(self) -> collections.Counter[tuple[str, str]]:
        """The rollouts actually computed, per ``(model, variant name)``."""
        return self.runner.rollout_counts

    @property
    def cache_hits(self) -> collections.Counter[tuple[str, str]]:
        """The records read from the disk cache, per ``(model, variant name)``."""
        return self.store.cache_hits

    @property
    def batches(self) -> list[tuple[str, tuple[str, ...]]]:
        """The batched rollouts run: (model, variant names of its row blocks)."""
        return self.runner.batches

    @property
    def rejoined(self) -> dict[tuple[str, str], int]:
        """Per ``(model, variant)``: the step after which a perturbed rollout was copied."""
        return self.runner.rejoined

    @property
    def cache(self) -> RecordCache | None:
        """The disk cache of records (``None``: off, or dropped after a failure)."""
        return self.store.cache

    # -- inputs ----------------------------------------------------------------------------------
    @property
    def data(self) -> WellData:
        return self.inputs.data

    @property
    def profile(self) -> Profile:
        """The data's profile (``Inputs.profile``)."""
        return self.inputs.profile

    @property
    def layout(self) -> FieldLayout:
        return self.inputs.layout

    @property
    def device(self) -> torch.device:
        return self.inputs.device

    @property
    def batching(self) -> bool:
        """Whether variants run as one batch (``batch`` setting; ``auto``: on CUDA only)."""
        return self.inputs.batching

    @property
    def window(self) -> Window:
        return self.inputs.window

    @property
    def trajectories(self) -> list[int]:
        return self.inputs.trajectories

    @property
    def diagnostics(self) -> DiagnosticSettings:
        """The diagnostic settings, completed from the data (``Inputs.diagnostics``)."""
        return self.inputs.diagnostics

    @property
    def symmetries(self) -> SymmetryGroup:
        """The dataset's symmetries (rotations about the guide axis, reflections, shifts)."""
        return self.inputs.symmetries

    def model_entry(self, name: str) -> ModelSpec:
        return self.inputs.model_entry(name)

    def model(self, name: str) -> Surrogate:
        return self.inputs.model(name)

    def provide_model(self, name: str, model: Surrogate) -> None:
        """Use an already loaded model for ``name`` (an executor's worker loads a checkpoint
        once for all its tasks)."""
        self.inputs.provide_model(name, model)

    def add_model(self, entry: ModelSpec) -> None:
        """Read a model besides the run's own: a baseline's saved rollouts (``Inputs``)."""
        self.inputs.add_model(entry)

    def saved(self, name: str) -> SavedRollouts | None:
        """The model's saved rollouts, when it is one (``--physcheck-predictions``)."""
        return self.inputs.saved(name)

    def n_history(self, name: str) -> int:
        return self.inputs.n_history(name)

    def truth(self, n_history: int) -> TruthWindow:
        """History ``[B, T, ...]`` and truth ``[B, K, ...]`` of the window for a history length."""
        return self.inputs.truth(n_history)

    def truth_record(self, name: str) -> TruthRecord:
        """The truth's record for the model's history length."""
        return self.inputs.truth_record(name)

    def spectral_range(self, name: str) -> SpectralRange:
        """Where the perpendicular spectrum is judged (fit shells, band cutoff)."""
        return self.inputs.spectral_range(name)

    def record_failure(self, name: str, error: PhyscheckError) -> None:
        """Model ``name`` failed in its preflight step: its results raise ``error`` (each of
        its items fails with that one line) while the run's other models go on."""
        self.check_results.fail(name, error)

    def validate(self, name: str) -> None:
        """Everything about a model and the data that can be known before any rollout
        (``physcheck.suite.preflight``); one-line errors."""
        preflight.validate(self.inputs, name)

    # -- the plan --------------------------------------------------------------------------------
    def needs(self, variant: str) -> bool:
        """Whether a selected check needs the ``float64``, ``perturbed`` or ``equivariance``
        rollouts."""
        return self.plan.needs(variant)

    def variants(self, name: str) -> list[str]:
        """The names of the rollouts the configured checks need for a model."""
        return names(self.plan.variants(name))

    def perturbed_skip(self, name: str) -> str | None:
        """Why the perturbed rollouts of a model cannot be had (``None`` when they can)."""
        return self.plan.perturbed_skip(name)

    def precision_skip(self, name: str) -> str | None:
        """Why the float64 twin of a model cannot be had (``None`` when it can)."""
        return self.plan.precision_skip(name)

    def equivariance_skip(self, name: str) -> str | None:
        """Why a model cannot be judged for equivariance (``None`` when it can)."""
        return self.plan.equivariance_skip(name)

    def equivariance_tier(self, name: str) -> str:
        """``exact`` for a model equivariant by construction, else ``approximate``."""
        return self.plan.equivariance_tier(name)

    def batch_group(self, name: str, variant: str) -> list[str]:
        """The names of the variants computed together with ``variant``
        (``RolloutPlan.batch_group``; with an executor, every variant not yet computed)."""
        return names(self._batch_group(name, Variant.parse(variant)))

    def _batch_group(self, name: str, variant: Variant) -> list[Variant]:
        return self.plan.batch_group(
            name,
            variant,
            computed=lambda v: self.store.has(name, v),
            all_at_once=self.executor is not None,
        )

    @staticmethod
    def task_groups(variants: list[str]) -> list[list[str]]:
        """How an executor splits a model's variants into tasks (``RolloutPlan.task_groups``)."""
        groups = RolloutPlan.task_groups([Variant.parse(v) for v in variants])
        return [names(group) for group in groups]

    # -- records ---------------------------------------------------------------------------------
    def record(self, name: str, variant: str | Variant = "base") -> DiagnosticRecord:
        """The diagnostic record of one rollout variant of a model (computed once; the base
        and perturbed rollouts in one batch, see ``batch_group``)."""
        return self.store.record(name, Variant.parse(variant))

    def _compute_variants(
        self, name: str, variants: list[Variant], base_frames: Callable[[], torch.Tensor | None]
    ) -> dict[Variant, DiagnosticRecord]:
        """The records of ``variants`` computed together: on the executor's workers, as one
        batch, or (one variant) on its own."""
        if self.executor is not None and self.saved(name) is None:
            computed = self.executor.compute(self, name, names(variants))
            return {Variant.parse(v): record for v, record in computed.items()}
        keep = self.plan.keeps_frames(name)
        if len(variants) == 1:
            record = self.runner.compute(
                name, variants[0], base_frames=base_frames, keep_base_frames=keep
            )
            return {variants[0]: record}
        return self.runner.compute_batch(
            name, variants, base_frames=base_frames, keep_base_frames=keep
        )

    def compute_group(self, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        """Records computed here, as an executor's worker does for one task (see
        ``task_groups``): the base rollout with perturbed ones (one batch; one after the other
        with ``--physcheck-batch off``), or the twin after the base."""
        wanted = [Variant.parse(v) for v in variants]
        runner, keep = self.runner, self.plan.keeps_frames(name)

        def base_frames() -> torch.Tensor | None:
            return self.store.record(name, BASE).frames

        if wanted == [FLOAT64]:
            base = runner.compute(name, BASE, base_frames=base_frames, keep_base_frames=keep)
            self.store.put(name, BASE, base)
            twin = runner.compute(name, FLOAT64, base_frames=base_frames, keep_base_frames=keep)
            return {str(FLOAT64): twin}
        if self.batching and len(wanted) > 1:
            batch = runner.compute_batch(
                name, wanted, base_frames=base_frames, keep_base_frames=keep
            )
            return {str(v): record for v, record in batch.items()}
        out = {}
        for variant in wanted:  # the base first: the others compare with it
            out[str(variant)] = runner.compute(
                name, variant, base_frames=base_frames, keep_base_frames=keep
            )
            if variant.is_base:
                self.store.put(name, BASE, out[str(variant)])
        return out

    # -- symmetries ------------------------------------------------------------------------------
    def equivariance_rollouts(self, name: str) -> SymmetryRollouts:
        """``(short rollout of the input [B, K_e, ...], {transform: short rollout of the
        transformed input}, {rotation: last frame [B, X, Y, Z, C] of the rotated input's full
        rollout})``, rolled out (on the executor's workers where there is one) or read from
        saved rollouts (``physcheck.suite.equivariance``)."""
        if self.executor is not None and self.saved(name) is None:
            return self.executor.equivariance_rollouts(self, name)
        held = functools.partial(self.store.held_frames, name, BASE)
        return symmetry_rollouts(self.inputs, self.runner, name, held)

    def equivariance(self, name: str) -> EquivarianceRecord:
        """The equivariance gaps of a model, computed once (``physcheck.suite.equivariance``)."""
        if name not in self._equivariance:
            self.store.record(name, BASE)  # first: the input's short rollout is its prefix
            self._equivariance[name] = equivariance_record(
                self.inputs,
                name,
                lambda: self.equivariance_rollouts(name),
                lambda: self.measures(name).final_basins,
            )
        return self._equivariance[name]

    # -- the basin map and export ----------------------------------------------------------------
    def basin_map(self, name: str) -> list[dict[str, object]]:
        """For each configured start frame (``starts``) and trajectory: the final basin, the
        blow-up onset, the perturbed basins and the spread, computed once
        (``physcheck.suite.basin_map``)."""
        if name not in self._basin_maps:
            self._basin_maps[name] = basin_map_rows(self.inputs, self.runner, name)
        return self._basin_maps[name]

    def export(self, name: str, path: str | Path) -> Path:
        """Write the rollouts of a model that the selected checks need to a prediction file
        (``physcheck.suite.export``)."""
        return export_rollouts(
            self.inputs,
            self.plan,
            self.runner,
            name,
            path,
            symmetry_rollouts=lambda: self.equivariance_rollouts(name),
        )

    def export_models(self, folder: str | Path) -> Iterator[tuple[str, Path]]:
        """Export each configured model (saved rollouts left out) to ``folder/NAME.FORMAT``
        (``--physcheck-export-format``), one after the other: ``(model, file written)``."""
        for entry in self.settings.models:
            if self.saved(entry.name) is not None:
                continue
            target = Path(folder) / export_file_name(entry.name, self.settings.export_format)
            yield entry.name, self.export(entry.name, target)

    # -- checks ----------------------------------------------------------------------------------
    def measures(self, name: str, variant: str | Variant = "base") -> Measures:
        """The derived numbers of a model's rollout against the truth."""
        return self.check_results.measures(name, Variant.parse(variant))

    def context(self, name: str) -> CheckContext:
        """Everything the checks of a model look at (``CheckResults.context``)."""
        return self.check_results.context(name)

    def results(self, name: str) -> list[CheckResult]:
        """The results of a model's checks (computed once; a model whose rollout raised raises
        the same ``ModelRunError`` for each of its results, without running again)."""
        return self.check_results.results(name)

    def result(
        self, check: str, name: str, trajectory: int | None, channel: str | None = None
    ) -> CheckResult:
        return self.check_results.result(check, name, trajectory, channel)


__all__ = ["RolloutExecutor", "Suite"]
