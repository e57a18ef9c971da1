"""What a suite's rollouts start from (``Inputs``): the data (checked against the
``manifest`` setting), its dataset profile, field layout and symmetries, the device, the window and
trajectories, the models, and the history and truth of the window; plus the torch dtype of
each precision setting and the device a run (or a parallel worker) uses.

Layouts: histories ``[B, T, *S, C]``, truth windows ``[B, K, *S, C]`` (B: the configured
trajectories, T: history frames, K: the window's steps, S: the profile's spatial axes, ``X, Y,
Z`` for MHD, C: the data's channels).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import torch

from physcheck import timing
from physcheck.checks.measures import SpectralRange
from physcheck.config import DiagnosticSettings, ModelSpec, Settings
from physcheck.data.remote import is_remote, local_path
from physcheck.data.well import WellData, open_dataset
from physcheck.data.windows import Window
from physcheck.diagnostics.symmetry import SymmetryGroup
from physcheck.errors import ConfigError, DataError
from physcheck.fields import FieldLayout
from physcheck.models import Surrogate, load
from physcheck.models.saved import SavedRollouts
from physcheck.profiles import Profile, profile_for
from physcheck.records import TruthRecord

#: the torch dtype of each ``dtype`` / ``reference_dtype`` setting
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}


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

    history: torch.Tensor  # [B, T, *S, C]
    truth: torch.Tensor  # [B, K, *S, C]
    record: TruthRecord


def require_manifest(source: str | Path, manifest: str, *, split: str, rootdir: Path) -> None:
    """Raise :class:`DataError` naming every difference between the data at ``source`` (its
    ``split`` when it is a dataset dir) and ``manifest``: a shipped name, ``auto`` (the data's
    ``dataset_name``) or a JSON file (relative to ``rootdir``, like the data setting)."""
    from physcheck.data.manifest import manifest_for, verify_manifest

    chosen = manifest
    if (manifest.endswith(".json") or "/" in manifest) and not is_remote(manifest):
        path = Path(manifest)
        chosen = str(path if path.is_absolute() else rootdir / path)
    body = manifest_for(source, chosen, [split])
    differences = verify_manifest(source, body, splits=[split])
    if differences:
        raise DataError(
            f"the data at {source} do not match the manifest {manifest} "
            f"({len(differences)} difference{'s' if len(differences) != 1 else ''}):\n  "
            + "\n  ".join(differences)
        )


def data_source(settings: Settings, rootdir: Path) -> str | Path:
    """The data setting as a URL or an absolute path (relative paths start at ``rootdir``;
    the default set of the named profile, or physcheck's, built on first use, when none is
    given)."""
    if settings.data and is_remote(settings.data):
        return settings.data
    if settings.data:
        path = Path(local_path(settings.data))
        return path if path.is_absolute() else rootdir / path
    from physcheck.datasets import default_dataset, default_name

    return default_dataset(splits=(settings.split,), name=default_name(settings.profile))


class Inputs:
    """The inputs of a run's rollouts, each loaded or computed once. ``rootdir``: where
    relative paths in the settings start; ``worker``: the index of a parallel worker (one GPU
    each)."""

    def __init__(self, settings: Settings, *, rootdir: Path, worker: int | None = None) -> None:
        self.settings = settings
        self.rootdir = rootdir
        self.worker = worker
        self._models: dict[str, Surrogate] = {}
        #: models the run reads besides its configured ones (``add_model``)
        self._added: dict[str, ModelSpec] = {}
        self._truth: dict[int, TruthWindow] = {}

    # -- the data --------------------------------------------------------------------------------
    @cached_property
    def data(self) -> WellData:
        """The configured split of the data, refused first when it differs from the manifest."""
        source = data_source(self.settings, self.rootdir)
        if self.settings.manifest:  # refuse data that differ from the manifest before any use
            require_manifest(
                source, self.settings.manifest, split=self.settings.split, rootdir=self.rootdir
            )
        return open_dataset(source, split=self.settings.split, timeout=self.settings.timeout)

    @cached_property
    def profile(self) -> Profile:
        """The data's profile: the ``profile`` setting's, else the one listing the data's
        ``dataset_name``, else the one with its channels, else the generic one built from the
        data's metadata (``physcheck.profiles.profile_for``)."""
        data, named = self.data, self.settings.profile
        return profile_for(data.name, data.field_names, named=named, generic=data.generic_profile())

    @cached_property
    def layout(self) -> FieldLayout:
        """Where each field's components sit in the channel axis: the profile's channels and
        spatial dimensions (the data's, once ``preflight.validate`` has compared them), with the
        guide axis where the profile has a guide field."""
        return FieldLayout.of(self.profile, self.settings.guide_axis)

    @cached_property
    def symmetries(self) -> SymmetryGroup:
        """The dataset's symmetries, the profile's group (``Profile.symmetries``) on the data's
        grid: MHD's rotations about the guide axis (no quarter turns on a non-square
        perpendicular plane), reflections and shifts; shear_flow's shifts and reflections."""
        return SymmetryGroup.of(self.profile, self.layout, self.data.spatial_shape)

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

    # -- where and what rolls out ----------------------------------------------------------------
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
        """The configured trajectories' indices in the split (all of them by default)."""
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

    # -- the models ------------------------------------------------------------------------------
    def model_entry(self, name: str) -> ModelSpec:
        for entry in self.settings.models:
            if entry.name == name:
                return entry
        if name in self._added:
            return self._added[name]
        raise ConfigError(
            f"no model named {name!r}; configured: {[m.name for m in self.settings.models]}"
        )

    def model(self, name: str) -> Surrogate:
        """The model named ``name``, loaded once onto the device."""
        if name not in self._models:
            entry = self.model_entry(name)
            self._models[name] = load(entry, data=self.data, device=self.device, root=self.rootdir)
        return self._models[name]

    def provide_model(self, name: str, model: Surrogate) -> None:
        """Use an already loaded model for ``name`` (an executor's worker loads a checkpoint
        once for all its tasks)."""
        self._models[name] = model

    def add_model(self, entry: ModelSpec) -> None:
        """Read a model besides the configured ones (a baseline's saved rollouts): its records
        and results are had like theirs, but it is not one of the run's models."""
        if any(m.name == entry.name for m in self.settings.models):
            raise ConfigError(f"a model named {entry.name!r} is configured already")
        self._added[entry.name] = entry

    def saved(self, name: str) -> SavedRollouts | None:
        """The model's saved rollouts, when it is one (``--physcheck-predictions``)."""
        model = self.model(name)
        return model if isinstance(model, SavedRollouts) else None

    def n_history(self, name: str) -> int:
        """The history frames the model's rollouts start from."""
        return self.window.resolve_history(self.model(name).n_history)

    # -- the truth -------------------------------------------------------------------------------
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
            with timing.phase("diagnostics (truth)"):
                record = TruthRecord.compute(truth, self.layout, self.diagnostics, history=history)
            self._truth[n_history] = TruthWindow(history, truth, record)
        return self._truth[n_history]

    def _require_finite(self, trajectory: int, frames: torch.Tensor, start: int) -> None:
        """``frames [T + K, X, Y, Z, C]`` of one trajectory from frame ``start`` are finite,
        or a ``DataError`` names the first bad frame and its fields."""
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

    def truth_record(self, name: str) -> TruthRecord:
        """The truth's record for the model's history length."""
        return self.truth(self.n_history(name)).record

    def spectral_range(self, name: str) -> SpectralRange:
        """Where the perpendicular spectrum is judged (fit shells, band cutoff)."""
        return SpectralRange.of(int(self.truth_record(name).spectra.shape[-1]), self.diagnostics)


__all__ = [
    "TORCH_DTYPES",
    "Inputs",
    "TruthWindow",
    "data_source",
    "require_manifest",
    "resolve_device",
]
