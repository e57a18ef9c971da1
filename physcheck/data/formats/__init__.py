"""Prediction file formats: one class per format (its suffixes, how its files are read and
written; ``base.PredictionFormat``) and one row per class in ``FORMATS``, from which the
reader (by suffix), ``--physcheck-export-format`` and the export's file names derive.

Adding a format: its class (an ``ArrayFormat`` needs only ``load`` and ``save``) and its row
in ``FORMATS`` (or ``register_format(cls)`` from a plugin or ``conftest.py``). Torch-free at
import.
"""

from __future__ import annotations

from pathlib import Path

from physcheck.data.formats.base import (
    META_KEYS,
    ArrayFormat,
    FormatWriter,
    PredictionFile,
    PredictionFormat,
    Sink,
    Source,
)
from physcheck.data.formats.hdf5 import FORMAT_VERSION, Hdf5Format
from physcheck.data.formats.npz import NpzFormat
from physcheck.data.formats.pt import PtFormat
from physcheck.errors import ConfigError, DataError

#: every format by name, in the order messages list them (the first is the export default)
FORMATS: dict[str, type[PredictionFormat]] = {
    cls.name: cls
    for cls in (
        Hdf5Format,
        NpzFormat,
        PtFormat,
    )
}


def register_format(cls: type[PredictionFormat], *, replace: bool = False) -> type[PredictionFormat]:
    """Add a format (after the built-in ones); ``replace=True`` to redefine one."""
    taken = {s for other in FORMATS.values() if other.name != cls.name for s in other.suffixes}
    if cls.name in FORMATS and not replace:
        raise ConfigError(f"a prediction format named {cls.name!r} exists already; pass replace=True")
    clash = sorted(taken & {s.lower() for s in cls.suffixes})
    if clash or not cls.suffixes:
        raise ConfigError(f"prediction format {cls.name!r} needs suffixes of its own, got {cls.suffixes}")
    FORMATS[cls.name] = cls
    return cls


def format_names() -> tuple[str, ...]:
    """The formats' names (``--physcheck-export-format`` choices), the default first."""
    return tuple(FORMATS)


def format_named(name: str) -> PredictionFormat:
    """The format called ``name``."""
    return FORMATS[name]()


def export_suffix(name: str) -> str:
    """The suffix an export in format ``name`` writes."""
    return FORMATS[name].suffixes[0]


def format_of(path: str | Path) -> PredictionFormat:
    """The format of a file, from its suffix; ``DataError`` naming the formats otherwise."""
    suffix = Path(path).suffix.lower()
    for cls in FORMATS.values():
        if suffix in cls.suffixes:
            return cls()
    labels = [cls.label() for cls in FORMATS.values()]
    listed = f"{', '.join(labels[:-1])} or {labels[-1]}" if len(labels) > 1 else labels[0]
    raise DataError(f"{path}: saved rollouts must be a {listed} file")


__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "META_KEYS",
    "ArrayFormat",
    "FormatWriter",
    "PredictionFile",
    "PredictionFormat",
    "Sink",
    "Source",
    "export_suffix",
    "format_named",
    "format_names",
    "format_of",
    "register_format",
]
