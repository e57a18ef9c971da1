"""The numbers a baseline comparison pairs: for each check, which number of its results, in
which direction it gets better, and the margin below which a change does not matter.

A check's number is read per *unit*: a trajectory (``traj0``), a trajectory and channel
(``traj0/By``), or, for a model-scope check, the per-trajectory numbers its details carry
(``step1:traj0``); a check over perturbed rollouts also per trajectory and perturbation
(``traj0/noise1``, ``physcheck.baseline.units``). Units pair a new run with its baseline; the comparison statistics live in
``physcheck.baseline.statistics``. Torch-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from physcheck.errors import ConfigError

#: the default non-inferiority margin relative to the baseline's mean magnitude (10 %)
RELATIVE_MARGIN = 0.10


def _identity(value: float) -> float:
    return value


def _abs_log(value: float) -> float:
    """Distance of a ratio from 1 on a log scale: ``|ln v|`` (0 at 1, symmetric in v, 1/v)."""
    return abs(math.log(value)) if value > 0 else math.inf


def _slope_offset(details: Mapping[str, float]) -> float:
    """How far the spectral slope lies from the middle of the truth's range."""
    low, high = details.get("slope_truth_min"), details.get("slope_truth_max")
    slope = details.get("slope")
    if slope is None or low is None or high is None:
        return math.nan
    return abs(slope - (low + high) / 2)


@dataclass(frozen=True)
class NumberSpec:
    """One comparable number of a check: its ``name`` (``vrmse.step1``), the ``check`` it comes
    from, whether ``lower`` or higher is better, how a result's value is turned into it
    (``transform``), or the ``detail`` prefix a model-scope check keeps per trajectory, or a
    function of a result's details (``from_details``), and the ``absolute_margin`` (in the
    number's units) that a change must exceed however small the baseline. ``perturbed``: the
    detail prefix of its value per perturbed rollout (``spread`` for ``spread:noise0``, ...),
    for a check over perturbed rollouts (``physcheck.baseline.units`` pairs those)."""

    name: str
    check: str
    lower_is_better: bool
    absolute_margin: float
    transform: Callable[[float], float] = _identity
    detail: str | None = None
    from_details: Callable[[Mapping[str, float]], float] | None = None
    meaning: str = ""
    perturbed: str | None = None

    def values(self, results: Iterable[Mapping[str, Any]]) -> dict[str, float]:
        """``{unit: number}`` from one model's results of this check (skipped ones left out;
        a missing or non-finite value counts as the worst possible)."""
        out: dict[str, float] = {}
        worst = math.inf if self.lower_is_better else -math.inf
        for r in results:
            if r.get("check") != self.check or r.get("skipped"):
                continue
            details = r.get("details") or {}
            if self.detail is not None:
                prefix = f"{self.detail}:"
                for key, value in details.items():
                    if key.startswith(prefix):
                        out[key[len(prefix) :]] = finite_or(value, worst)
                continue
            unit = f"traj{r.get('trajectory')}"
            if r.get("channel"):
                unit += f"/{r['channel']}"
            if self.from_details is not None:
                out[unit] = finite_or(self.from_details(details), worst)
                continue
            value = r.get("value")
            out[unit] = worst if value is None else finite_or(self.transform(float(value)), worst)
        return out


def finite_or(value: Any, worst: float) -> float:
    """``value`` as a finite float, else ``worst`` (a missing, NaN or infinite number)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return worst
    return number if math.isfinite(number) else worst


#: every comparable number, in report order
NUMBERS: tuple[NumberSpec, ...] = (
    NumberSpec("finite", "finite", False, 1.0, meaning="first non-finite step (K+1: none)"),
    NumberSpec("vrmse.step1", "vrmse", True, 0.01, detail="step1", meaning="step-1 VRMSE"),
    NumberSpec("vrmse.window", "vrmse", True, 0.01, detail="window", meaning="window VRMSE"),
    NumberSpec("stability_horizon", "stability_horizon", False, 1.0, meaning="stability horizon (steps)"),
    NumberSpec("skill", "skill", True, 0.01, detail="ratio_best", meaning="VRMSE / best trivial model's"),
    NumberSpec("dynamics", "dynamics", True, 0.05, _abs_log, meaning="|ln change rate / truth's|"),
    NumberSpec("solenoidality", "solenoidality", True, 0.05, meaning="div B / truth's floor"),
    NumberSpec("spectrum", "spectrum", True, 0.05, from_details=_slope_offset, meaning="|slope - truth's mid-range|"),
    NumberSpec("channel_variance", "channel_variance", True, 0.05, _abs_log, meaning="|ln variance / truth's|"),
    NumberSpec(
        "perpendicular_symmetry",
        "perpendicular_symmetry",
        True,
        0.05,
        abs,
        meaning="|log10 B_y / B_z amplification|",
    ),
    NumberSpec(
        "basin_determinism",
        "basin_determinism",
        True,
        0.01,
        from_details=lambda d: d.get("spread", math.nan),
        meaning="spread of perturbed rollouts",
        perturbed="spread",
    ),
    NumberSpec("precision", "precision", True, 0.05, meaning="float32 vs float64 gap"),
    NumberSpec("energy", "energy", True, 0.05, _abs_log, meaning="|ln energy factor|"),
    NumberSpec("mean_field", "mean_field", True, 0.01, meaning="mean-field, mass and momentum error"),
    NumberSpec("equivariance", "equivariance", True, 0.001, meaning="equivariance gap"),
)


@dataclass(frozen=True)
class Margins:
    """The non-inferiority margin of each number: ``max(relative x |baseline mean|,
    absolute)``; ``relative`` for all numbers, ``absolute`` per number name (defaults from
    ``NUMBERS``). Set in ``[tool.physcheck.baseline]``: ``relative = 0.1`` and
    ``absolute = {"vrmse.step1" = 0.02}``."""

    relative: float = RELATIVE_MARGIN
    absolute: tuple[tuple[str, float], ...] = ()

    def of(self, spec: NumberSpec, baseline_mean: float) -> float:
        absolute = dict(self.absolute).get(spec.name, spec.absolute_margin)
        scale = abs(baseline_mean) if math.isfinite(baseline_mean) else 0.0
        return max(self.relative * scale, absolute)

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Margins:
        """``[tool.physcheck.baseline]`` as margins; ``ConfigError`` naming a bad entry."""
        unknown = sorted(set(table) - {"relative", "absolute"})
        if unknown:
            raise ConfigError(f"[tool.physcheck.baseline]: unknown key(s) {unknown}; use relative, absolute")
        relative = table.get("relative", RELATIVE_MARGIN)
        if not isinstance(relative, (int, float)) or isinstance(relative, bool) or relative < 0:
            raise ConfigError(f"[tool.physcheck.baseline] relative must be a number >= 0, got {relative!r}")
        absolute = table.get("absolute", {})
        names = {n.name for n in NUMBERS}
        if not isinstance(absolute, Mapping):
            raise ConfigError("[tool.physcheck.baseline] absolute must be a table {number = margin}")
        for key, value in absolute.items():
            if key not in names:
                raise ConfigError(
                    f"[tool.physcheck.baseline] absolute: unknown number {key!r}; known: {', '.join(sorted(names))}"
                )
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"[tool.physcheck.baseline] absolute.{key} must be a number >= 0, got {value!r}")
        return cls(float(relative), tuple(sorted((k, float(v)) for k, v in absolute.items())))


@dataclass(frozen=True)
class BaselineSettings:
    """The ``baseline`` setting: the results JSON or the directory of saved rollouts (or
    ``None``) to compare each model with, and the margins. In a settings file either a path, ``baseline = "accepted.json"``, or a
    table, ``[tool.physcheck.baseline]`` with ``path``, ``relative`` and ``absolute``."""

    path: str | None = None
    margins: Margins = Margins()

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "relative": self.margins.relative,
            "absolute": dict(self.margins.absolute),
        }


def parse_baseline(raw: Any) -> BaselineSettings:
    """A path or a ``{path, relative, absolute}`` table as ``BaselineSettings``."""
    if isinstance(raw, BaselineSettings):
        return raw
    if isinstance(raw, str):
        return BaselineSettings(raw.strip() or None)
    if isinstance(raw, Mapping):
        path = raw.get("path")
        if path is not None and not isinstance(path, str):
            raise ConfigError(f"[tool.physcheck.baseline] path must be a string, got {path!r}")
        rest = {k: v for k, v in raw.items() if k != "path"}
        return BaselineSettings(path or None, Margins.from_table(rest))
    raise ConfigError(
        "setting 'baseline' must be a path (a results JSON or a directory of saved rollouts) "
        f"or a table (path, relative, absolute), got {raw!r}"
    )


def with_path(file_value: Any, path: Any) -> dict[str, Any]:
    """A ``--physcheck-baseline PATH`` given on the command line, with the file's margins."""
    table = dict(file_value) if isinstance(file_value, Mapping) else {}
    table["path"] = path
    return table


def parse_compare(raw: Any) -> tuple[tuple[str, str], ...]:
    """``["NEW=OLD", ...]`` (or one string) as ``((new, old), ...)``."""
    items = [raw] if isinstance(raw, str) else list(raw or ())
    pairs: list[tuple[str, str]] = []
    for item in items:
        new, sep, old = str(item).partition("=")
        if not sep or not new.strip() or not old.strip() or new.strip() == old.strip():
            raise ConfigError(
                f"bad comparison {item!r}: use NEW=OLD with two of the run's model names "
                "(e.g. --physcheck-compare candidate=accepted)"
            )
        pairs.append((new.strip(), old.strip()))
    return tuple(pairs)


__all__ = [
    "NUMBERS",
    "RELATIVE_MARGIN",
    "BaselineSettings",
    "Margins",
    "NumberSpec",
    "finite_or",
    "parse_baseline",
    "parse_compare",
    "with_path",
]
