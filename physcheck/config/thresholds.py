"""The bounds checks are judged by (``Thresholds``) and how the diagnostics behind them are
computed (``DiagnosticSettings``). Torch-free."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from physcheck.errors import ConfigError


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
        """A copy with ``overrides`` applied (numbers or their text). Unknown names, values that
        are not numbers, non-finite or negative values raise ``ConfigError`` naming the threshold."""
        known = {f.name for f in fields(self)}
        values = asdict(self)
        for name, raw in overrides.items():
            if name not in known:
                raise ConfigError(
                    f"unknown threshold {name!r}; known thresholds: {', '.join(sorted(known))}"
                )
            values[name] = _threshold_value(name, raw, integer=isinstance(values[name], int))
        return Thresholds(**values)


#: thresholds whose value is a step count
_INTEGER_THRESHOLDS = {"vrmse_window_first", "vrmse_window_last", "stability_min_horizon"}
#: thresholds that may be unset (``none``)
_OPTIONAL_THRESHOLDS = {"stability_min_horizon"}


def _threshold_value(name: str, raw: Any, *, integer: bool) -> Any:
    if name in _OPTIONAL_THRESHOLDS and (
        raw is None or (isinstance(raw, str) and raw.strip().lower() == "none")
    ):
        return None
    integer = integer or name in _INTEGER_THRESHOLDS
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ConfigError(
            f"threshold {name} must be a number, got {type(raw).__name__} {raw!r}"
        )
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"threshold {name} must be {kind}, got {raw!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"threshold {name} must be finite, got {raw!r}")
    if value < 0:
        raise ConfigError(f"threshold {name} must not be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class DiagnosticSettings:
    """How the diagnostics behind the checks are computed: the VRMSE convention, the div B
    operator, the grid spacing (grid units), the steps whose spectra are kept, and the
    perturbed rollouts (how many, relative noise amplitude, base seed)."""

    vrmse_convention: str = "well"
    divergence_method: str = "central"
    spacing: float = 1.0
    spectrum_steps: tuple[int, ...] = (1, 5, 10, 25, 50)
    n_perturbations: int = 5
    noise_eps: float = 1e-6
    seed: int = 0


__all__ = ["DiagnosticSettings", "Thresholds"]
