"""Snapshots that guard diagnostic numbers: a syrupy extension with numeric comparison.

syrupy compares serialized text; physcheck's numbers need tolerances. This extension writes
JSON (sorted keys, NaN/Inf as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``) and
compares *values*: floats pass when ``|a - b| <= atol + rtol * |snapshot|``; ints, bools,
strings and labels must be equal; the structure (keys, list lengths) must match; NaN matches
only NaN and an infinity only the same infinity. A ``_meta`` block (versions, device, dtype,
window, conventions, checkpoint hash) is written but never compared, so it cannot fail a test
or cause a rewrite. Tolerances come from the ``physcheck_snapshot`` marker or configuration
(``[tool.physcheck] snapshot_rtol/snapshot_atol``), never from the snapshot file, so an update
cannot loosen them. Values within tolerance are never rewritten, even under
``--snapshot-update``: drift inside tolerance makes no churn in review.

Use it in a test through the ``physcheck_snapshot`` fixture::

    @pytest.mark.physcheck_snapshot(rtol=1e-3, overrides={"vrmse.*": (1e-2, 0)})
    def test_numbers(physcheck_snapshot):
        assert physcheck_snapshot == {"vrmse": {"step1": 0.12}, "_meta": {...}}
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

META_KEY = "_meta"
NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
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
    """Plain JSON-able data: tensors and numpy values become Python numbers and lists,
    tuples become lists, non-finite floats the strings ``NaN``/``Infinity``/``-Infinity``."""
    if hasattr(data, "tolist") and not isinstance(data, (str, bytes)):
        return to_payload(data.tolist())
    if isinstance(data, Mapping):
        return {str(k): to_payload(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [to_payload(v) for v in data]
    if isinstance(data, bool) or data is None or isinstance(data, (int, str)):
        return data
    if isinstance(data, float):
        if math.isnan(data):
            return "NaN"
        if math.isinf(data):
            return "Infinity" if data > 0 else "-Infinity"
        return data
    raise TypeError(
        f"cannot snapshot a {type(data).__name__}; give numbers, strings, lists, dicts or tensors"
    )


def dumps(data: Any) -> str:
    return json.dumps(to_payload(data), indent=2, sort_keys=True, allow_nan=False) + "\n"


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


class PhyscheckSnapshotExtension(SingleFileSnapshotExtension):
    """syrupy extension: one JSON file per test, numeric comparison within ``tolerance``."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"
    tolerance: Tolerance = Tolerance()
    update_command: str = "pytest <this test> --snapshot-update"

    def serialize(
        self, data: Any, *, exclude: Any = None, include: Any = None, matcher: Any = None
    ) -> str:
        return dumps(data)

    def matches(self, *, serialized_data: Any, snapshot_data: Any) -> bool:
        try:
            return not compare(
                json.loads(snapshot_data), json.loads(serialized_data), self.tolerance
            )
        except (TypeError, ValueError):
            return False

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        if not snapshot_data:
            yield f"no snapshot yet: create it with `{self.update_command}`"
            return
        try:
            differences = compare(
                json.loads(snapshot_data), json.loads(serialized_data), self.tolerance
            )
        except (TypeError, ValueError):
            yield from super().diff_lines(serialized_data, snapshot_data)
            return
        yield f"{len(differences)} value(s) differ from the snapshot beyond tolerance:"
        for difference in differences:
            yield "  " + difference.line()
        yield f"accept the new numbers on purpose with `{self.update_command}`"


def extension_for(
    tolerance: Tolerance, update_command: str | None = None
) -> type[PhyscheckSnapshotExtension]:
    """A ``PhyscheckSnapshotExtension`` subclass bound to a tolerance (syrupy instantiates classes)."""
    attrs: dict[str, Any] = {"tolerance": tolerance}
    if update_command:
        attrs["update_command"] = update_command
    return type("PhyscheckSnapshotExtension", (PhyscheckSnapshotExtension,), attrs)


def update_command(config: pytest.Config, nodeid: str | None = None) -> str:
    """The command that re-runs this pytest invocation (or one test) with ``--snapshot-update``."""
    args = [a for a in config.invocation_params.args if a != "--snapshot-update"]
    if nodeid:
        args = [a for a in args if a.startswith("-")] + [nodeid]
    return " ".join(["python -m pytest", *args, "--snapshot-update"])


def configured_tolerance(config: pytest.Config, marker: pytest.Mark | None = None) -> Tolerance:
    """Tolerance from the ``physcheck_snapshot`` marker, else ``[tool.physcheck]`` settings."""
    from physcheck.plugin import SETTINGS_KEY

    settings = config.stash.get(SETTINGS_KEY, None)
    rtol = settings.snapshot_rtol if settings else None
    atol = settings.snapshot_atol if settings else None
    overrides: Mapping[str, Any] | None = None
    if marker is not None:
        rtol = marker.kwargs.get("rtol", rtol)
        atol = marker.kwargs.get("atol", atol)
        overrides = marker.kwargs.get("overrides")
    return Tolerance.build(rtol, atol, overrides)


@pytest.fixture
def physcheck_snapshot(snapshot: Any, request: pytest.FixtureRequest) -> Any:
    """syrupy's ``snapshot`` with physcheck's numeric JSON extension and configured tolerances."""
    tolerance = configured_tolerance(
        request.config, request.node.get_closest_marker("physcheck_snapshot")
    )
    return snapshot.use_extension(
        extension_for(tolerance, update_command(request.config, request.node.nodeid))
    )


# -- snapshots of the auto-collected suite ---------------------------------------------------------
def check_file_snapshot(
    path: Path,
    payload: Mapping[str, Any],
    tolerance: Tolerance,
    *,
    update: bool,
    command: str,
    label: str | None = None,
) -> tuple[bool, list[str]]:
    """Compare ``payload`` with the JSON file at ``path`` (written when missing or beyond
    tolerance under ``update``). Returns (passed, lines to report); ``label`` names the file."""
    text = dumps(payload)
    shown = label or str(path)
    if not path.is_file():
        if update:
            _write(path, text)
            return True, [f"created snapshot {shown}"]
        return False, [f"no snapshot at {shown}: create it with `{command}`"]
    differences = compare(json.loads(path.read_text()), json.loads(text), tolerance)
    if not differences:
        return True, []
    if update:
        _write(path, text)
        return True, [f"updated snapshot {shown} ({len(differences)} value(s) beyond tolerance)"]
    lines = [f"{len(differences)} value(s) differ from {shown} beyond tolerance:"]
    lines += ["  " + d.line() for d in differences]
    lines.append(f"accept the new numbers on purpose with `{command}`")
    return False, lines


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
