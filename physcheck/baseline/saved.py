"""A baseline of saved rollouts: the directory ``physcheck export DIR`` wrote (one prediction
file ``NAME.<format>`` per model), whose files are gated in the same run as baseline models.
Which file is each model's, and what makes a file's own metadata (data, window,
trajectories) incomparable with the run, one phrase each as ``physcheck.baseline.comparable``
says it for a results JSON. Torch-free."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from physcheck.errors import ConfigError


@dataclass(frozen=True)
class Coverage:
    """What this run covers: the window (``label``; first predicted frame ``start``, history
    ``n_history`` where the window fixes it, ``steps``), the ``trajectories``, and the data
    (``fields``, ``grid``, ``files``: name -> SHA-256, ``""`` where unknown)."""

    label: str
    start: int
    n_history: int | None
    steps: int
    trajectories: tuple[int, ...]
    fields: tuple[str, ...]
    grid: tuple[int, ...]
    files: Mapping[str, str]


def rollout_files(directory: Path, models: Sequence[str], suffixes: Sequence[str]) -> dict[str, Path]:
    """``{model: DIR/MODEL.<suffix>}`` for each model with a file there (the first suffix in
    ``suffixes`` order); ``ConfigError`` in one line when none of them has one."""
    found = {}
    for model in models:
        for suffix in suffixes:
            path = directory / f"{model}{suffix}"
            if path.is_file():
                found[model] = path
                break
    if not found:
        names = ", ".join(repr(m) for m in models)
        kinds = ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]
        raise ConfigError(
            f"--physcheck-baseline {directory}: no saved rollouts of model {names} in it "
            f"(NAME{kinds}); write them with physcheck export {directory} on the accepted "
            "model, under the same name"
        )
    return found


def _whole(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _recorded_files(raw: Any) -> dict[str, str] | None:
    """``{name: sha256}`` of a file's ``data_files`` (``NAME:SHA256`` entries); ``None``
    where it records none (made before physcheck kept them, or elsewhere)."""
    if not isinstance(raw, (list, tuple)) or not raw:
        return None
    pairs = (str(entry).rpartition(":") for entry in raw)
    return {name: digest for name, _, digest in pairs}


def _data(meta: Mapping[str, Any], grid: tuple[int, ...], run: Coverage) -> list[str]:
    out = []
    fields = meta.get("field_names")
    if fields is not None and tuple(str(f) for f in fields) != run.fields:
        out.append(f"other data (channels {', '.join(run.fields)} against {', '.join(map(str, fields))})")
    if grid != run.grid:
        out.append(f"other data (grid {'x'.join(map(str, run.grid))} against {'x'.join(map(str, grid))})")
    recorded = _recorded_files(meta.get("data_files"))
    if recorded is not None:
        other = [
            name
            for name, digest in sorted(run.files.items())
            if name not in recorded or (digest and recorded[name] and digest != recorded[name])
        ]
        if other:
            out.append(f"other data (files {', '.join(other)})")
    return out


def _window(meta: Mapping[str, Any], steps: int, run: Coverage) -> list[str]:
    start, history = _whole(meta.get("start_frame")), _whole(meta.get("n_history"))
    if start is None:
        return ["the baseline records no start frame (write it with physcheck export)"]
    label = f"{start}:{history}:{steps}" if history is not None else f"{start}:{steps}"
    other_history = run.n_history is not None and history is not None and history != run.n_history
    if start != run.start or steps != run.steps or other_history:
        return [f"window {run.label} against {label}"]
    return []


def _trajectories(meta: Mapping[str, Any], run: Coverage) -> list[str]:
    raw = meta.get("trajectories")
    found = [_whole(t) for t in (raw if isinstance(raw, (list, tuple)) else [raw])]
    listed = [t for t in found if t is not None]
    if raw is None or len(listed) != len(found):
        return ["the baseline records no trajectories (write it with physcheck export)"]
    if sorted(run.trajectories) != sorted(listed):
        return [f"trajectories {list(run.trajectories)} against {listed}"]
    return []


def saved_differences(meta: Mapping[str, Any], shape: Sequence[int], run: Coverage) -> list[str]:
    """What makes saved rollouts (a file's metadata and its base rollout's ``shape [B, K, X,
    Y, Z, C]``) incomparable with this run, one phrase each (empty when they compare): other
    data (channels, grid, the data files' checksums where the file records them), another
    window (first predicted frame, history, steps) or other trajectories."""
    grid = tuple(int(n) for n in shape[2:-1])
    return _data(meta, grid, run) + _window(meta, int(shape[1]), run) + _trajectories(meta, run)


__all__ = ["Coverage", "rollout_files", "saved_differences"]
