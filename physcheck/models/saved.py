"""Rollouts computed elsewhere, gated like a model: ``--physcheck-predictions NAME=PATH``.

``SavedRollouts`` stands where a surrogate would: the suite reads its frames instead of
stepping it. The checks that need other rollouts of the model (``precision``: a float64
twin; ``basin_determinism``: perturbed rollouts; ``equivariance``: rollouts of transformed
inputs) read them from the file or from variant files, and skip with the reason where they
are missing. ``physcheck export`` writes all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from physcheck.config.saved_spec import SavedSpec, parse_saved
from physcheck.data.predictions import PredictionFile, open_predictions
from physcheck.data.remote import local_path
from physcheck.errors import DataError, ModelSpecError

if TYPE_CHECKING:
    from physcheck.config.model_kinds import ModelTarget


class SavedRollouts:
    """The saved rollouts of one model. ``n_history``, ``start_frame`` and ``trajectories``
    come from the file or the spec (the spec wins); ``variants`` maps each rollout the
    files hold (``base``, ``float64``, ``noiseN``, ``equivariance:T``, ``orbit:T``) to its file.
    """

    def __init__(self, spec: SavedSpec, *, data: Any = None, root: Path | None = None) -> None:
        self.spec = spec
        sources = tuple(data.infos[0].sources) if data is not None else ()
        self.field_names: tuple[str, ...] | None = tuple(data.field_names) if data is not None else None
        self.spatial_shape = tuple(data.spatial_shape) if data is not None else None

        def resolve(path: str) -> Path:
            p = Path(local_path(path)).expanduser()
            return p if p.is_absolute() or root is None else root / p

        self.base = open_predictions(resolve(spec.path), sources)
        self._files: dict[str, tuple[PredictionFile, str]] = {"base": (self.base, "")}
        for variant in self.base.variants:
            self._files[variant] = (self.base, variant)
        for variant, path in spec.variants.items():
            self._files[variant] = (open_predictions(resolve(path), sources), "")
        meta = self.base.meta
        start = spec.start if spec.start is not None else meta.get("start_frame")
        trajectories = spec.trajectories if spec.trajectories is not None else meta.get("trajectories")
        history = spec.history if spec.history is not None else meta.get("n_history", 1)
        what = f"saved rollouts {self.base.path}"
        if start is None:
            raise ModelSpecError(
                f"{what} do not record their start frame; give it: NAME={spec.path},start=N "
                "(the index of the first predicted frame in its trajectory)"
            )
        if trajectories is None:
            raise ModelSpecError(
                f"{what} do not record their trajectories; give them: "
                f"NAME={spec.path},trajectories=0-3 (the dataset index of each row)"
            )
        self.start_frame = _whole(what, "start_frame", start, low=0)
        if isinstance(trajectories, (str, bytes)) or not hasattr(trajectories, "__iter__"):
            trajectories = [trajectories]
        self.trajectories = tuple(_whole(what, "trajectories", t, low=0) for t in trajectories)
        self.n_history = _whole(what, "n_history", history, low=1)
        self.noise_eps = _optional_number(what, "noise_eps", meta.get("noise_eps"))
        seed = meta.get("seed")
        self.seed = None if seed is None else _whole(what, "seed", seed, low=0)
        self._check_files()

    @property
    def variants(self) -> list[str]:
        return sorted(self._files)

    @property
    def weight_files(self) -> list[Path]:
        """The files read (their contents make the model's hash)."""
        return sorted({f.path for f, _ in self._files.values()})

    @property
    def precision_skip(self) -> str | None:
        """Why there is no float64 twin (the model's own reason where the file records it)."""
        if "float64" in self._files:
            return None
        if self.base.meta.get("precision_skip"):
            return str(self.base.meta["precision_skip"])
        return (
            f"the saved rollouts {self.base.path.name} hold no float64 twin (export it with "
            "physcheck export, or give NAME=PATH,float64=PATH)"
        )

    def _check_files(self) -> None:
        n_rows = len(self.trajectories)
        for variant, (file, key) in self._files.items():
            shape = file.shapes[key]
            if shape[0] != n_rows:
                raise DataError(
                    f"{file.path}: the {variant} rollout has {shape[0]} rows; its trajectories "
                    f"{list(self.trajectories)} need {n_rows}"
                )
            if self.spatial_shape is not None and tuple(shape[2:-1]) != self.spatial_shape:
                raise DataError(
                    f"{file.path}: the {variant} rollout is on a {'x'.join(map(str, shape[2:-1]))} grid; "
                    f"the data's is {'x'.join(map(str, self.spatial_shape))}"
                )
            names = file.meta.get("field_names")
            if self.field_names is not None:
                if names is not None and tuple(names) != self.field_names:
                    raise DataError(
                        f"{file.path}: channels {', '.join(names)}; the data has "
                        f"{', '.join(self.field_names)} (in this order)"
                    )
                if shape[-1] != len(self.field_names):
                    raise DataError(
                        f"{file.path}: the {variant} rollout has {shape[-1]} channels; the data has "
                        f"{len(self.field_names)} ({', '.join(self.field_names)})"
                    )

    @property
    def equivariance_skip(self) -> str | None:
        """The model's own reason it cannot be judged for equivariance, where recorded."""
        reason = self.base.meta.get("equivariance_skip")
        return str(reason) if reason else None

    @property
    def equivariant(self) -> bool:
        """Whether the model that wrote the rollouts declared ``equivariant = True`` (judged in
        the equivariance check's exact tier)."""
        return bool(self.base.meta.get("equivariant"))

    def step(self, history: torch.Tensor) -> torch.Tensor:
        raise ModelSpecError(
            f"saved rollouts ({self.base.path}) cannot step; they are read, not run"
        )

    def has(self, variant: str) -> bool:
        return variant in self._files

    def steps_of(self, variant: str) -> int:
        file, key = self._files[variant]
        return int(file.shapes[key][1])

    def frames(self, variant: str, trajectories: Sequence[int], n_steps: int) -> torch.Tensor:
        """``[B, K, X, Y, Z, C]``: the first ``n_steps`` frames of a rollout for the given
        dataset trajectories (in their order). ``DataError`` when the files do not cover them."""
        if variant not in self._files:
            raise DataError(f"the saved rollouts {self.base.path} hold no {variant} rollout")
        self._require_trajectories(trajectories)
        available = self.steps_of(variant)
        if available < n_steps:
            raise DataError(
                f"saved rollouts {self.base.path}: the {variant} rollout has {available} steps; "
                f"the window needs {n_steps}"
            )
        file, key = self._files[variant]
        rows = [self.trajectories.index(t) for t in trajectories]
        return file.read(key, rows, n_steps)

    def _require_trajectories(self, trajectories: Sequence[int]) -> None:
        missing = [t for t in trajectories if t not in self.trajectories]
        if missing:
            raise DataError(
                f"saved rollouts {self.base.path} cover trajectories {list(self.trajectories)}; "
                f"{missing} are asked for: choose them with --physcheck-trajectories"
            )

    def check_window(self, first: int, n_steps: int, trajectories: Sequence[int]) -> None:
        """The files cover the window starting at frame ``first`` for ``n_steps`` steps of the
        given trajectories; else a ``DataError`` saying what they cover."""
        if first != self.start_frame:
            raise DataError(
                f"saved rollouts {self.base.path} start at frame {self.start_frame}; the window "
                f"starts at {first}: use --physcheck-window {self.start_frame}:{self.n_history}:{n_steps}"
            )
        self._require_trajectories(trajectories)
        if self.steps_of("base") < n_steps:
            raise DataError(
                f"saved rollouts {self.base.path} hold {self.steps_of('base')} steps; the window "
                f"needs {n_steps}: use --physcheck-window {first}:{self.n_history}:{self.steps_of('base')}"
            )


def load_saved(spec: str, *, data: Any = None, root: Path | None = None) -> SavedRollouts:
    """``SavedRollouts`` of a ``saved:PATH[,...]`` spec (relative paths from ``root``)."""
    return SavedRollouts(parse_saved(spec), data=data, root=root)


def from_spec(target: ModelTarget, **options: Any) -> SavedRollouts:
    """The ``saved`` model kind's loader (``options``: ``data``, ``root`` for relative paths)."""
    root = options.get("root")
    return SavedRollouts(
        target.arguments, data=options.get("data"), root=Path(root) if root is not None else None
    )


def _whole(what: str, key: str, raw: Any, *, low: int) -> int:
    """``raw`` as a whole number >= ``low``, or a ``ModelSpecError`` naming the file, the key
    and the value (a file's metadata is input like any other)."""
    try:
        value = float(raw)
        ok = value.is_integer() and value >= low
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ModelSpecError(
            f"{what}: metadata {key} = {raw!r} is not a whole number >= {low}; fix the file's "
            f"physcheck_{key} or give it in the spec (NAME=PATH,{_SPEC_KEYS.get(key, key)}=...)"
        )
    return int(value)


def _optional_number(what: str, key: str, raw: Any) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float("nan")
    if not value == value or value < 0:  # NaN or negative
        raise ModelSpecError(f"{what}: metadata {key} = {raw!r} is not a number >= 0")
    return value


#: the spec's name of each metadata key
_SPEC_KEYS = {"start_frame": "start", "n_history": "history", "trajectories": "trajectories"}


__all__ = ["SavedRollouts", "from_spec", "load_saved"]
