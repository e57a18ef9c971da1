"""physcheck's settings of a run: ``Settings``, every value typed and validated, built by
``build_settings`` from the file settings and the command line (which wins). Both the build and
``Settings.summary`` are loops over the settings table (``physcheck.config.table.SETTINGS``):
each row names the ``Settings`` field it fills. Torch-free.

Adding a setting: one ``Setting`` row in ``physcheck.config.table`` and one ``Settings`` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from physcheck.baseline.numbers import BaselineSettings
from physcheck.config.checks import check_names
from physcheck.config.parsers import (
    parse_checks,
    parse_models,
    parse_predictions,
    parse_trajectories,
)
from physcheck.config.row import Setting, given_on_command_line
from physcheck.config.specs import ModelSpec
from physcheck.config.table import DTYPES, FILE_KEYS, SETTINGS, SETTINGS_BY_KEY
from physcheck.config.thresholds import DiagnosticSettings, Thresholds
from physcheck.data.windows import Window, parse_window
from physcheck.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    """Every setting of a run, parsed and validated (see ``SETTINGS`` for each one's meaning)."""

    models: tuple[ModelSpec, ...] = ()
    data: str | None = None
    profile: str | None = None
    split: str = "test"
    manifest: str | None = None
    window: Window = field(default_factory=lambda: parse_window("early"))
    trajectories: tuple[int, ...] | None = None
    device: str = "auto"
    checks: tuple[str, ...] = field(default_factory=check_names)
    thresholds: Thresholds = field(default_factory=Thresholds)
    diagnostics: DiagnosticSettings = field(default_factory=DiagnosticSettings)
    json_path: str | None = None
    report_dir: str | None = None
    baseline: BaselineSettings | None = None
    compare: tuple[tuple[str, str], ...] = ()
    markdown_path: str | None = None
    use_cache: bool = True
    cache_dir: str = ".physcheck-cache"
    guide_axis: int = 0
    dtype: str = "float32"
    reference_dtype: str = "float64"
    snapshot: bool = True
    snapshot_dir: str = "__snapshots__/physcheck"
    snapshot_rtol: float | None = None
    snapshot_atol: float | None = None
    threads: int | None = None
    starts: tuple[int, ...] | None = None
    only: bool = False
    allow_skips: bool = False
    debug: bool = False
    step_timeout: float | None = None
    export_dir: str | None = None
    export_format: str = "hdf5"
    batch_variants: bool | None = None
    executor: str | None = None
    batch_rows: int | None = None
    early_stop: bool = True
    timeout: float = 60.0

    def get(self, path: str) -> Any:
        """The value of a (dotted) field, e.g. ``diagnostics.noise_eps``."""
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part)
        return value

    def summary(self) -> dict[str, Any]:
        """The settings as plain JSON-able data (written into the results file): every row of
        the table with a ``show``, nested like its field."""
        out: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.show is not None and setting.field is not None:
                *parents, name = setting.field.split(".")
                target = out
                for parent in parents:
                    target = target.setdefault(parent, {})
                target[name] = setting.show(self.get(setting.field))
        return out


def _assemble(cls: Any, values: Mapping[str, Any]) -> Any:
    """``cls(**values)`` where dotted keys (``diagnostics.seed``) fill nested dataclass fields
    (made from the field's default and the given values)."""
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        head, dot, rest = path.partition(".")
        if dot:
            nested.setdefault(head, {})[rest] = value
        else:
            top[head] = value
    defaults = cls()
    for head, given in nested.items():
        top[head] = replace(getattr(defaults, head), **given)
    return cls(**top)


def _run_models(
    models: tuple[ModelSpec, ...],
    predictions: tuple[ModelSpec, ...],
    fallback: tuple[ModelSpec, ...],
    *,
    models_from_file: bool,
) -> tuple[ModelSpec, ...]:
    """The models a run checks: the configured models and saved rollouts, where saved rollouts
    named like a model of the settings file replace it (export a configured model, then gate
    the file under the same name); the fallback models only when neither is configured."""
    if models_from_file:
        replaced = {p.name for p in predictions}
        models = tuple(m for m in models if m.name not in replaced)
    run = tuple(models) + tuple(predictions)
    names = [m.name for m in run]
    if len(set(names)) != len(names):
        raise ConfigError(f"model names must be unique across models and predictions, got {names}")
    return run or tuple(fallback)


def build_settings(file_settings: Mapping[str, Any], cli: Mapping[str, Any]) -> Settings:
    """Merge file settings (``[tool.physcheck]``) with command-line values (keyed like the file;
    ``None``, empty or false = not given) into ``Settings``; the command line wins.
    ``cli["thresholds"]`` is a list of ``NAME=VALUE`` overrides applied over the file's table.
    A setting left unset (``None``) keeps its field's default."""
    unknown = sorted(set(file_settings) - set(FILE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown physcheck setting(s) {', '.join(unknown)}; known: {', '.join(sorted(FILE_KEYS))}"
        )
    values: dict[str, Any] = {}
    inputs: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.value(file_settings, cli)
        if setting.field is None:
            inputs[setting.key] = value
        elif value is not None:
            values[setting.field] = value
    checks = values.get("checks", check_names())
    if (
        "basin_determinism" in checks
        and values["diagnostics.n_perturbations"] > 0
        and values["diagnostics.noise_eps"] == 0
    ):
        raise ConfigError(
            "noise 0 makes basin_determinism vacuous (every perturbed rollout would be the "
            "unperturbed one): give a relative noise > 0 (--physcheck-noise 1e-6, the default), "
            "or leave the check out (--physcheck-checks without basin_determinism)"
        )
    values["models"] = _run_models(
        values["models"],
        inputs["predictions"],
        inputs["fallback_models"],
        models_from_file=not given_on_command_line(cli.get("models")),
    )
    settings: Settings = _assemble(Settings, values)
    return settings


__all__ = [
    "DTYPES",
    "SETTINGS",
    "SETTINGS_BY_KEY",
    "Setting",
    "Settings",
    "build_settings",
    "parse_checks",
    "parse_models",
    "parse_predictions",
    "parse_trajectories",
]
