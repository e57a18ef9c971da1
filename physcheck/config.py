"""physcheck's settings: from ``[tool.physcheck]`` (pyproject.toml) or ``physcheck.toml``,
then the command line, which wins. Torch-free, so the plugin can parse options cheaply.

Settings (file key / option):

- ``models`` / ``--physcheck-model NAME=SPEC`` (repeatable): ``reference``, ``demo``,
  ``walrus:CONFIG.yaml:CHECKPOINT.pt``, ``package.module:attr``; append ``+projection`` to
  project each predicted frame onto div B = 0 (e.g. ``demo-proj=demo+projection``).
- ``data`` / ``--physcheck-data PATH`` (default: the shipped dataset); ``split`` / ``--physcheck-split``.
- ``window`` / ``--physcheck-window early|paper|START:HISTORY:K``.
- ``trajectories`` / ``--physcheck-trajectories 0,2 | 0-3 | all``.
- ``device`` / ``--physcheck-device cpu|cuda|auto``.
- ``checks`` / ``--physcheck-checks finite,vrmse,...``.
- ``thresholds`` table / ``--physcheck-threshold NAME=VALUE`` (repeatable).
- ``perturbations``, ``noise``, ``seed``, ``divergence``, ``spectrum_steps``.
- ``json`` / ``--physcheck-json PATH``; ``cache`` / ``--physcheck-no-cache``; ``cache_dir``.
- ``snapshot`` / ``--physcheck-no-snapshot``; ``snapshot_dir`` (default ``__snapshots__/physcheck``);
  ``snapshot_rtol``, ``snapshot_atol``: tolerances of the snapshot comparisons.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from physcheck.checks.result import CHECK_NAMES, DiagnosticSettings, Thresholds

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
PROJECTION_SUFFIX = "+projection"


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line saying which and how to fix it."""


@dataclass(frozen=True)
class ModelEntry:
    """A configured model: its short ``name`` (used in test ids), ``spec`` and per-step hooks."""

    name: str
    spec: str
    projection: bool = False


@dataclass(frozen=True)
class Settings:
    models: tuple[ModelEntry, ...] = ()
    data: str | None = None
    split: str = "test"
    window: str = "early"
    trajectories: tuple[int, ...] | None = None
    device: str = "auto"
    checks: tuple[str, ...] = CHECK_NAMES
    thresholds: Thresholds = field(default_factory=Thresholds)
    diagnostics: DiagnosticSettings = field(default_factory=DiagnosticSettings)
    json_path: str | None = None
    use_cache: bool = True
    cache_dir: str = ".physcheck-cache"
    guide_axis: int = 0
    dtype: str = "float32"
    snapshot: bool = True
    snapshot_dir: str = "__snapshots__/physcheck"
    snapshot_rtol: float | None = None
    snapshot_atol: float | None = None

    def summary(self) -> dict[str, Any]:
        """The settings as plain JSON-able data (written into the results file)."""
        return {
            "models": {
                m.name: m.spec + (PROJECTION_SUFFIX if m.projection else "") for m in self.models
            },
            "data": self.data,
            "split": self.split,
            "window": self.window,
            "trajectories": list(self.trajectories) if self.trajectories is not None else "all",
            "device": self.device,
            "dtype": self.dtype,
            "checks": list(self.checks),
            "thresholds": {k: getattr(self.thresholds, k) for k in Thresholds.names()},
            "diagnostics": {
                "vrmse_convention": self.diagnostics.vrmse_convention,
                "divergence_method": self.diagnostics.divergence_method,
                "spectrum_steps": list(self.diagnostics.spectrum_steps),
                "n_perturbations": self.diagnostics.n_perturbations,
                "noise_eps": self.diagnostics.noise_eps,
                "seed": self.diagnostics.seed,
            },
            "guide_axis": self.guide_axis,
        }


def parse_model(text: str) -> ModelEntry:
    """``NAME=SPEC`` (or a bare ``reference``/``demo``, named after itself)."""
    name, sep, spec = text.partition("=")
    if not sep:
        name, spec = text, text
    name, spec = name.strip(), spec.strip()
    if not name or not NAME_PATTERN.match(name):
        raise ConfigError(
            f"bad model name in {text!r}: use NAME=SPEC with NAME made of letters, digits, '_', '-' or '.'"
        )
    if not spec:
        raise ConfigError(
            f"model {name!r} has an empty spec: use NAME=SPEC, e.g. demo=demo or ckpt=walrus:cfg.yaml:ckpt.pt"
        )
    projection = spec.endswith(PROJECTION_SUFFIX)
    if projection:
        spec = spec[: -len(PROJECTION_SUFFIX)]
    if spec not in ("reference", "demo") and ":" not in spec:
        raise ConfigError(
            f"model {name!r}: unknown spec {spec!r}; use reference, demo, walrus:CONFIG.yaml:CHECKPOINT.pt or package.module:attr"
        )
    if spec.startswith("walrus:") and len(spec.split(":")) != 3:
        raise ConfigError(
            f"model {name!r}: bad walrus spec {spec!r}; use walrus:CONFIG.yaml:CHECKPOINT.pt"
        )
    return ModelEntry(name, spec, projection)


def parse_trajectories(text: str | list[int] | None) -> tuple[int, ...] | None:
    """``all``, ``0,2,5``, ``0-3`` (inclusive) or a list -> indices (``None`` = all)."""
    if text is None:
        return None
    if isinstance(text, list):
        return tuple(int(t) for t in text)
    text = str(text).strip().lower()
    if text in ("", "all"):
        return None
    out: list[int] = []
    try:
        for part in text.split(","):
            lo, sep, hi = part.partition("-")
            out.extend(range(int(lo), int(hi) + 1) if sep else [int(lo)])
    except ValueError:
        raise ConfigError(f"bad trajectories {text!r}: use 'all', '0,2,5' or '0-3'") from None
    return tuple(sorted(set(out)))


def parse_checks(text: str | list[str]) -> tuple[str, ...]:
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in CHECK_NAMES]
    if unknown:
        raise ConfigError(
            f"unknown check(s) {', '.join(unknown)}; known checks: {', '.join(CHECK_NAMES)}"
        )
    return tuple(n for n in CHECK_NAMES if n in names)


def parse_assignment(text: str, what: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"bad {what} {text!r}: use NAME=VALUE")
    return key.strip(), value.strip()


def read_file_settings(rootdir: Path) -> dict[str, Any]:
    """``[tool.physcheck]`` of ``pyproject.toml``, or the top level of ``physcheck.toml``."""
    toml = rootdir / "physcheck.toml"
    if toml.is_file():
        return _load_toml(toml)
    pyproject = rootdir / "pyproject.toml"
    if pyproject.is_file():
        return dict(_load_toml(pyproject).get("tool", {}).get("physcheck", {}))
    return {}


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read physcheck settings ({exc})") from None


def build_settings(file_settings: Mapping[str, Any], cli: Mapping[str, Any]) -> Settings:
    """Merge file settings with command-line values (``None``/empty = not given); CLI wins."""
    merged: dict[str, Any] = dict(file_settings)
    known = {
        "models",
        "data",
        "split",
        "window",
        "trajectories",
        "device",
        "checks",
        "thresholds",
        "perturbations",
        "noise",
        "seed",
        "divergence",
        "spectrum_steps",
        "json",
        "cache",
        "cache_dir",
        "guide_axis",
        "dtype",
        "vrmse_convention",
        "snapshot",
        "snapshot_dir",
        "snapshot_rtol",
        "snapshot_atol",
    }
    unknown = sorted(set(merged) - known)
    if unknown:
        raise ConfigError(
            f"unknown physcheck setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    for key, value in cli.items():
        if value not in (None, [], ()):
            merged[key] = value
    models_raw = merged.get("models", [])
    if isinstance(models_raw, Mapping):
        models_raw = [f"{k}={v}" for k, v in models_raw.items()]
    models = tuple(parse_model(m) for m in models_raw)
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ConfigError(f"model names must be unique, got {names}")
    thresholds = Thresholds()
    threshold_values: dict[str, Any] = dict(file_settings.get("thresholds", {}))
    for item in cli.get("threshold_overrides") or []:
        key, value = parse_assignment(item, "threshold")
        threshold_values[key] = value
    try:
        thresholds = thresholds.with_overrides(threshold_values)
    except (KeyError, ValueError) as exc:
        raise ConfigError(str(exc).strip("'\"")) from None
    device = str(merged.get("device", "auto"))
    if device not in ("auto", "cpu") and not device.startswith("cuda"):
        raise ConfigError(f"bad device {device!r}: use cpu, cuda, cuda:N or auto")
    divergence = str(merged.get("divergence", "central"))
    if divergence not in ("central", "spectral"):
        raise ConfigError(f"bad divergence operator {divergence!r}: use central or spectral")
    dtype = str(merged.get("dtype", "float32"))
    if dtype not in ("float32", "float64", "bfloat16"):
        raise ConfigError(f"bad dtype {dtype!r}: use float32, float64 or bfloat16")
    try:
        diagnostics = DiagnosticSettings(
            vrmse_convention=str(merged.get("vrmse_convention", "well")),
            divergence_method=divergence,
            spectrum_steps=tuple(
                int(s) for s in merged.get("spectrum_steps", DiagnosticSettings.spectrum_steps)
            ),
            n_perturbations=int(merged.get("perturbations", 5)),
            noise_eps=float(merged.get("noise", 1e-6)),
            seed=int(merged.get("seed", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad diagnostic setting: {exc}") from None
    window = str(merged.get("window", "early"))
    from physcheck.data.windows import parse_window  # torch-free

    try:
        parse_window(window)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Settings(
        models=models,
        data=str(merged["data"]) if merged.get("data") else None,
        split=str(merged.get("split", "test")),
        window=window,
        trajectories=parse_trajectories(merged.get("trajectories")),
        device=device,
        checks=parse_checks(merged["checks"]) if merged.get("checks") else CHECK_NAMES,
        thresholds=thresholds,
        diagnostics=diagnostics,
        json_path=str(merged["json"]) if merged.get("json") else None,
        use_cache=bool(merged.get("cache", True)),
        cache_dir=str(merged.get("cache_dir", ".physcheck-cache")),
        guide_axis=int(merged.get("guide_axis", 0)),
        dtype=dtype,
        snapshot=bool(merged.get("snapshot", True)),
        snapshot_dir=str(merged.get("snapshot_dir", "__snapshots__/physcheck")),
        snapshot_rtol=float(merged["snapshot_rtol"])
        if merged.get("snapshot_rtol") is not None
        else None,
        snapshot_atol=float(merged["snapshot_atol"])
        if merged.get("snapshot_atol") is not None
        else None,
    )


def with_models(settings: Settings, models: tuple[ModelEntry, ...]) -> Settings:
    return replace(settings, models=models)
