"""The physics suite as a library object: data, models, rollouts, records, check results.

``Suite(settings)`` runs the pipeline data -> rollout -> records -> checks lazily: every
rollout (base precision, float64 twin, each perturbation) is computed at most once per suite
however many checks or tests use it, and with the disk cache once across runs. Works without
pytest; the plugin and ``physcheck run`` are thin shells over it, and what is shown of it
(summary, JSON, snapshots, report) is built by ``physcheck.outputs``.
"""

from __future__ import annotations

import collections
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import torch

import physcheck
from physcheck.cache import CacheWarning, RecordCache, cache_key
from physcheck.checks.context import CheckContext
from physcheck.checks.measures import Measures, SpectralRange
from physcheck.checks.result import CheckResult, test_id
from physcheck.checks.run import run_checks
from physcheck.config import DiagnosticSettings, ModelSpec, Settings, check_spec
from physcheck.data.remote import is_remote
from physcheck.data.well import WellData, file_identity, open_dataset
from physcheck.data.windows import Window
from physcheck.diagnostics.basin import basin_label, basin_names
from physcheck.diagnostics.symmetry import SymmetryGroup
from physcheck.engine import rollout
from physcheck.errors import (
    ConfigError,
    DataError,
    ModelRunError,
    ModelSpecError,
    PhyscheckError,
)
from physcheck.fields import MHD_FIELDS, FieldLayout
from physcheck.models import Surrogate, load, model_hash, supports_precision
from physcheck.records import DiagnosticRecord, EquivarianceRecord, RecordBuilder, TruthRecord

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}


def resolve_device(device: str, *, worker: int | None = None) -> torch.device:
    """``auto`` -> CUDA where available. ``worker``: the index of a parallel worker (e.g.
    pytest-xdist's ``gwN``); with several GPUs, ``cuda``/``auto`` give it ``cuda:N mod count``."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if (
        device == "cuda"
        and worker is not None
        and torch.cuda.is_available()
        and torch.cuda.device_count() > 1
    ):
        return torch.device(f"cuda:{worker % torch.cuda.device_count()}")
    return torch.device(device)


@dataclass
class TruthWindow:
    """History and truth of the configured trajectories for one history length."""

    history: torch.Tensor  # [B, T, X, Y, Z, C]
    truth: torch.Tensor  # [B, K, X, Y, Z, C]
    record: TruthRecord


class Suite:
    """Lazily computes and memoises everything a run needs. ``rootdir``: where relative paths
    in the settings start; ``worker``: the index of a parallel worker (one GPU each).
    ``rollout_counts`` counts the rollouts actually computed (cache hits excluded), per
    ``(model, variant)``."""

    def __init__(
        self,
        settings: Settings,
        *,
        rootdir: str | Path = ".",
        worker: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.rootdir = Path(rootdir)
        self.worker = worker
        self.progress = progress
        self.rollout_counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.cache_hits: collections.Counter[tuple[str, str]] = collections.Counter()
        self._models: dict[str, Surrogate] = {}
        self._truth: dict[int, TruthWindow] = {}
        self._records: dict[tuple[str, str], DiagnosticRecord] = {}
        self._results: dict[str, list[CheckResult]] = {}
        self._failures: dict[str, PhyscheckError] = {}
        self._equivariance: dict[str, EquivarianceRecord] = {}
        self._basin_maps: dict[str, list[dict[str, object]]] = {}
        cache_dir = Path(settings.cache_dir)
        self.cache = (
            RecordCache(cache_dir if cache_dir.is_absolute() else self.rootdir / cache_dir)
            if settings.use_cache
            else None
        )

    # -- inputs ----------------------------------------------------------------------------------
    @cached_property
    def data(self) -> WellData:
        if self.settings.data and is_remote(self.settings.data):
            return open_dataset(self.settings.data, split=self.settings.split)
        if self.settings.data:
            path = Path(self.settings.data)
            return open_dataset(
                path if path.is_absolute() else self.rootdir / path, split=self.settings.split
            )
        from physcheck.datasets import default_dataset

        return open_dataset(
            default_dataset(splits=(self.settings.split,)), split=self.settings.split
        )

    @cached_property
    def layout(self) -> FieldLayout:
        return self.data.layout(self.settings.guide_axis)

    @cached_property
    def device(self) -> torch.device:
        return resolve_device(self.settings.device, worker=self.worker)

    @property
    def window(self) -> Window:
        return self.settings.window

    @cached_property
    def trajectories(self) -> list[int]:
        available = self.data.n_trajectories
        wanted = (
            list(self.settings.trajectories)
            if self.settings.trajectories is not None
            else list(range(available))
        )
        missing = [t for t in wanted if not 0 <= t < available]
        if missing:
            raise DataError(
                f"trajectories {missing} do not exist; the {self.settings.split} split has 0..{available - 1}"
            )
        return wanted

    def model_entry(self, name: str) -> ModelSpec:
        for entry in self.settings.models:
            if entry.name == name:
                return entry
        raise ConfigError(
            f"no model named {name!r}; configured: {[m.name for m in self.settings.models]}"
        )

    def model(self, name: str) -> Surrogate:
        if name not in self._models:
            entry = self.model_entry(name)
            self._models[name] = load(entry, data=self.data, device=self.device)
        return self._models[name]

    def n_history(self, name: str) -> int:
        return self.window.resolve_history(self.model(name).n_history)

    def validate(self, name: str) -> None:
        """Everything about a model and the data that can be known before any rollout: the
        data holds MHD states on a 3D grid, the window fits the trajectories and the model's
        history, and one step of the model on one trajectory returns a frame of the data's
        shape. Raises ``DataError``, ``ModelSpecError`` or ``ModelRunError`` with one line."""
        data = self.data
        missing = [f for f in MHD_FIELDS if f not in data.field_names]
        if missing or len(data.spatial_shape) != 3:
            raise DataError(
                f"{data.files[0]}: physcheck's checks need 3D MHD states with the fields "
                f"{', '.join(MHD_FIELDS)}; this data has {len(data.spatial_shape)}D fields "
                f"{', '.join(data.field_names)}"
                + (f" (missing {', '.join(missing)})" if missing else "")
            )
        model = self.model(name)
        declared = getattr(model, "n_channels", None)
        if isinstance(declared, int) and declared != data.n_channels:
            raise ModelSpecError(
                f"model {name!r} takes {declared} channels; the data has {data.n_channels} "
                f"({', '.join(data.field_names)})"
            )
        explicit = self.window.n_history
        if explicit is not None and explicit < model.n_history:
            raise ConfigError(
                f"window {self.window.label} gives {explicit} history frame(s); model {name!r} needs "
                f"{model.n_history}: use --physcheck-window {self.window.first}:{model.n_history}:{self.window.n_steps}"
            )
        n_history = self.n_history(name)
        self.window.check(n_history, data.n_time)
        history, _ = data.read_window(self.trajectories[0], self.window, n_history)
        probe = history[None].to(self.device)
        try:
            out = rollout(
                model,
                probe,
                1,
                device=self.device,
                seed=self.settings.diagnostics.seed,
                keep_frames=True,
                start_frame=self.window.first,
                trajectories=self.trajectories[:1],
            )
        except PhyscheckError as exc:
            raise ModelSpecError(f"model {name!r}: {exc}") from None
        except Exception as exc:  # the model's own code
            raise ModelRunError.wrap(name, exc) from exc
        assert out.frames is not None
        if not out.frames.is_floating_point():
            raise ModelSpecError(
                f"model {name!r} returns {out.frames.dtype} frames; expected floats"
            )

    def truth(self, n_history: int) -> TruthWindow:
        """History and truth of the window for a history length; NaN or Inf in the data is a
        ``DataError`` naming the file and frame (a broken truth cannot judge a model)."""
        if n_history not in self._truth:
            self.window.check(n_history, self.data.n_time)
            pairs = [self.data.read_window(t, self.window, n_history) for t in self.trajectories]
            for t, (h, k) in zip(self.trajectories, pairs, strict=True):
                self._require_finite(t, torch.cat((h, k)), self.window.first - n_history)
            history = torch.stack([h for h, _ in pairs]).to(self.device)
            truth = torch.stack([t for _, t in pairs]).to(self.device)
            record = TruthRecord.compute(truth, self.layout, self.diagnostics, history=history)
            self._truth[n_history] = TruthWindow(history, truth, record)
        return self._truth[n_history]

    def _require_finite(self, trajectory: int, frames: torch.Tensor, start: int) -> None:
        finite = torch.isfinite(frames).flatten(1).all(dim=1)
        if bool(finite.all()):
            return
        bad = int(torch.nonzero(~finite).flatten()[0])
        ref = self.data.trajectories[trajectory]
        channels = torch.nonzero(~torch.isfinite(frames[bad]).flatten(0, -2).all(dim=0)).flatten()
        names = [self.layout.short_name(int(c)) for c in channels]
        raise DataError(
            f"{ref.file}: trajectory {ref.local} (index {trajectory}), frame {start + bad}: NaN or Inf "
            f"in {', '.join(names)}: the truth itself is not finite, so it cannot judge a model; "
            "repair the file or leave the trajectory out with --physcheck-trajectories"
        )

    @cached_property
    def diagnostics(self) -> DiagnosticSettings:
        """The diagnostic settings, with the spectral fit range and cutoff taken from the data
        (its recorded forcing scale and dealiasing cutoff) where not configured."""
        diag = self.settings.diagnostics
        spectral = self.data.spectral_scales()
        if spectral is None:
            return diag
        fit, cutoff = spectral
        return replace(
            diag,
            spectrum_fit=diag.spectrum_fit if diag.spectrum_fit is not None else fit,
            spectrum_cutoff=diag.spectrum_cutoff if diag.spectrum_cutoff is not None else cutoff,
        )

    def spectral_range(self, name: str) -> SpectralRange:
        """Where the perpendicular spectrum is judged (fit shells, band cutoff)."""
        return SpectralRange.of(int(self.truth_record(name).spectra.shape[-1]), self.diagnostics)

    # -- rollouts --------------------------------------------------------------------------------
    def needs(self, variant: str) -> bool:
        """Whether a selected check needs the ``float64`` or ``perturbed`` rollouts."""
        return any(variant in check_spec(c).needs for c in self.settings.checks)

    def variants(self, name: str) -> list[str]:
        """The rollouts the configured checks need for a model."""
        out = ["base"]
        if self.needs("float64") and self.precision_skip(name) is None:
            out.append("float64")
        if self.needs("perturbed"):
            out += [f"noise{i}" for i in range(self.settings.diagnostics.n_perturbations)]
        return out

    def precision_skip(self, name: str) -> str | None:
        reason = supports_precision(self.model(name))
        if reason:
            return reason
        if self.settings.dtype == "float64":
            return "the base rollout already runs in float64"
        return None

    def _key(self, name: str, variant: str, n_history: int) -> str:
        entry = self.model_entry(name)
        s = self.settings
        return cache_key(
            {
                "model": model_hash(self.model(name), entry.spec),
                "projection": entry.projection,
                "data": self.data.content_hash(),
                "data_files": [file_identity(p) for p in self.data.files],
                "split": s.split,
                "window": [self.window.first, self.window.n_steps, n_history],
                "trajectories": self.trajectories,
                "variant": variant,
                "dtype": s.dtype,
                "device": self.device.type,
                "diagnostics": repr(self.diagnostics),
                "guide_axis": s.guide_axis,
                "keep_frames": self._keeps_frames(name),
                "versions": [physcheck.__version__, torch.__version__],
            }
        )

    def _keeps_frames(self, name: str) -> bool:
        return len(self.variants(name)) > 1

    def record(self, name: str, variant: str = "base") -> DiagnosticRecord:
        """The diagnostic record of one rollout variant of a model (computed once)."""
        memo = (name, variant)
        if memo in self._records:
            return self._records[memo]
        model = self.model(name)
        n_history = self.n_history(name)
        key = self._key(name, variant, n_history) if self.cache is not None else None
        if self.cache is not None and key is not None:
            with self.cache.lock(key):
                record_or_none = self._cached(key)
                if record_or_none is None:
                    record = self._compute(name, variant, model, n_history)
                    self.cache.put(key, *record.to_cache())
                else:
                    record = record_or_none
                    self.cache_hits[memo] += 1
        else:
            record = self._compute(name, variant, model, n_history)
        self._records[memo] = record
        return record

    def _cached(self, key: str) -> DiagnosticRecord | None:
        assert self.cache is not None
        entry = self.cache.get(key, DiagnosticRecord.cache_layout())
        if entry is None:
            return None
        try:
            return DiagnosticRecord.from_cache(*entry)
        except (KeyError, TypeError, ValueError) as exc:
            warnings.warn(
                f"physcheck cache entry {key} does not fit a record ({exc}); it is recomputed",
                CacheWarning,
                stacklevel=2,
            )
            return None

    def _compute(
        self, name: str, variant: str, model: Surrogate, n_history: int
    ) -> DiagnosticRecord:
        entry = self.model_entry(name)
        truth = self.truth(n_history)
        diag = self.diagnostics
        dtype = DTYPES[self.settings.dtype]
        reference = reference_variance = None
        noise, noise_seed = 0.0, None
        if variant != "base":
            base = self.record(name, "base")
            reference, reference_variance = base.frames, base.variance
        if variant == "float64":
            dtype = torch.float64
        elif variant.startswith("noise"):
            index = int(variant[len("noise") :])
            noise, noise_seed = diag.noise_eps, diag.seed + 1 + index
        hooks = []
        if entry.projection:
            from physcheck.diagnostics import project_state

            layout = self.layout
            hooks.append(lambda frame: project_state(frame, layout=layout, spacing=diag.spacing))
        builder = self._record_builder(
            truth,
            reference,
            keep_frames=variant == "base" and self._keeps_frames(name),
            reference_variance=reference_variance,
        )
        started = time.perf_counter()
        n_steps = self.window.n_steps
        shape = f"{truth.history.shape[0]} trajectories x {n_steps} steps"
        self._say(f"rolling out {name} ({variant}, {shape}, {dtype}, {self.device})")
        every = max(1, n_steps // 5)

        def on_step(step: int, frame: torch.Tensor) -> None:
            builder(step, frame)
            if step % every == 0 and step < n_steps:
                elapsed = time.perf_counter() - started
                self._say(f"  {name} ({variant}): step {step}/{n_steps}, {elapsed:.1f} s")

        result = rollout(
            model,
            truth.history,
            self.window.n_steps,
            device=self.device,
            dtype=dtype,
            seed=diag.seed,
            hooks=hooks,
            noise=noise,
            noise_seed=noise_seed,
            on_step=on_step if self.progress is not None else builder,
            keep_frames=False,
            start_frame=self.window.first,
            trajectories=self.trajectories,
        )
        self.rollout_counts[(name, variant)] += 1
        self._say(f"rolled out {name} ({variant}) in {time.perf_counter() - started:.1f} s")
        return builder.finish(result.first_nonfinite_step)

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    # -- symmetries ------------------------------------------------------------------------------
    @cached_property
    def symmetries(self) -> SymmetryGroup:
        """The dataset's symmetries (rotations about the guide axis, reflections, shifts)."""
        group = SymmetryGroup(self.layout)
        shape = self.data.spatial_shape
        a, b = self.layout.perpendicular_axes
        if shape[a] != shape[b]:  # no quarter turns on a non-square perpendicular plane
            keep = tuple(
                t for t in group.transforms if t.name.startswith(("reflect", "shift", "rot180"))
            )
            group = SymmetryGroup(self.layout, transforms=keep)
        return group

    def equivariance_skip(self, name: str) -> str | None:
        """Why a model cannot be judged for equivariance (``None`` when it can)."""
        reason = getattr(self.model(name), "equivariance_skip", None)
        return str(reason) if reason else None

    def equivariance(self, name: str) -> EquivarianceRecord:
        """The equivariance gaps of a model (computed once): one short rollout from the input
        and one from each transformed input, and full rollouts of the rotated inputs for the
        basin orbit."""
        if name in self._equivariance:
            return self._equivariance[name]
        model = self.model(name)
        truth = self.truth(self.n_history(name))
        diag, group = self.diagnostics, self.symmetries
        n_short = min(diag.equivariance_steps, self.window.n_steps)
        kwargs = {
            "device": self.device,
            "dtype": DTYPES[self.settings.dtype],
            "seed": diag.seed,
            "start_frame": self.window.first,
            "trajectories": self.trajectories,
        }
        self._say(
            f"equivariance of {name}: {len(group.transforms) + 1} rollouts of {n_short} steps"
        )
        base = rollout(model, truth.history, n_short, **kwargs).frames  # type: ignore[arg-type]
        assert base is not None
        gaps = []
        for transform in group.transforms:
            moved = rollout(model, group.apply(transform, truth.history), n_short, **kwargs).frames  # type: ignore[arg-type]
            assert moved is not None
            expected = group.apply(transform, base)
            target = group.apply(transform, truth.truth[:, :n_short]).to(moved.dtype)
            variance = target.var(dim=(-4, -3, -2), unbiased=False)  # [B, K_e, C]
            squared = (moved - expected).square().mean(dim=(-4, -3, -2))
            gaps.append(torch.sqrt(squared / variance).to("cpu", torch.float64))
        record = EquivarianceRecord(
            transforms=[t.name for t in group.transforms],
            gap=torch.stack(gaps),
            forward_passes=(len(group.transforms) + 1) * n_short,
        )
        if diag.equivariance_orbit and group.rotations:
            base_basins = self.measures(name).final_basins
            record.base_basins = base_basins
            n_steps = self.window.n_steps
            final: dict[str, torch.Tensor] = {}

            def keep_last(step: int, frame: torch.Tensor) -> None:
                if step == n_steps:
                    final["frame"] = frame.clone()

            for transform in group.rotations:
                self._say(
                    f"equivariance of {name}: the basin of the input turned by {transform.name}"
                )
                rollout(
                    model,
                    group.apply(transform, truth.history),
                    n_steps,
                    on_step=keep_last,
                    keep_frames=False,
                    **kwargs,  # type: ignore[arg-type]
                )
                turned = group.apply(transform, truth.truth[:, -1]).to(final["frame"].dtype)
                amplification = final["frame"].var(dim=(-4, -3, -2), unbiased=False) / turned.var(
                    dim=(-4, -3, -2), unbiased=False
                )
                labels = basin_names(
                    basin_label(
                        amplification, layout=self.layout, tau=self.settings.thresholds.basin_tau
                    ),
                    layout=self.layout,
                )
                record.orbit[transform.name] = list(labels)
                record.expected[transform.name] = [group.basin(transform, b) for b in base_basins]
                record.forward_passes += n_steps
        self._equivariance[name] = record
        return record

    # -- the basin map ---------------------------------------------------------------------------
    def basin_map(self, name: str) -> list[dict[str, object]]:
        """For each configured start frame (``starts``) and trajectory: the final basin of a
        rollout from that window, the onset of its variance blow-up, the basins and the spread
        (max VRMSE against the unperturbed rollout at K) of the perturbed rollouts. Windows
        that do not fit the trajectories are left out with a note."""
        if name in self._basin_maps:
            return self._basin_maps[name]
        rows: list[dict[str, object]] = []
        model = self.model(name)
        n_history = self.n_history(name)
        diag = self.diagnostics
        for start in self.settings.starts or ():
            window = Window(start, self.window.n_steps)
            try:
                window.check(n_history, self.data.n_time)
            except DataError as exc:
                rows.append({"start": start, "skipped": str(exc)})
                continue
            pairs = [self.data.read_window(t, window, n_history) for t in self.trajectories]
            history = torch.stack([h for h, _ in pairs]).to(self.device)
            truth = torch.stack([k for _, k in pairs]).to(self.device)
            truth_record = TruthRecord.compute(truth, self.layout, diag, history=history)

            self._say(f"basin map of {name}: window starting at frame {start}")
            truth_window = TruthWindow(history, truth, truth_record)
            base = self._window_rollout(model, window, truth_window, 0.0, None, None)
            perturbed = [
                self._window_rollout(
                    model, window, truth_window, diag.noise_eps, diag.seed + 1 + i, base.frames
                )
                for i in range(diag.n_perturbations)
            ]
            thresholds, spectral = self.settings.thresholds, self.spectral_range(name)
            m = Measures(base, truth_record, self.layout, thresholds, spectral)
            others = [
                Measures(r, truth_record, self.layout, thresholds, spectral) for r in perturbed
            ]
            for i, t in enumerate(self.trajectories):
                blow = m.blow_up(i)
                spreads = [
                    float(r.vs_reference_vrmse[i, -1])
                    for r in perturbed
                    if r.vs_reference_vrmse is not None
                ]
                rows.append(
                    {
                        "start": start,
                        "trajectory": t,
                        "basin": m.final_basins[i],
                        "onset": blow.onset if blow.happened else None,
                        "perturbed_basins": [o.final_basins[i] for o in others],
                        "spread": max(spreads) if spreads else None,
                    }
                )
        self._basin_maps[name] = rows
        return rows

    def _record_builder(
        self,
        truth: TruthWindow,
        reference: torch.Tensor | None,
        *,
        keep_frames: bool,
        reference_variance: torch.Tensor | None = None,
    ) -> RecordBuilder:
        """The streaming record of one rollout of ``truth``'s window (against ``reference``
        frames for a variant)."""
        return RecordBuilder(
            truth.truth,
            self.layout,
            self.diagnostics,
            truth_record=truth.record,
            reference=reference,
            reference_variance=reference_variance,
            previous=truth.history[:, -1],
            keep_frames=keep_frames,
        )

    def _window_rollout(
        self,
        model: Surrogate,
        window: Window,
        truth: TruthWindow,
        noise: float,
        noise_seed: int | None,
        reference: torch.Tensor | None,
    ) -> DiagnosticRecord:
        """One rollout of another window, streamed into its record (not cached)."""
        diag = self.diagnostics
        builder = self._record_builder(
            truth, reference, keep_frames=reference is None and diag.n_perturbations > 0
        )
        result = rollout(
            model,
            truth.history,
            window.n_steps,
            device=self.device,
            dtype=DTYPES[self.settings.dtype],
            seed=diag.seed,
            noise=noise,
            noise_seed=noise_seed,
            on_step=builder,
            keep_frames=False,
            start_frame=window.first,
            trajectories=self.trajectories,
        )
        return builder.finish(result.first_nonfinite_step)

    # -- checks ----------------------------------------------------------------------------------
    def truth_record(self, name: str) -> TruthRecord:
        """The truth's record for the model's history length."""
        return self.truth(self.n_history(name)).record

    def measures(self, name: str, variant: str = "base") -> Measures:
        """The derived numbers of a model's rollout against the truth."""
        return Measures(
            self.record(name, variant),
            self.truth_record(name),
            self.layout,
            self.settings.thresholds,
            self.spectral_range(name),
        )

    def context(self, name: str) -> CheckContext:
        n_history = self.n_history(name)
        base = self.record(name, "base")
        float64 = float64_skip = None
        if self.needs("float64"):
            float64_skip = self.precision_skip(name)
            if float64_skip is None:
                float64 = self.record(name, "float64")
        perturbed = None
        if self.needs("perturbed") and self.settings.diagnostics.n_perturbations > 0:
            perturbed = [
                self.record(name, f"noise{i}")
                for i in range(self.settings.diagnostics.n_perturbations)
            ]
        equivariance = equivariance_skip = None
        if self.needs("equivariance"):
            equivariance_skip = self.equivariance_skip(name)
            if equivariance_skip is None:
                equivariance = self.equivariance(name)
        return CheckContext(
            model=name,
            trajectories=self.trajectories,
            layout=self.layout,
            thresholds=self.settings.thresholds,
            truth=self.truth(n_history).record,
            base=base,
            float64=float64,
            float64_skip=float64_skip,
            perturbed=perturbed,
            noise_eps=self.settings.diagnostics.noise_eps,
            divergence_method=self.settings.diagnostics.divergence_method,
            spectral=self.spectral_range(name),
            equivariance=equivariance,
            equivariance_skip=equivariance_skip,
        )

    def results(self, name: str) -> list[CheckResult]:
        """The results of a model's checks (computed once; a model whose rollout raised raises
        the same ``ModelRunError`` for each of its results, without running again)."""
        if name in self._failures:
            raise self._failures[name]
        if name not in self._results:
            try:
                self._results[name] = run_checks(self.context(name), self.settings.checks)
            except PhyscheckError as exc:
                self._failures[name] = exc
                raise
            except Exception as exc:  # the model's own code, or a check on its output
                wrapped = ModelRunError.wrap(name, exc)
                wrapped.__cause__ = exc
                self._failures[name] = wrapped
                raise wrapped from exc
        return self._results[name]

    def result(
        self, check: str, name: str, trajectory: int | None, channel: str | None = None
    ) -> CheckResult:
        for r in self.results(name):
            if r.check == check and r.trajectory == trajectory and r.channel == channel:
                return r
        raise KeyError(f"no result for {test_id(check, name, trajectory, channel)}")
