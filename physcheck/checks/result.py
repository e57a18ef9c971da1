"""What a check returns, and the settings (thresholds) checks are judged by."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: the checks, in the order they are reported
CHECK_NAMES: tuple[str, ...] = (
    "finite",
    "vrmse",
    "stability_horizon",
    "solenoidality",
    "spectrum",
    "channel_variance",
    "perpendicular_symmetry",
    "basin_determinism",
    "precision",
    "energy",
)


@dataclass
class CheckResult:
    """One check of one model on one trajectory (and channel, where it applies).

    ``value``/``threshold``: the measured number (or label) and the bound it was judged by;
    ``step``: the rollout step the message points at (1-based); ``skipped``: the reason a
    check could not run (then ``passed`` is True and the check counts as skipped).
    """

    check: str
    model: str
    trajectory: int
    channel: str | None
    passed: bool
    value: float | str | None
    threshold: float | str | None
    message: str
    step: int | None = None
    skipped: str | None = None

    @property
    def test_id(self) -> str:
        """``check[model-trajN]`` or ``check[model-trajN-channel]``."""
        parts = [self.model, f"traj{self.trajectory}"] + ([self.channel] if self.channel else [])
        return f"{self.check}[{'-'.join(parts)}]"

    @property
    def outcome(self) -> str:
        return "skipped" if self.skipped else ("passed" if self.passed else "failed")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["value"] = json_number(out["value"])
        out["threshold"] = json_number(out["threshold"])
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def json_number(value: Any) -> Any:
    """Floats as JSON can hold them: NaN and +-Inf become strings, others round-trip exactly."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def json_ready(value: Any) -> Any:
    """Nested dicts/lists with every non-finite float replaced by its JSON string form."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return json_number(value)


@dataclass(frozen=True)
class Thresholds:
    """Pass/fail bounds of every check (SPEC section 3), relative to the truth where it says so.

    Names are ``<check>_<what>``; every one can be set from configuration
    (``[tool.physcheck.thresholds]`` or ``--physcheck-threshold NAME=VALUE``).
    """

    vrmse_step1: float = 0.5  # median-style bound on the step-1 channel-mean VRMSE
    vrmse_window: float = 1.0  # bound on the T a-b window mean
    vrmse_window_first: int = 21
    vrmse_window_last: int = 60
    stability_threshold: float = 1.0  # channel-mean VRMSE above this ends the horizon
    stability_min_horizon: int | None = None  # None: the horizon must exceed K
    solenoidality_factor: float = 10.0  # divB ratio(pred) <= factor x divB ratio(truth)
    spectrum_slope_tolerance: float = 0.5
    spectrum_low_high_factor: float = 10.0
    spectrum_pile_up_factor: float = 10.0
    variance_low: float = 0.1
    variance_high: float = 10.0
    symmetry_log10: float = 1.0
    basin_tau: float = 10.0
    precision_factor: float = 1.1
    precision_vrmse_atol: float = 0.01  # VRMSE differences below this are round-off, not physics
    energy_factor: float = 10.0
    mass_tolerance: float = 0.01

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def with_overrides(self, overrides: dict[str, Any]) -> Thresholds:
        """A copy with ``overrides`` applied; unknown names raise ``KeyError`` listing the known ones."""
        known = {f.name: f for f in fields(self)}
        values = asdict(self)
        for name, raw in overrides.items():
            if name not in known:
                raise KeyError(f"unknown threshold {name!r}; known thresholds: {', '.join(known)}")
            current = values[name]
            if raw is None or (isinstance(raw, str) and raw.lower() == "none"):
                values[name] = None
            elif (
                isinstance(current, int)
                and not isinstance(current, bool)
                or name == "stability_min_horizon"
            ):
                values[name] = int(raw)
            else:
                values[name] = float(raw)
        return Thresholds(**values)


@dataclass(frozen=True)
class DiagnosticSettings:
    """How the diagnostics behind the checks are computed."""

    vrmse_convention: str = "well"
    divergence_method: str = "central"
    spacing: float = 1.0
    spectrum_steps: tuple[int, ...] = (1, 5, 10, 25, 50)
    n_perturbations: int = 5
    noise_eps: float = 1e-6
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
