"""Saved rollouts as a model spec: ``saved:PATH[,KEY=VALUE...]`` parsed into a ``SavedSpec``
(the arguments of the ``saved`` model kind; what ``--physcheck-predictions NAME=PATH``
configures). Torch-free."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from physcheck.errors import ModelSpecError

SAVED_PREFIX = "saved:"
SAVED_HELP = (
    "write NAME=PATH[,start=N][,trajectories=0-3|0:2:5][,history=T][,VARIANT=PATH...] where "
    "VARIANT is float64, noiseN, equivariance:TRANSFORM or orbit:TRANSFORM"
)


@dataclass(frozen=True)
class SavedSpec:
    """Where a model's saved rollouts are: the file of the base rollout (``path``), what it
    covers when the file does not record it (``start``: the index of the first predicted frame
    in its trajectory; ``trajectories``: the dataset index of each row; ``history``: the
    model's history length) and files of other rollouts (``variants``: ``float64``,
    ``noiseN``, ``equivariance:TRANSFORM``, ``orbit:TRANSFORM`` -> path)."""

    path: str
    start: int | None = None
    trajectories: tuple[int, ...] | None = None
    history: int | None = None
    variants: dict[str, str] = field(default_factory=dict)


def index_ranges(text: str, separator: str) -> list[int]:
    """The indices of ``text``: single indices and inclusive ``LOW-HIGH`` ranges joined by
    ``separator`` (``0,2,5``, ``0-3``, ``0-2:7``); ``ValueError`` naming the bad part."""
    values: list[int] = []
    for part in text.split(separator):
        low, dash, high = part.partition("-")
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise ValueError(f"{part.strip()!r} is neither an index nor a LOW-HIGH range") from None
        if last < first:
            raise ValueError(f"the range {part.strip()} is empty (write LOW-HIGH)")
        values.extend(range(first, last + 1))
    return values


def parse_saved(spec: str) -> SavedSpec:
    """``saved:PATH[,KEY=VALUE...]`` -> ``SavedSpec`` (``ModelSpecError`` saying how to write it)."""
    body = spec[len(SAVED_PREFIX) :] if spec.startswith(SAVED_PREFIX) else spec
    path, *options = [p.strip() for p in body.split(",")]
    if not path:
        raise ModelSpecError(f"saved rollouts {spec!r} name no file; {SAVED_HELP}")
    start = trajectories = history = None
    variants: dict[str, str] = {}
    for option in options:
        key, sep, value = (p.strip() for p in option.partition("="))
        if not sep or not key or not value:
            raise ModelSpecError(f"bad option {option!r} of saved rollouts {path!r}; {SAVED_HELP}")
        if key in ("start", "history"):
            if not value.isdigit():
                raise ModelSpecError(f"saved rollouts {path!r}: {key} must be an integer, got {value!r}")
            if key == "start":
                start = int(value)
            else:
                history = int(value)
        elif key == "trajectories":
            try:
                trajectories = tuple(index_ranges(value, ":"))
            except ValueError as exc:
                raise ModelSpecError(
                    f"bad trajectory list {value!r} ({exc}): use 0-3 or 0:2:5"
                ) from None
        elif key == "float64" or re.fullmatch(r"noise\d+", key) or key.startswith(
            ("equivariance:", "orbit:")
        ):
            variants[key] = value
        else:
            raise ModelSpecError(f"unknown option {key!r} of saved rollouts {path!r}; {SAVED_HELP}")
    return SavedSpec(path, start, trajectories, history, variants)


__all__ = ["SAVED_HELP", "SAVED_PREFIX", "SavedSpec", "index_ranges", "parse_saved"]
