"""What a prediction file format is: a ``PredictionFormat`` class names its suffixes and opens
(``open`` -> ``PredictionFile``) and writes (``writer`` -> ``FormatWriter``) its files.
``ArrayFormat`` is the base of formats that hold whole arrays in memory (``load``/``save``).

Torch-free at import (numpy and torch load when a file is read or written), so the settings
can list the formats cheaply.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from physcheck.errors import DataError

if TYPE_CHECKING:
    import numpy as np
    import torch

#: where a channel lives in a Well file: (group, dataset, component or None)
Source = tuple[str, str, int | None]
#: a rollout's frames as they are written: ``(step, frame [B, X, Y, Z, C])``
Sink = Callable[[int, "torch.Tensor"], None]
#: reads the frames ``[B, K', X, Y, Z, C]`` of one rollout (``""``: the base one) for the steps ``k``
FrameReader = Callable[[str, slice], "np.ndarray"]
META_KEYS = (
    "start_frame",
    "trajectories",
    "n_history",
    "field_names",
    "data_files",
    "noise_eps",
    "seed",
    "precision_skip",
    "equivariance_skip",
    "equivariant",
)


@dataclass
class PredictionFile:
    """An opened prediction file: its metadata (``None`` where it does not record it) and the
    shape of each rollout it holds (``""`` is the base rollout)."""

    path: Path
    format: str
    meta: dict[str, Any]
    shapes: dict[str, tuple[int, ...]]
    sources: tuple[Source, ...] = ()
    _frames: FrameReader | None = field(default=None, repr=False)

    @property
    def variants(self) -> list[str]:
        """The other rollouts the file holds (not the base one)."""
        return sorted(v for v in self.shapes if v)

    def read(self, variant: str = "", rows: Sequence[int] | None = None, n_steps: int | None = None) -> torch.Tensor:
        """Frames ``[B, K, X, Y, Z, C]`` of one rollout (``""``: the base one), the given rows
        and the first ``n_steps`` steps."""
        import numpy as np
        import torch

        if variant not in self.shapes:
            raise DataError(f"{self.path}: holds no {variant or 'base'} rollout")
        assert self._frames is not None
        try:
            frames = self._frames(variant, slice(None, n_steps))
        except (OSError, KeyError) as exc:
            raise DataError(f"{self.path}: cannot read the {variant or 'base'} rollout ({exc})") from None
        out = torch.from_numpy(np.ascontiguousarray(frames))
        return out[list(rows)] if rows is not None else out


class FormatWriter(Protocol):
    """Writes one file at a temporary path: ``sink`` per rollout, then ``finish``; ``discard``
    releases what it holds when the write is abandoned. Errors propagate (the caller turns an
    ``OSError``/``RuntimeError`` into one line and removes the file)."""

    def sink(self, variant: str, shape: tuple[int, ...], stored: torch.dtype) -> Sink: ...

    def finish(self) -> None: ...

    def discard(self) -> None: ...


class PredictionFormat(ABC):
    """One file format of saved rollouts. ``name`` (``--physcheck-export-format``),
    ``suffixes`` (the first is what an export writes), ``note`` (said after the suffixes where
    messages list the formats)."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    note: ClassVar[str] = ""

    @classmethod
    def label(cls) -> str:
        """How messages name the format, e.g. ``.hdf5/.h5 (Well layout)``."""
        return "/".join(cls.suffixes) + (f" ({cls.note})" if cls.note else "")

    @abstractmethod
    def open(self, path: Path, sources: tuple[Source, ...]) -> PredictionFile:
        """The opened file; ``DataError`` naming it when it is unreadable or malformed."""

    @abstractmethod
    def writer(
        self, tmp: Path, meta: Mapping[str, Any], sources: tuple[Source, ...], spatial_dims: int
    ) -> FormatWriter:
        """A writer of the file at ``tmp`` (``meta``: the ``META_KEYS`` values)."""


class ArrayFormat(PredictionFormat):
    """A format that holds whole arrays: ``load`` a file's rollouts and metadata, ``save``
    them. Frames are checked here (floats ``[B, K, X, Y, Z, C]``), once for every such format."""

    @abstractmethod
    def load(self, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(rollouts, raw)``: each rollout's frames by variant (``""``: the base one, ``None``
        when missing) and the file's other entries (the metadata among them)."""

    @abstractmethod
    def save(self, tmp: Path, rollouts: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Write ``rollouts`` (by variant) and the given ``meta`` values to ``tmp``."""

    def open(self, path: Path, sources: tuple[Source, ...]) -> PredictionFile:
        import numpy as np

        try:
            arrays, raw = self.load(path)
        except DataError:
            raise
        except Exception as exc:  # zip, pickle-free torch or numpy errors: all mean a bad file
            raise DataError(f"{path}: not a readable {self.name} prediction file ({exc})") from None
        if arrays.get("") is None:
            raise DataError(f"{path}: holds no 'frames' array (the base rollout [B, K, *S, C])")
        meta = {k: plain(raw[k]) for k in META_KEYS if k in raw}
        shapes = {}
        for variant, array in list(arrays.items()):
            array = np.asarray(array)
            if not 4 <= array.ndim <= 6 or not np.issubdtype(array.dtype, np.floating):
                raise DataError(
                    f"{path}: the {variant or 'base'} rollout must be floats [B, K, *S, C] with 1 "
                    "to 3 spatial axes S ([B, K, X, Y, Z, C] in 3D); "
                    f"got {array.dtype} of shape {array.shape}"
                )
            arrays[variant] = array
            shapes[variant] = tuple(array.shape)
        return PredictionFile(path, self.name, meta, shapes, (), lambda v, k: arrays[v][:, k])

    def writer(
        self, tmp: Path, meta: Mapping[str, Any], sources: tuple[Source, ...], spatial_dims: int
    ) -> FormatWriter:
        return _MemoryWriter(self, tmp, {k: v for k, v in meta.items() if v is not None})


class _MemoryWriter:
    """Collects each rollout in memory and saves them all at ``finish``."""

    def __init__(self, fmt: ArrayFormat, tmp: Path, meta: dict[str, Any]) -> None:
        self.fmt, self.tmp, self.meta = fmt, tmp, meta
        self.rollouts: dict[str, np.ndarray] = {}

    def sink(self, variant: str, shape: tuple[int, ...], stored: torch.dtype) -> Sink:
        import numpy as np
        import torch

        store = np.empty(shape, dtype=np.float64 if stored == torch.float64 else np.float32)
        self.rollouts[variant] = store

        def write(step: int, frame: torch.Tensor) -> None:
            store[:, step - 1] = frame.detach().to("cpu", stored).numpy()

        return write

    def finish(self) -> None:
        self.fmt.save(self.tmp, self.rollouts, self.meta)

    def discard(self) -> None:
        self.rollouts.clear()


def plain(value: Any) -> Any:
    """A metadata value as plain Python (numpy/torch scalars and arrays to int/float/list)."""
    import numpy as np

    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # a tensor
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


__all__ = [
    "META_KEYS",
    "ArrayFormat",
    "FormatWriter",
    "PredictionFile",
    "PredictionFormat",
    "Sink",
    "Source",
    "plain",
]
