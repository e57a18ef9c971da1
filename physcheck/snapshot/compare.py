"""Numeric comparison of snapshot documents (torch- and pytest-free).

syrupy compares serialized text; physcheck's numbers need tolerances. Snapshots are
JSON (sorted keys, NaN/Inf as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``) and
compares *values*: floats pass when ``|a - b| <= atol + rtol * |snapshot|``; ints, bools,
strings and labels must be equal; the structure (keys, list lengths) must match; NaN matches
only NaN and an infinity only the same infinity. A ``_meta`` block (versions, device, dtype,
window, conventions, checkpoint hash) is written but never compared, so it cannot fail a test
or cause a rewrite. Tolerances come from the ``physcheck_snapshot`` marker or configuration
(``[tool.physcheck] snapshot_rtol/snapshot_atol``), never from the snapshot file, so an update
cannot loosen them. Values within tolerance are never rewritten, even under
``--snapshot-update``: drift inside tolerance makes no churn in review.

"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from physcheck.jsonio import NONFINITE, dumps, to_json_data

META_KEY = "_meta"
DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-6


@dataclass(frozen=True)
class Tolerance:
    """``rtol``/``atol`` for floats, with per-path overrides by glob (``"vrmse.*": (rtol, atol)``)."""

    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    overrides: tuple[tuple[str, float, float], ...] = field(default=())

    @classmethod
    def build(
        cls,
        rtol: float | None = None,
        atol: float | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Tolerance:
        items = tuple(
            (pattern, float(v[0]), float(v[1])) for pattern, v in (overrides or {}).items()
        )
        return cls(
            DEFAULT_RTOL if rtol is None else float(rtol),
            DEFAULT_ATOL if atol is None else float(atol),
            items,
        )

    def for_path(self, path: str) -> tuple[float, float]:
        for pattern, rtol, atol in self.overrides:
            if fnmatch.fnmatchcase(path, pattern):
                return rtol, atol
        return self.rtol, self.atol


@dataclass(frozen=True)
class Difference:
    """One differing value: where, what the snapshot holds, what the run gave, and by how much."""

    path: str
    expected: Any
    actual: Any
    reason: str
    relative_error: float | None = None
    tolerance: tuple[float, float] | None = None

    def line(self) -> str:
        text = f"{self.path}: expected {self.expected!r}, got {self.actual!r}"
        if self.relative_error is not None and self.tolerance is not None:
            rtol, atol = self.tolerance
            text += f" (relative error {self.relative_error:.3g}; tolerance rtol {rtol:g}, atol {atol:g})"
        else:
            text += f" ({self.reason})"
        return text


def to_payload(data: Any) -> Any:
    """Plain JSON-able data (``physcheck.jsonio.to_json_data``): tensors and numpy values
    become Python numbers and lists, non-finite floats the strings ``NaN``/``Infinity``."""
    return to_json_data(data)


def _as_float(value: Any) -> float | None:
    if isinstance(value, float):
        return value
    if isinstance(value, str) and value in NONFINITE:
        return NONFINITE[value]
    return None


def compare(expected: Any, actual: Any, tolerance: Tolerance, path: str = "") -> list[Difference]:
    """Differences between a snapshot (``expected``) and a run (``actual``); ``_meta`` skipped."""
    here = path or "<root>"
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[Difference] = []
        for key in sorted(set(expected) | set(actual)):
            if key == META_KEY and not path:
                continue
            sub = f"{path}.{key}" if path else key
            if key not in actual:
                out.append(Difference(sub, expected[key], "<missing>", "key missing from the run"))
            elif key not in expected:
                out.append(Difference(sub, "<missing>", actual[key], "key not in the snapshot"))
            else:
                out += compare(expected[key], actual[key], tolerance, sub)
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [
                Difference(
                    here, f"list of {len(expected)}", f"list of {len(actual)}", "length differs"
                )
            ]
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in compare(e, a, tolerance, f"{path}[{i}]")
        ]
    e_float, a_float = _as_float(expected), _as_float(actual)
    if (
        isinstance(expected, bool)
        or isinstance(actual, bool)
        or isinstance(expected, int)
        and isinstance(actual, int)
    ):
        return (
            []
            if expected == actual and type(expected) is type(actual)
            else [Difference(here, expected, actual, "exact value differs")]
        )
    if e_float is not None or a_float is not None:
        e = (
            e_float
            if e_float is not None
            else (float(expected) if isinstance(expected, int) else None)
        )
        a = a_float if a_float is not None else (float(actual) if isinstance(actual, int) else None)
        if e is None or a is None:
            return [Difference(here, expected, actual, "type differs")]
        if math.isnan(e) or math.isnan(a):
            return (
                []
                if math.isnan(e) and math.isnan(a)
                else [Difference(here, expected, actual, "NaN matches only NaN")]
            )
        if math.isinf(e) or math.isinf(a):
            return (
                []
                if e == a
                else [
                    Difference(here, expected, actual, "an infinity matches only the same infinity")
                ]
            )
        rtol, atol = tolerance.for_path(here)
        if abs(a - e) <= atol + rtol * abs(e):
            return []
        rel = abs(a - e) / abs(e) if e != 0 else math.inf
        return [Difference(here, expected, actual, "beyond tolerance", rel, (rtol, atol))]
    if expected == actual and type(expected) is type(actual):
        return []
    return [Difference(here, expected, actual, "value or type differs")]


def merge(expected: Any, actual: Any, tolerance: Tolerance, path: str = "") -> Any:
    """The snapshot an update writes: ``actual``'s structure, but every value within tolerance of
    ``expected`` keeps its snapshot value (no churn in review); ``_meta`` is ``actual``'s."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {
            key: (
                value
                if (key == META_KEY and not path) or key not in expected
                else merge(expected[key], value, tolerance, f"{path}.{key}" if path else key)
            )
            for key, value in actual.items()
        }
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            merge(e, a, tolerance, f"{path}[{i}]")
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
        ]
    return expected if not compare(expected, actual, tolerance, path) else actual


def nonfinite_paths(data: Any, path: str = "") -> list[str]:
    """Where a payload holds NaN or an infinity (as floats or their JSON spelling)."""
    if isinstance(data, dict):
        return [
            p
            for key, value in data.items()
            if not (key == META_KEY and not path)
            for p in nonfinite_paths(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in nonfinite_paths(v, f"{path}[{i}]")]
    value = _as_float(data)
    return [path or "<root>"] if value is not None and not math.isfinite(value) else []


__all__ = [
    "META_KEY",
    "Difference",
    "Tolerance",
    "compare",
    "dumps",
    "merge",
    "nonfinite_paths",
    "to_payload",
]
