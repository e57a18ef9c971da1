"""JSON as physcheck writes it: NaN-safe, deterministic, written atomically.

JSON has no NaN or infinities, and physcheck's numbers can be non-finite (a rollout that blew
up). They are written as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` and read
back as floats by ``from_json_value``. Documents are dumped with sorted keys and a two-space
indent, so the same run gives the same bytes. Torch-free: tensors and numpy arrays are
converted through their ``tolist()``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from physcheck.atomic import atomic_write
from physcheck.errors import ArgumentTypeError

#: the JSON spelling of each non-finite float
NONFINITE: dict[str, float] = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def json_number(value: Any) -> Any:
    """A float as JSON can hold it: NaN and +-Inf become strings; anything else is returned as is."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def to_json_data(data: Any) -> Any:
    """Plain JSON-able data: tensors and numpy values become Python numbers and lists, tuples
    become lists, mapping keys strings, non-finite floats their string spelling."""
    if hasattr(data, "tolist") and not isinstance(data, (str, bytes)):
        return to_json_data(data.tolist())
    if isinstance(data, Mapping):
        return {str(k): to_json_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [to_json_data(v) for v in data]
    if isinstance(data, bool) or data is None or isinstance(data, (int, str)):
        return data
    if isinstance(data, float):
        return json_number(data)
    raise ArgumentTypeError(
        f"cannot write a {type(data).__name__} as JSON; give numbers, strings, lists, dicts or tensors"
    )


def from_json_value(value: Any) -> Any:
    """The inverse of ``json_number`` for one value: ``"NaN"``/``"Infinity"``/``"-Infinity"``
    become floats; everything else is returned unchanged."""
    if isinstance(value, str) and value in NONFINITE:
        return NONFINITE[value]
    return value


def dumps(data: Any) -> str:
    """Canonical text of a document: converted by ``to_json_data``, sorted keys, indent 2,
    trailing newline. Raises ``ValueError`` rather than write a bare NaN."""
    return json.dumps(to_json_data(data), indent=2, sort_keys=True, allow_nan=False) + "\n"


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (``physcheck.atomic``: a reader never sees half a
    file; parent folders are created; a failure is one ``WriteError``)."""
    with atomic_write(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """``write_text_atomic`` for bytes."""
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_json(path: str | Path, data: Any) -> Path:
    """``dumps(data)`` written atomically to ``path``."""
    return write_text_atomic(path, dumps(data))


__all__ = [
    "NONFINITE",
    "dumps",
    "from_json_value",
    "json_number",
    "to_json_data",
    "write_bytes_atomic",
    "write_json",
    "write_text_atomic",
]
