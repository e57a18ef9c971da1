"""``Suite``: a run's inputs (data, models, window, truth), its rollout variants (batched or
one at a time, cached, or on an executor's workers), their records and the check results.
How it is used: ``physcheck.suite``'s docstring; the equivariance rollouts, the basin map and
export live in the modules of those names."""

from __future__ import annotations

import collections
import contextlib
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Protocol

import torch

import physcheck
from physcheck.cache import CacheWarning, RecordCache, cache_key
from physcheck.checks.context import CheckContext
from physcheck.checks.measures import Measures, SpectralRange
from physcheck.checks.result import CheckResult, test_id
from physcheck.checks.run import run_checks
from physcheck.config import DiagnosticSettings, ModelSpec, Settings, check_spec
from physcheck.data.remote import is_remote, local_path
from physcheck.data.well import WellData, file_identity, open_dataset
from physcheck.data.windows import Window
from physcheck.diagnostics.symmetry import SymmetryGroup
from physcheck.engine import RolloutResult, mark_nonfinite, noise_seed, relative_noise, rollout
from physcheck.errors import (
    ConfigError,
    DataError,
    ModelRunError,
    ModelSpecError,
    PhyscheckError,
    RolloutError,
)
from physcheck.fields import FieldLayout
from physcheck.formatting import step_line
from physcheck.models import Surrogate, load, model_hash, supports_precision
from physcheck.models.saved import SavedRollouts
from physcheck.profiles import Profile, profile_for, profile_names
from physcheck.records import (
    DiagnosticRecord,
    EquivarianceRecord,
    RecordBuilder,
    StreamedReference,
    TruthRecord,
)
from physcheck.suite.basin_map import basin_map_rows
from physcheck.suite.equivariance import equivariance_record, symmetry_rollouts
from physcheck.suite.export import export_rollouts
from physcheck.suite.inputs import TORCH_DTYPES, TruthWindow, require_manifest, resolve_device


class RolloutExecutor(Protocol):
    """Computes rollouts somewhere else (``physcheck.executor``: a Dask cluster):
    ``compute(suite, name, variants)`` returns each variant's record over the suite's
    trajectories, ``equivariance_rollouts(suite, name)`` what ``Suite.equivariance_rollouts``
    returns; both equal to what the suite would compute itself."""

    def compute(self, suite: Suite, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        ...

    def equivariance_rollouts(
        self, suite: Suite, name: str
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
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
        self.settings = settings
        self.executor = executor
        self.rootdir = Path(rootdir)
        self.worker = worker
        self.progress = progress
        self.rollout_counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.cache_hits: collections.Counter[tuple[str, str]] = collections.Counter()
        #: the batched rollouts run: (model, variants of its row blocks)
        self.batches: list[tuple[str, tuple[str, ...]]] = []
        #: the step after which a perturbed rollout repeated the base rollout and was copied,
        #: not computed (``--physcheck-early-stop``), per ``(model, variant)``
        self.rejoined: dict[tuple[str, str], int] = {}
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
        source = self._data_source()
        if self.settings.manifest:  # refuse data that differ from the manifest before any use
            require_manifest(
                source, self.settings.manifest, split=self.settings.split, rootdir=self.rootdir
            )
        return open_dataset(source, split=self.settings.split, timeout=self.settings.timeout)

    def _data_source(self) -> str | Path:
        """The data setting as a URL or an absolute path (the default set, built on first use,
        when none is given)."""
        if self.settings.data and is_remote(self.settings.data):
            return self.settings.data
        if self.settings.data:
            path = Path(local_path(self.settings.data))
            return path if path.is_absolute() else self.rootdir / path
        from physcheck.datasets import default_dataset

        return default_dataset(splits=(self.settings.split,))

    @cached_property
    def profile(self) -> Profile:
        """The data's profile: the ``profile`` setting's, else the one listing the data's
        ``dataset_name``, else the one with its channels (``physcheck.profiles.profile_for``)."""
        return profile_for(self.data.name, self.data.field_names, named=self.settings.profile)

    @cached_property
    def layout(self) -> FieldLayout:
        """The profile's channels and spatial dimensions (the data's, once ``validate`` has
        compared them), with the guide axis where the profile has a guide field."""
        return FieldLayout.of(self.profile, self.settings.guide_axis)

    @cached_property
    def device(self) -> torch.device:
        return resolve_device(self.settings.device, worker=self.worker)

    @property
    def batching(self) -> bool:
        """Whether variants run as one batch (``batch`` setting; ``auto``: on CUDA only)."""
        if self.settings.batch_variants is not None:
            return self.settings.batch_variants
        return self.device.type == "cuda"

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
            self._models[name] = load(entry, data=self.data, device=self.device, root=self.rootdir)
        return self._models[name]

    def provide_model(self, name: str, model: Surrogate) -> None:
        """Use an already loaded model for ``name`` (an executor's worker loads a checkpoint
        once for all its tasks)."""
        self._models[name] = model

    def saved(self, name: str) -> SavedRollouts | None:
        """The model's saved rollouts, when it is one (``--physcheck-predictions``)."""
        model = self.model(name)
        return model if isinstance(model, SavedRollouts) else None

    def n_history(self, name: str) -> int:
        return self.window.resolve_history(self.model(name).n_history)

    def validate(self, name: str) -> None:
        """Everything about a model and the data that can be known before any rollout: the
        data fit their profile (its channels, in order, and its spatial dimensions), the window
        fits the trajectories and the model's history, and one step of the model on one
        trajectory returns a frame of the data's shape. Raises ``DataError``,
        ``ModelSpecError`` or ``ModelRunError`` with one line."""
        data = self.data
        profile = self.profile
        differences = profile.differences(data.field_names, len(data.spatial_shape))
        if differences:
            how = (
                "named with --physcheck-profile"
                if self.settings.profile
                else f"found for data set {data.name!r}"
            )
            raise DataError(
                f"{data.files[0]}: the data do not fit the {profile.name} profile ({how}): "
                f"{'; '.join(differences)}; name the data's profile with --physcheck-profile "
                f"(known: {', '.join(profile_names())}) or register one "
                "(physcheck.profiles.register_profile)"
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
        saved = self.saved(name)
        if saved is not None:
            saved.check_window(self.window.first, self.window.n_steps, self.trajectories)
            return
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
                step_timeout=self.settings.step_timeout,
            )
        except PhyscheckError as exc:
            raise ModelSpecError(f"model {name!r}: {exc}") from None
        except (Exception, SystemExit) as exc:  # the model's own code (sys.exit included)
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
        """Whether a selected check that the profile can serve needs the ``float64``,
        ``perturbed`` or ``equivariance`` rollouts."""
        return any(
            variant in spec.needs and self.profile.missing(spec.requires) is None
            for spec in map(check_spec, self.settings.checks)
        )

    def variants(self, name: str) -> list[str]:
        """The rollouts the configured checks need for a model."""
        out = ["base"]
        if self.needs("float64") and self.precision_skip(name) is None:
            out.append("float64")
        if self.needs("perturbed") and self.perturbed_skip(name) is None:
            out += [f"noise{i}" for i in range(self.settings.diagnostics.n_perturbations)]
        return out

    def perturbed_skip(self, name: str) -> str | None:
        """Why the perturbed rollouts of a model cannot be had (saved rollouts without them,
        or made with other noise), ``None`` when they can."""
        saved = self.saved(name)
        if saved is None:
            return None
        diag = self.settings.diagnostics
        missing = [f"noise{i}" for i in range(diag.n_perturbations) if not saved.has(f"noise{i}")]
        if missing:
            return (
                f"the saved rollouts hold no perturbed rollout {', '.join(missing)} (export them "
                f"with physcheck export, or give NAME=PATH,noise0=PATH,...)"
            )
        if saved.noise_eps is not None and not math.isclose(
            float(saved.noise_eps), diag.noise_eps, rel_tol=1e-9
        ):
            return (
                f"the saved perturbed rollouts were made with input noise {saved.noise_eps}; "
                f"this run asks for {diag.noise_eps}: use --physcheck-noise {saved.noise_eps}"
            )
        if saved.seed is not None and int(saved.seed) != diag.seed:
            return (
                f"the saved perturbed rollouts were made with seed {saved.seed}; this run's "
                f"is {diag.seed}: set seed = {saved.seed} in [tool.physcheck]"
            )
        return None

    def precision_skip(self, name: str) -> str | None:
        saved = self.saved(name)
        if saved is not None:
            return saved.precision_skip
        reason = supports_precision(self.model(name))
        if reason:
            return reason
        if self.settings.dtype == self.settings.reference_dtype:
            return f"the base rollout already runs in {self.settings.reference_dtype}"
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
                "dtype": s.reference_dtype if variant == "float64" else s.dtype,
                # batched rows equal one-at-a-time rows only for a batch-invariant model
                "batched": self.batching and variant != "float64",
                "batch_rows": s.batch_rows,
                "early_stop": s.early_stop,
                "device": self.device.type,
                "diagnostics": repr(self.diagnostics),
                "guide_axis": s.guide_axis,
                "profile": self.profile.name,
                "keep_frames": self._keeps_frames(name),
                "versions": [physcheck.__version__, torch.__version__],
            }
        )

    def _keeps_frames(self, name: str) -> bool:
        return len(self.variants(name)) > 1

    def record(self, name: str, variant: str = "base") -> DiagnosticRecord:
        """The diagnostic record of one rollout variant of a model (computed once; the base
        and perturbed rollouts in one batch, see ``batch_group``)."""
        memo = (name, variant)
        if memo in self._records:
            return self._records[memo]
        group = self.batch_group(name, variant)
        n_history = self.n_history(name)
        # saved rollouts are read, not run: nothing to cache
        cached = self.cache is not None and self.saved(name) is None
        keys = {v: self._key(name, v, n_history) for v in group} if cached else {}
        with contextlib.ExitStack() as locks:
            if self.cache is not None and keys:
                try:
                    for key in sorted(set(keys.values())):
                        locks.enter_context(self.cache.lock(key))
                except OSError as exc:
                    self._drop_cache(exc)
                    keys = {}
            missing = []
            for v in group:
                found = self._cached(keys[v]) if keys else None
                if found is None:
                    missing.append(v)
                else:
                    self._records[(name, v)] = found
                    self.cache_hits[(name, v)] += 1
            if missing:
                for v, record in self._compute_variants(name, missing).items():
                    self._records[(name, v)] = record
                    if self.cache is not None and keys:
                        try:
                            self.cache.put(keys[v], *record.to_cache())
                        except Exception as exc:  # a full or read-only disk: only slower
                            self._drop_cache(exc)
        return self._records[memo]

    def _drop_cache(self, exc: BaseException) -> None:
        """Go on without the disk cache, after one warning: it is an optimisation, and a cache
        that cannot be written (a read-only or full disk) must not fail the models."""
        if self.cache is None:
            return
        reason = getattr(exc, "strerror", None) or f"{type(exc).__name__}: {exc}"
        warnings.warn(
            f"physcheck: the rollout cache {self.cache.directory} cannot be used ({reason}); "
            "the run goes on without it (--physcheck-no-cache to say so, or point "
            "cache_dir at a writable place)",
            CacheWarning,
            stacklevel=2,
        )
        self.cache = None

    def batch_group(self, name: str, variant: str) -> list[str]:
        """The variants computed together with ``variant``: with batching on (on CUDA by default),
        the base rollout and the perturbed ones not yet computed run as one batch of
        (1 + n_perturbations) x trajectories rows; the float64 twin, saved rollouts and
        ``--physcheck-batch off`` go one at a time. With an executor, every variant not yet
        computed goes at once."""
        if self.saved(name) is not None:
            return [variant]
        if self.executor is not None:  # every variant at once: they run in parallel
            missing = [v for v in self.variants(name) if (name, v) not in self._records]
            return missing if variant in missing else [variant]
        if not self.batching or variant == "float64":
            return [variant]
        group = [v for v in self.variants(name) if v == "base" or v.startswith("noise")]
        group = [v for v in group if (name, v) not in self._records]
        return group if variant in group else [variant]

    def _compute_variants(self, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        if self.executor is not None and self.saved(name) is None:
            return self.executor.compute(self, name, variants)
        if len(variants) == 1:
            return {variants[0]: self._compute(name, variants[0])}
        return self._compute_batch(name, variants)

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

    def _compute(self, name: str, variant: str) -> DiagnosticRecord:
        """One variant's record, rolled out (or read) on its own."""
        truth = self.truth(self.n_history(name))
        # variants compare with the base rollout's kept (float32) frames; their variances are
        # computed from those frames, as in a batch (``_compute_batch``)
        reference = self.record(name, "base").frames if variant != "base" else None
        builder = self._record_builder(
            truth, reference, keep_frames=variant == "base" and self._keeps_frames(name)
        )
        follow = (
            self._follow(reference)
            if reference is not None and variant.startswith("noise")
            else None
        )
        return builder.finish(self._run_variant(name, variant, builder, follow=follow))

    def _compute_batch(
        self,
        name: str,
        variants: list[str],
        *,
        window: Window | None = None,
        truth: TruthWindow | None = None,
    ) -> dict[str, DiagnosticRecord]:
        """The base rollout (when among ``variants``) and perturbed ones as one rollout of
        ``len(variants) x B`` rows: row block j holds variant j's inputs, perturbed exactly as
        its own rollout would be (``relative_noise`` draws per trajectory), so each block's
        frames and records equal the one-at-a-time ones wherever the model's step is
        batch-invariant (tested). The perturbed blocks compare with the base block at each step
        (``StreamedReference``), or with the base record's kept frames. ``window``/``truth``:
        another window than the run's (the basin map's; nothing counted or kept)."""
        model = self.model(name)
        main = window is None
        window = window or self.window
        truth = truth or self.truth(self.n_history(name))
        diag, dtype = self.diagnostics, TORCH_DTYPES[self.settings.dtype]
        rows = list(self.trajectories)
        n_traj = len(rows)
        # the engine keeps the model's last n_history frames; noise is drawn on exactly those
        history = truth.history[:, -model.n_history :].to(device=self.device, dtype=dtype)
        blocks = []
        for v in variants:
            if v == "base":
                blocks.append(history)
            else:
                seed = noise_seed(diag.seed, int(v[len("noise") :]))
                blocks.append(history + relative_noise(history, diag.noise_eps, seed, rows))
        reference: torch.Tensor | StreamedReference | None
        reference = StreamedReference() if "base" in variants else self.record(name, "base").frames
        builders = {
            v: self._record_builder(
                truth,
                None if v == "base" else reference,
                keep_frames=main and v == "base" and self._keeps_frames(name),
            )
            for v in variants
        }
        n_steps = window.n_steps
        leaders, follow = self._followers(variants, n_traj, reference)
        label = " + ".join(variants)
        self._say(
            f"rolling out {name} ({label} batched: {len(variants) * n_traj} rows x {n_steps} steps, "
            f"{dtype}, {self.device})"
        )
        started = time.perf_counter()
        every = max(1, n_steps // 5)

        def on_step(step: int, frame: torch.Tensor) -> None:
            for j, v in enumerate(variants):
                part = frame[j * n_traj : (j + 1) * n_traj]
                if v == "base" and isinstance(reference, StreamedReference):
                    reference.put(step, part)
                builders[v](step, part)
            if self.progress is not None and step % every == 0 and step < n_steps:
                elapsed = time.perf_counter() - started
                self._say(step_line(name, label, step, n_steps, elapsed))

        result = self.roll_out(
            name,
            torch.cat(blocks),
            n_steps,
            first=window.first,
            rows=rows * len(variants),
            dtype=dtype,
            on_step=on_step,
            leaders=leaders,
            follow=follow,
        )
        first_bad = result.first_nonfinite_step.view(len(variants), n_traj)
        out = {v: builders[v].finish(first_bad[j]) for j, v in enumerate(variants)}
        if main:
            self.batches.append((name, tuple(variants)))
            perturbed = [v for v in variants if v != "base"]
            self._note_rejoined(name, perturbed, result.rejoined_at)
            for v in variants:
                self.rollout_counts[(name, v)] += 1
        self._say(f"rolled out {name} ({label}) in {time.perf_counter() - started:.1f} s")
        return out

    def _followers(
        self,
        variants: list[str],
        n_traj: int,
        reference: torch.Tensor | StreamedReference | None,
    ) -> tuple[list[int | None] | None, Callable[[int], torch.Tensor] | None]:
        """How the rows of a batch of ``variants`` (blocks of ``n_traj`` rows) follow the base
        rollout for ``--physcheck-early-stop``: ``leaders`` (the base block of the same batch)
        or ``follow`` (the base record's kept frames), as ``engine.rollout`` takes them."""
        if not self.settings.early_stop or variants == ["base"]:
            return None, None
        if "base" in variants:
            first = variants.index("base") * n_traj
            return [
                None if v == "base" else first + i for v in variants for i in range(n_traj)
            ], None
        if not isinstance(reference, torch.Tensor):
            return None, None
        return None, self._follow(reference, blocks=len(variants))

    def _follow(
        self, frames: torch.Tensor, *, blocks: int = 1
    ) -> Callable[[int], torch.Tensor] | None:
        """The base rollout's kept frames ``[B, K, X, Y, Z, C]`` as ``engine.rollout``'s
        ``follow`` for ``blocks`` perturbed rollouts stacked row-wise (``None`` with
        ``--physcheck-early-stop off``)."""
        if not self.settings.early_stop:
            return None

        def follow(step: int) -> torch.Tensor:
            frame = frames[:, step - 1]
            return frame if blocks == 1 else frame.repeat(blocks, *([1] * (frame.ndim - 1)))

        return follow

    def _note_rejoined(self, name: str, variants: list[str], step: int | None) -> None:
        if step is None or step >= self.window.n_steps or not variants:
            return
        for v in variants:
            self.rejoined[(name, v)] = step
        self._say(
            f"  {name} ({', '.join(variants)}): every trajectory rejoined the base rollout at step "
            f"{step}; steps {step + 1}-{self.window.n_steps} repeat it (copied, not computed)"
        )

    def compute_group(self, name: str, variants: list[str]) -> dict[str, DiagnosticRecord]:
        """Records computed here, as an executor's worker does for one task (see
        ``task_groups``): the base rollout with perturbed ones (one batch; one after the other
        with ``--physcheck-batch off``), or the twin after the base."""
        if variants == ["float64"]:
            base = self._compute(name, "base")
            self._records[(name, "base")] = base
            return {"float64": self._compute(name, "float64")}
        if self.batching and len(variants) > 1:
            return self._compute_batch(name, variants)
        out = {}
        for variant in variants:  # the base first: the others compare with it
            out[variant] = self._compute(name, variant)
            if variant == "base":
                self._records[(name, "base")] = out[variant]
        return out

    @staticmethod
    def task_groups(variants: list[str]) -> list[list[str]]:
        """How an executor splits a model's variants into tasks (per trajectory): the base
        with the perturbed rollouts (one batch), and the twin (which recomputes the base to
        compare with). A perturbed rollout without the base in the group gets it added."""
        batch = [v for v in variants if v != "float64"]
        if batch and "base" not in batch:
            batch = ["base", *batch]
        groups = [batch] if batch else []
        if "float64" in variants:
            groups.append(["float64"])
        return groups

    def roll_out(
        self,
        name: str,
        history: torch.Tensor,
        n_steps: int,
        *,
        first: int | None = None,
        rows: list[int] | None = None,
        dtype: torch.dtype | None = None,
        noise: float = 0.0,
        noise_seed: int | None = None,
        on_step: Callable[[int, torch.Tensor], None] | None = None,
        keep_frames: bool = False,
        leaders: list[int | None] | None = None,
        follow: Callable[[int], torch.Tensor] | None = None,
    ) -> RolloutResult:
        """``engine.rollout`` of model ``name`` from ``history [B, T, X, Y, Z, C]``, as every
        rollout of a run goes: on the run's device, seeded with its seed, with the model's
        per-step hooks (``+projection``), at most ``batch_rows`` rows per forward pass, from
        frame ``first`` (default: the window's first) of dataset trajectories ``rows`` (default:
        the run's), in ``dtype`` (default: the run's). The other keywords are the engine's."""
        return rollout(
            self.model(name),
            history,
            n_steps,
            device=self.device,
            dtype=dtype or TORCH_DTYPES[self.settings.dtype],
            seed=self.diagnostics.seed,
            hooks=self._hooks(self.model_entry(name).projection),
            noise=noise,
            noise_seed=noise_seed,
            on_step=on_step,
            keep_frames=keep_frames,
            start_frame=self.window.first if first is None else first,
            trajectories=self.trajectories if rows is None else rows,
            batch_size=self.settings.batch_rows,
            leaders=leaders,
            follow=follow,
            step_timeout=self.settings.step_timeout,
        )

    def _hooks(self, projection: bool) -> list[Callable[[torch.Tensor], torch.Tensor]]:
        """Per-step hooks of a model's rollouts (the div B projection of ``+projection``)."""
        if not projection:
            return []
        from physcheck.diagnostics import project_state

        layout, spacing = self.layout, self.diagnostics.spacing
        return [lambda frame: project_state(frame, layout=layout, spacing=spacing)]

    def _run_variant(
        self,
        name: str,
        variant: str,
        on_frame: Callable[[int, torch.Tensor], None],
        *,
        follow: Callable[[int], torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Roll out (or, for saved rollouts, read) one variant of a model over the window,
        streaming each frame ``[B, X, Y, Z, C]`` to ``on_frame(step, frame)``; returns the
        first non-finite step per trajectory (``[B]``, K + 1 where finite). ``follow``: the
        base rollout's frame at a step, which a perturbed rollout that has rejoined it repeats
        (``engine.rollout``)."""
        saved = self.saved(name)
        if saved is not None:
            return self._read_variant(name, saved, variant, on_frame)
        truth = self.truth(self.n_history(name))
        diag = self.diagnostics
        dtype = TORCH_DTYPES[self.settings.dtype]
        noise, seed = 0.0, None
        if variant == "float64":  # the twin, in the reference precision
            dtype = TORCH_DTYPES[self.settings.reference_dtype]
        elif variant.startswith("noise"):
            noise, seed = diag.noise_eps, noise_seed(diag.seed, int(variant[len("noise") :]))
        started = time.perf_counter()
        n_steps = self.window.n_steps
        shape = f"{truth.history.shape[0]} trajectories x {n_steps} steps"
        self._say(f"rolling out {name} ({variant}, {shape}, {dtype}, {self.device})")
        every = max(1, n_steps // 5)

        def on_step(step: int, frame: torch.Tensor) -> None:
            on_frame(step, frame)
            if step % every == 0 and step < n_steps:
                elapsed = time.perf_counter() - started
                self._say(step_line(name, variant, step, n_steps, elapsed))

        result = self.roll_out(
            name,
            truth.history,
            n_steps,
            dtype=dtype,
            noise=noise,
            noise_seed=seed,
            on_step=on_step if self.progress is not None else on_frame,
            follow=follow,
        )
        self._note_rejoined(name, [variant], result.rejoined_at)
        self.rollout_counts[(name, variant)] += 1
        self._say(f"rolled out {name} ({variant}) in {time.perf_counter() - started:.1f} s")
        return result.first_nonfinite_step

    def _read_variant(
        self,
        name: str,
        saved: SavedRollouts,
        variant: str,
        on_frame: Callable[[int, torch.Tensor], None],
    ) -> torch.Tensor:
        """Stream a saved rollout's frames as a rollout would; the first non-finite step per
        trajectory as the engine records it."""
        n_steps = self.window.n_steps
        self._say(f"reading {name} ({variant}) from {saved.weight_files[0].name}")
        frames = saved.frames(variant, self.trajectories, n_steps).to(self.device)
        first_bad = torch.full(
            (frames.shape[0],), n_steps + 1, dtype=torch.int64, device=self.device
        )
        for step in range(1, n_steps + 1):
            frame = frames[:, step - 1]
            first_bad, _ = mark_nonfinite(first_bad, frame, step)
            on_frame(step, frame)
        return first_bad

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
        saved = self.saved(name)
        if saved is not None:
            if saved.equivariance_skip:
                return saved.equivariance_skip
            missing = [v for v in self._equivariance_variants() if not saved.has(v)]
            if missing:
                return (
                    f"the saved rollouts hold no rollouts of transformed inputs ({', '.join(missing)}; "
                    "export them with physcheck export)"
                )
            return None
        reason = getattr(self.model(name), "equivariance_skip", None)
        return str(reason) if reason else None

    def equivariance_tier(self, name: str) -> str:
        """``exact`` when the model declares ``equivariant = True`` (equivariant by
        construction), else ``approximate`` (see ``physcheck.checks.symmetry``)."""
        saved = self.saved(name)
        if saved is not None:
            return "exact" if saved.equivariant else "approximate"
        return "exact" if getattr(self.model(name), "equivariant", False) is True else "approximate"

    def _equivariance_variants(self) -> list[str]:
        """The rollouts the equivariance check needs besides the base one: a short rollout of
        the input (``equivariance:identity``) and of each transformed input, and the last frame
        of a full rollout of each rotated input (``orbit:T``)."""
        group = self.symmetries
        out = ["equivariance:identity"] + [f"equivariance:{t.name}" for t in group.transforms]
        if self.diagnostics.equivariance_orbit:
            out += [f"orbit:{t.name}" for t in group.rotations]
        return out

    def equivariance_rollouts(
        self, name: str
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """``(short rollout of the input [B, K_e, ...], {transform: short rollout of the
        transformed input}, {rotation: last frame [B, X, Y, Z, C] of the rotated input's full
        rollout})``, rolled out (on the executor's workers where there is one) or read from
        saved rollouts (``physcheck.suite.equivariance``)."""
        if self.executor is not None and self.saved(name) is None:
            return self.executor.equivariance_rollouts(self, name)
        return symmetry_rollouts(self, name)

    def equivariance(self, name: str) -> EquivarianceRecord:
        """The equivariance gaps of a model, computed once (``physcheck.suite.equivariance``)."""
        if name not in self._equivariance:
            self._equivariance[name] = equivariance_record(self, name)
        return self._equivariance[name]

    # -- the basin map ---------------------------------------------------------------------------
    def basin_map(self, name: str) -> list[dict[str, object]]:
        """For each configured start frame (``starts``) and trajectory: the final basin, the
        blow-up onset, the perturbed basins and the spread, computed once
        (``physcheck.suite.basin_map``)."""
        if name not in self._basin_maps:
            self._basin_maps[name] = basin_map_rows(self, name)
        return self._basin_maps[name]

    def _record_builder(
        self,
        truth: TruthWindow,
        reference: torch.Tensor | StreamedReference | None,
        *,
        keep_frames: bool,
    ) -> RecordBuilder:
        """The streaming record of one rollout of ``truth``'s window (against ``reference``
        frames for a variant)."""
        return RecordBuilder(
            truth.truth,
            self.layout,
            self.diagnostics,
            truth_record=truth.record,
            reference=reference,
            previous=truth.history[:, -1],
            keep_frames=keep_frames,
        )

    # -- export ----------------------------------------------------------------------------------
    def export(self, name: str, path: str | Path) -> Path:
        """Write the rollouts of a model that the selected checks need to a prediction file
        (``physcheck.suite.export``)."""
        return export_rollouts(self, name, path)

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
        perturbed_skip = self.perturbed_skip(name) if self.needs("perturbed") else None
        if (
            self.needs("perturbed")
            and perturbed_skip is None
            and self.settings.diagnostics.n_perturbations > 0
        ):
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
            precisions=(self.settings.dtype, self.settings.reference_dtype),
            perturbed=perturbed,
            perturbed_skip=perturbed_skip,
            noise_eps=self.settings.diagnostics.noise_eps,
            divergence_method=self.settings.diagnostics.divergence_method,
            spectral=self.spectral_range(name),
            equivariance=equivariance,
            equivariance_skip=equivariance_skip,
            equivariance_tier=self.equivariance_tier(name),
            profile=self.profile,
        )

    def results(self, name: str) -> list[CheckResult]:
        """The results of a model's checks (computed once; a model whose rollout raised raises
        the same ``ModelRunError`` for each of its results, without running again)."""
        if name in self._failures:
            raise self._failures[name]
        if name not in self._results:
            try:
                self._results[name] = run_checks(self.context(name), self.settings.checks)
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

    def result(
        self, check: str, name: str, trajectory: int | None, channel: str | None = None
    ) -> CheckResult:
        for r in self.results(name):
            if r.check == check and r.trajectory == trajectory and r.channel == channel:
                return r
        raise KeyError(f"no result for {test_id(check, name, trajectory, channel)}")
