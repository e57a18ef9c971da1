"""physcheck's settings: one table (``SETTINGS``) says, for every setting, its key in
``[tool.physcheck]`` / ``physcheck.toml``, its command-line option, its help and how its value
is parsed. The plugin builds its options from the table and ``build_settings`` merges the file
with the command line (which wins) into one typed, validated ``Settings``. Torch-free.

Adding a setting: one ``Setting`` row here and one ``Settings`` field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from physcheck.config.checks import check_names
from physcheck.config.saved_spec import SAVED_HELP, SAVED_PREFIX, index_ranges
from physcheck.config.specs import ModelSpec, parse_model
from physcheck.config.thresholds import DiagnosticSettings, Thresholds
from physcheck.data.formats import FORMATS, format_names
from physcheck.data.windows import Window, parse_window
from physcheck.errors import ConfigError, DataError
from physcheck.formatting import redact_url

#: base precisions a rollout can run in
DTYPES = ("float32", "float64", "bfloat16")
#: precisions of the precision check's twin rollout
REFERENCE_DTYPES = ("float64", "float32")
DIVERGENCE_OPERATORS = ("central", "spectral")
VRMSE_CONVENTIONS = ("well", "ddof0")


# -- parsers: raw value (TOML value or command-line text) -> typed value, or ConfigError ----------
def _type_error(key: str, expected: str, raw: Any) -> ConfigError:
    return ConfigError(
        f"setting {key!r} must be {expected}, got {type(raw).__name__} {raw!r}"
    )


def _text(key: str, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _type_error(key, "a string", raw)
    return raw


def _optional_text(key: str, raw: Any) -> str | None:
    if raw is None:
        return None
    text = _text(key, raw) if not hasattr(raw, "__fspath__") else str(raw)
    return text or None


def _boolean(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    raise _type_error(key, "true or false", raw)


def _integer(key: str, raw: Any, *, low: int | None = None, high: int | None = None) -> int:
    if isinstance(raw, bool):
        raise _type_error(key, "an integer", raw)
    try:
        value = int(raw) if isinstance(raw, (int, str)) else None
    except ValueError:
        value = None
    if value is None:
        raise _type_error(key, "an integer", raw)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ConfigError(f"setting {key!r} must be {bounds}, got {value}")
    return value


def _number(key: str, raw: Any, *, nonnegative: bool = True) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _type_error(key, "a number", raw)
    try:
        value = float(raw)
    except ValueError:
        raise _type_error(key, "a number", raw) from None
    if not math.isfinite(value):
        raise ConfigError(f"setting {key!r} must be a finite number, got {raw!r}")
    if nonnegative and value < 0:
        raise ConfigError(f"setting {key!r} must not be negative, got {raw!r}")
    return value


def _positive_seconds(key: str, raw: Any) -> float:
    value = _number(key, raw)
    if value <= 0:
        raise ConfigError(f"setting {key!r} must be > 0 seconds, got {raw!r}")
    return value


def _auto_or_count(key: str, raw: Any) -> int | None:
    """``auto`` (``None``) or an integer >= 1."""
    if isinstance(raw, str) and raw.strip().lower() == "auto":
        return None
    return _integer(key, raw, low=1)


def _choice(key: str, raw: Any, choices: tuple[str, ...], what: str) -> str:
    text = _text(key, raw).strip()
    if text not in choices:
        raise ConfigError(f"bad {what} {text!r}: use {' or '.join(choices)}")
    return text


def _named_entries(key: str, raw: Any, value: str) -> list[Any]:
    """A table ``{NAME = VALUE}``, a list of ``NAME=VALUE`` strings or one such string, as a
    list of ``NAME=VALUE`` strings (anything else in the list is passed on for the caller to
    reject with its own message)."""
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, Mapping):
        raw = [f"{k}={v}" if isinstance(v, str) else (k, v) for k, v in raw.items()]
    if not isinstance(raw, (list, tuple)):
        raise _type_error(key, f"a table NAME = {value} or a list of 'NAME={value}' strings", raw)
    return list(raw)


def parse_models(raw: Any) -> tuple[ModelSpec, ...]:
    """A table ``{NAME = SPEC}``, a list of ``NAME=SPEC`` strings or one such string."""
    models = []
    for item in _named_entries("models", raw, "SPEC"):
        if not isinstance(item, str):
            raise ConfigError(
                f"setting 'models': each model must be 'NAME=SPEC' text, got {item!r}"
            )
        models.append(parse_model(item))
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ConfigError(f"model names must be unique, got {names}")
    return tuple(models)


def parse_predictions(raw: Any) -> tuple[ModelSpec, ...]:
    """Saved rollouts: a table ``{NAME = "PATH[,...]"}``, a list of ``NAME=PATH[,...]`` strings
    or one such string, each a model of spec ``saved:PATH[,...]``."""
    specs = []
    for item in _named_entries("predictions", raw, "PATH"):
        name, sep, body = str(item).partition("=") if isinstance(item, str) else ("", "", "")
        if not sep or not body.strip():
            raise ConfigError(f"bad saved rollouts {item!r}: {SAVED_HELP}")
        specs.append(parse_model(f"{name.strip()}={SAVED_PREFIX}{body.strip()}"))
    return tuple(specs)


def _switch(key: str, raw: Any, *, auto: bool = False) -> bool | None:
    """``on``/``true`` or ``off``/``false`` (and ``auto``, ``None``, where ``auto`` is allowed)."""
    if isinstance(raw, bool):
        return raw
    text = _text(key, raw).strip().lower()
    choices: dict[str, bool | None] = {"on": True, "true": True, "off": False, "false": False}
    if auto:
        choices["auto"] = None
    if text not in choices:
        allowed = "on, off or auto" if auto else "on or off"
        raise ConfigError(f"bad {key} setting {raw!r}: use {allowed}")
    return choices[text]


def parse_batch(raw: Any) -> bool | None:
    """``on``/``true``, ``off``/``false`` or ``auto`` (``None``: decided by the device)."""
    return _switch("batch", raw, auto=True)


def parse_early_stop(raw: Any) -> bool:
    """``on``/``true`` or ``off``/``false``."""
    return bool(_switch("early_stop", raw))


def parse_executor(raw: Any) -> str | None:
    """``dask://HOST:PORT`` (or nothing: rollouts run in the session's processes)."""
    text = _optional_text("executor", raw)
    if text is None:
        return None
    address = text[len("dask://") :].strip() if text.startswith("dask://") else ""
    host, sep, port = address.rpartition(":")
    host = host.strip("[]")
    if not text.startswith("dask://") or not address:
        raise ConfigError(f"bad executor {text!r}: use dask://HOST:PORT (a Dask scheduler's address)")
    if not sep or not host or any(c in host for c in "/@ ") or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"bad executor {text!r}: the scheduler's address needs a host and a port in 1..65535, "
            "as in dask://127.0.0.1:8786"
        )
    return text


def parse_timeout(raw: Any) -> float:
    """Seconds, > 0."""
    return _positive_seconds("timeout", raw)


def parse_trajectories(raw: Any) -> tuple[int, ...] | None:
    """``all``, ``0,2,5``, ``0-3`` (inclusive) or a list of indices; ``None`` means all."""
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        if not all(isinstance(t, int) and not isinstance(t, bool) for t in raw):
            raise _type_error("trajectories", "a list of integers", raw)
        values = list(raw)
    else:
        text = str(raw).strip().lower() if isinstance(raw, (str, int)) else None
        if text is None:
            raise _type_error("trajectories", "'all', '0,2,5', '0-3' or a list", raw)
        if text in ("", "all"):
            return None
        try:
            values = index_ranges(text, ",")
        except ValueError as exc:
            raise ConfigError(
                f"bad trajectories {text!r}: {exc}; use 'all', '0,2,5' or '0-3'"
            ) from None
    if not values:
        raise ConfigError("setting 'trajectories' selects no trajectory; use 'all', '0,2,5' or '0-3'")
    if any(t < 0 for t in values):
        raise ConfigError(f"trajectories are indices >= 0, got {sorted(values)}")
    return tuple(sorted(set(values)))


def parse_checks(raw: Any) -> tuple[str, ...]:
    """A comma-separated string or a list of check names -> the names, in report order."""
    if isinstance(raw, str):
        names = [n.strip() for n in raw.split(",") if n.strip()]
    elif isinstance(raw, (list, tuple)) and all(isinstance(n, str) for n in raw):
        names = [n.strip() for n in raw if n.strip()]
    else:
        raise _type_error("checks", "a list of check names or 'a,b,c' text", raw)
    known = check_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"unknown check(s) {', '.join(unknown)}; known checks: {', '.join(known)}"
        )
    if not names:
        raise ConfigError(f"no check selected; choose among: {', '.join(known)}")
    return tuple(n for n in known if n in names)


def parse_starts(raw: Any) -> tuple[int, ...] | None:
    """``3,17,31`` or a list of frames -> the start frames of the basin map's windows."""
    if raw is None:
        return None
    items = [p for p in raw.split(",") if p.strip()] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not items:
        raise _type_error("starts", "a list of frames, e.g. 3,17,31", raw)
    return tuple(sorted({_integer("starts", s, low=1) for s in items}))


def parse_window_setting(raw: Any) -> Window:
    try:
        return parse_window(_text("window", raw))
    except DataError as exc:
        raise ConfigError(str(exc)) from None


def parse_device(raw: Any) -> str:
    device = _text("device", raw).strip()
    if device not in ("auto", "cpu") and not (
        device == "cuda" or (device.startswith("cuda:") and device[5:].isdigit())
    ):
        raise ConfigError(f"bad device {device!r}: use cpu, cuda, cuda:N or auto")
    return device


def parse_spectrum_steps(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, str):
        raw = [p for p in raw.split(",") if p.strip()]
    if not isinstance(raw, (list, tuple)):
        raise _type_error("spectrum_steps", "a list of steps", raw)
    return tuple(_integer("spectrum_steps", s, low=1) for s in raw)


def parse_threshold_table(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise _type_error("thresholds", "a table of NAME = VALUE", raw)
    return dict(raw)


def _formats_help() -> str:
    """``hdf5 (Well layout, default), npz or pt``: the prediction formats, the default first."""
    names = [
        f"{cls.name} ({cls.note + ', ' if cls.note else ''}default)" if i == 0 else cls.name
        for i, cls in enumerate(FORMATS.values())
    ]
    return f"{', '.join(names[:-1])} or {names[-1]}"


CliKind = Literal["value", "append", "disable", "enable"]


@dataclass(frozen=True)
class Setting:
    """One setting: ``key`` in the config file, ``option`` on the command line (``None``: file
    only), ``cli`` how the option is given (``value``; ``append``: repeatable; ``disable``: a
    ``--physcheck-no-...`` flag that sets the key to false; ``enable``: a flag that sets it
    true), ``parse`` raw -> typed value, ``default`` (raw, before parsing), ``help``."""

    key: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    option: str | None = None
    metavar: str | None = None
    cli: CliKind = "value"
    file: bool = True

    @property
    def dest(self) -> str:
        """The attribute name of the option on pytest's ``config.option``."""
        assert self.option is not None
        return self.option.lstrip("-").replace("-", "_")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "models",
        parse_models,
        (),
        "a model to check (repeatable): reference, demo, walrus:CONFIG.yaml:CHECKPOINT.pt or "
        "package.module:attr; append +projection to project each frame onto div B = 0",
        "--physcheck-model",
        "NAME=SPEC",
        "append",
    ),
    Setting(
        "fallback_models",
        parse_models,
        (),
        "a model to check only when none is configured anywhere (repeatable; physcheck run "
        "gives its defaults this way)",
        "--physcheck-fallback-model",
        "NAME=SPEC",
        "append",
        file=False,
    ),
    Setting(
        "predictions",
        parse_predictions,
        (),
        "gate rollouts computed elsewhere (repeatable): a Well-format .hdf5, .npz or .pt file of "
        "[B, K, X, Y, Z, C] frames, e.g. from physcheck export; NAME=PATH[,start=N]"
        "[,trajectories=0-3][,history=T][,float64=PATH][,noise0=PATH...] when the file does "
        "not record them",
        "--physcheck-predictions",
        "NAME=PATH",
        "append",
    ),
    Setting(
        "data",
        lambda raw: _optional_text("data", raw),
        None,
        "Well dataset dir, split dir or .hdf5 file (default: the 32^3 default set, built on first use; PHYSCHECK_DATASET picks another)",
        "--physcheck-data",
        "PATH",
    ),
    Setting(
        "split",
        lambda raw: _text("split", raw),
        "test",
        "split of a dataset dir (default: test)",
        "--physcheck-split",
        "SPLIT",
    ),
    Setting(
        "manifest",
        lambda raw: _optional_text("manifest", raw),
        None,
        "refuse data that do not match this dataset manifest (a JSON file from `physcheck data "
        "manifest`, a shipped name such as mhd64 or smoke, or auto: the data's dataset_name)",
        "--physcheck-manifest",
        "PATH_OR_NAME",
    ),
    Setting(
        "window",
        parse_window_setting,
        "early",
        "early, paper or START:HISTORY:K (default: early)",
        "--physcheck-window",
        "WINDOW",
    ),
    Setting(
        "trajectories",
        parse_trajectories,
        None,
        "trajectories to check: all, 0,2,5 or 0-3 (default: all)",
        "--physcheck-trajectories",
        "LIST",
    ),
    Setting(
        "device",
        parse_device,
        "auto",
        "cpu, cuda, cuda:N or auto (default: auto)",
        "--physcheck-device",
        "DEVICE",
    ),
    Setting(
        "dtype",
        lambda raw: _choice("dtype", raw, DTYPES, "dtype"),
        "float32",
        "precision of the base rollout: float32 (default), bfloat16 (autocast: float32 weights "
        "and state, bfloat16 operations) or float64",
        "--physcheck-dtype",
        "DTYPE",
    ),
    Setting(
        "reference_dtype",
        lambda raw: _choice("reference_dtype", raw, REFERENCE_DTYPES, "reference precision"),
        "float64",
        "precision of the twin rollout the precision check compares the base rollout with: "
        "float64 (default) or float32 (for a bfloat16 base)",
        "--physcheck-reference-dtype",
        "DTYPE",
    ),
    Setting(
        "checks",
        parse_checks,
        None,
        "comma-separated subset of the checks (default: all)",
        "--physcheck-checks",
        "LIST",
    ),
    Setting(
        "thresholds",
        parse_threshold_table,
        {},
        "override a threshold (repeatable), e.g. solenoidality_factor=5",
        "--physcheck-threshold",
        "NAME=VALUE",
        "append",
    ),
    Setting(
        "perturbations",
        lambda raw: _integer("perturbations", raw, low=0),
        5,
        "perturbed rollouts for basin_determinism (default: 5)",
        "--physcheck-perturbations",
        "N",
    ),
    Setting(
        "noise",
        lambda raw: _number("noise", raw),
        1e-6,
        "relative input noise of the perturbed rollouts (default: 1e-6)",
        "--physcheck-noise",
        "EPS",
    ),
    Setting("seed", lambda raw: _integer("seed", raw, low=0), 0, "base seed of every rollout"),
    Setting(
        "executor",
        lambda raw: parse_executor(raw),
        None,
        "run the rollouts on a Dask cluster: dask://HOST:PORT, the scheduler's address (one task "
        "per model, trajectory and variant; needs physcheck[dask])",
        "--physcheck-executor",
        "URL",
    ),
    Setting(
        "timeout",
        parse_timeout,
        60.0,
        "seconds a remote data read (connect, or wait for bytes) and a Dask cluster (to show "
        "workers, to return each task's results) may take before it is one error; stalled or "
        "dropped reads are tried twice more (default: 60)",
        "--physcheck-timeout",
        "SECONDS",
    ),
    Setting(
        "batch",
        parse_batch,
        "auto",
        "roll the base and perturbed rollouts (and the equivariance rollouts) out as one batch: "
        "on, off or auto (default: on for CUDA, where small batches leave the GPU idle; off on "
        "the CPU, where large batches run slower per row)",
        "--physcheck-batch",
        "on|off|auto",
    ),
    Setting(
        "batch_rows",
        lambda raw: _auto_or_count("batch_rows", raw),
        "auto",
        "at most N rows (trajectories x variants) per forward pass (default auto: all of them, "
        "halved on a CUDA out-of-memory error)",
        "--physcheck-batch-rows",
        "N",
    ),
    Setting(
        "early_stop",
        parse_early_stop,
        "on",
        "stop computing a perturbed rollout once every trajectory has rejoined the unperturbed "
        "one (its last n_history frames equal bit for bit: the rest repeats it, so no number "
        "changes): on (default) or off, for a model whose step is not a function of its input "
        "window and the seeded random generators",
        "--physcheck-early-stop",
        "on|off",
    ),
    Setting(
        "divergence",
        lambda raw: _choice("divergence", raw, DIVERGENCE_OPERATORS, "divergence operator"),
        "central",
        "div B operator of the solenoidality check: central (default) or spectral",
        "--physcheck-divergence",
        "OP",
    ),
    Setting(
        "vrmse_convention",
        lambda raw: _choice("vrmse_convention", raw, VRMSE_CONVENTIONS, "VRMSE convention"),
        "well",
        "VRMSE variance convention: well (ddof 1, eps 1e-7) or ddof0",
    ),
    Setting(
        "spectrum_steps",
        parse_spectrum_steps,
        DiagnosticSettings.spectrum_steps,
        "rollout steps whose spectra are kept (step 1 and the last step always are)",
    ),
    Setting(
        "guide_axis",
        lambda raw: _integer("guide_axis", raw, low=0, high=2),
        0,
        "spatial axis of the guide field (0 = x)",
    ),
    Setting(
        "json",
        lambda raw: _optional_text("json", raw),
        None,
        "write every result and the settings used to this JSON file",
        "--physcheck-json",
        "PATH",
    ),
    Setting(
        "report",
        lambda raw: _optional_text("report", raw),
        None,
        "write the HTML report (needs matplotlib) to this directory",
        "--physcheck-report",
        "DIR",
    ),
    Setting(
        "cache",
        lambda raw: _boolean("cache", raw),
        True,
        "recompute rollouts instead of reading the disk cache",
        "--physcheck-no-cache",
        cli="disable",
    ),
    Setting(
        "cache_dir",
        lambda raw: _text("cache_dir", raw),
        ".physcheck-cache",
        "directory of the rollout cache",
    ),
    Setting(
        "snapshot",
        lambda raw: _boolean("snapshot", raw),
        True,
        "do not collect the snapshot tests of the suite",
        "--physcheck-no-snapshot",
        cli="disable",
    ),
    Setting(
        "snapshot_dir",
        lambda raw: _text("snapshot_dir", raw),
        "__snapshots__/physcheck",
        "where the suite's snapshot files live",
    ),
    Setting(
        "snapshot_rtol",
        lambda raw: None if raw is None else _number("snapshot_rtol", raw),
        None,
        "relative tolerance of snapshot comparisons",
    ),
    Setting(
        "snapshot_atol",
        lambda raw: None if raw is None else _number("snapshot_atol", raw),
        None,
        "absolute tolerance of snapshot comparisons",
    ),
    Setting(
        "starts",
        lambda raw: parse_starts(raw),
        None,
        "first predicted frames of extra windows for the basin map, e.g. 3,17,31 (each with the "
        "run's K and the model's history; basin, onset and perturbation spread per window)",
        "--physcheck-starts",
        "LIST",
    ),
    Setting(
        "threads",
        lambda raw: _auto_or_count("threads", raw),
        "auto",
        "torch CPU threads per process (default auto: the cores this process may use, divided "
        "among the pytest-xdist workers)",
        "--physcheck-threads",
        "N",
    ),
    Setting(
        "export",
        lambda raw: _optional_text("export", raw),
        None,
        "write each model's rollouts (those the selected checks need) to DIR/NAME.hdf5 instead of "
        "checking them (physcheck export)",
        "--physcheck-export",
        "DIR",
        file=False,
    ),
    Setting(
        "export_format",
        lambda raw: _choice("export_format", raw, format_names(), "export format"),
        format_names()[0],
        f"file format of --physcheck-export: {_formats_help()}",
        "--physcheck-export-format",
        "FORMAT",
        file=False,
    ),
    Setting(
        "only",
        lambda raw: _boolean("only", raw),
        False,
        "run only the physics suite (collect no test files)",
        "--physcheck-only",
        cli="enable",
        file=False,
    ),
    Setting(
        "step_timeout",
        lambda raw: _positive_seconds("step_timeout", raw),
        None,
        "seconds one model step may take; a step that takes longer fails the model's items "
        "naming the step (default: no limit)",
        "--physcheck-step-timeout",
        "SECONDS",
    ),
    Setting(
        "debug",
        lambda raw: _boolean("debug", raw),
        False,
        "show Python tracebacks of physcheck's errors instead of one line",
        "--physcheck-debug",
        cli="enable",
        file=False,
    ),
    Setting(
        "allow_skips",
        lambda raw: _boolean("allow_skips", raw),
        False,
        "accept a gate whose every selected check skipped (by default such a run fails: it "
        "judged nothing)",
        "--physcheck-allow-skips",
        cli="enable",
    ),
)
SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
FILE_KEYS = tuple(s.key for s in SETTINGS if s.file)


@dataclass(frozen=True)
class Settings:
    """Every setting of a run, parsed and validated (see ``SETTINGS`` for each one's meaning)."""

    models: tuple[ModelSpec, ...] = ()
    data: str | None = None
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

    def summary(self) -> dict[str, Any]:
        """The settings as plain JSON-able data (written into the results file)."""
        return {
            "models": {m.name: m.text for m in self.models},
            "data": redact_url(self.data) if self.data else None,
            "split": self.split,
            "window": self.window.label,
            "trajectories": list(self.trajectories) if self.trajectories is not None else "all",
            "device": self.device,
            "dtype": self.dtype,
            "reference_dtype": self.reference_dtype,
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
            "starts": list(self.starts) if self.starts else None,
        }


def _given(value: Any) -> bool:
    return value not in (None, [], (), False)


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
    ``cli["thresholds"]`` is a list of ``NAME=VALUE`` overrides applied over the file's table."""
    unknown = sorted(set(file_settings) - set(FILE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown physcheck setting(s) {', '.join(unknown)}; known: {', '.join(sorted(FILE_KEYS))}"
        )
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = file_settings.get(setting.key, setting.default) if setting.file else setting.default
        given = cli.get(setting.key)
        if setting.key == "thresholds":
            table = parse_threshold_table(raw)
            for item in given or []:
                name, sep, value = str(item).partition("=")
                if not sep or not name.strip():
                    raise ConfigError(f"bad threshold {item!r}: use NAME=VALUE")
                table[name.strip()] = value.strip()
            values["thresholds"] = Thresholds().with_overrides(table)
            continue
        if setting.cli == "disable" and given:
            raw = False
        elif setting.cli == "enable" and given:
            raw = True
        elif setting.cli in ("value", "append") and _given(given):
            raw = given
        values[setting.key] = None if raw is None else setting.parse(raw)
    diagnostics = DiagnosticSettings(
        vrmse_convention=values["vrmse_convention"],
        divergence_method=values["divergence"],
        spectrum_steps=values["spectrum_steps"],
        n_perturbations=values["perturbations"],
        noise_eps=values["noise"],
        seed=values["seed"],
    )
    checks = values["checks"] if values["checks"] is not None else check_names()
    if "basin_determinism" in checks and values["perturbations"] > 0 and values["noise"] == 0:
        raise ConfigError(
            "noise 0 makes basin_determinism vacuous (every perturbed rollout would be the "
            "unperturbed one): give a relative noise > 0 (--physcheck-noise 1e-6, the default), "
            "or leave the check out (--physcheck-checks without basin_determinism)"
        )
    models = _run_models(
        values["models"],
        values["predictions"],
        values["fallback_models"],
        models_from_file=not _given(cli.get("models")),
    )
    return Settings(
        models=models,
        data=values["data"],
        split=values["split"],
        manifest=values["manifest"],
        window=values["window"],
        trajectories=values["trajectories"],
        device=values["device"],
        checks=checks,
        thresholds=values["thresholds"],
        diagnostics=diagnostics,
        json_path=values["json"],
        report_dir=values["report"],
        use_cache=values["cache"],
        cache_dir=values["cache_dir"],
        guide_axis=values["guide_axis"],
        dtype=values["dtype"],
        reference_dtype=values["reference_dtype"],
        snapshot=values["snapshot"],
        snapshot_dir=values["snapshot_dir"],
        snapshot_rtol=values["snapshot_rtol"],
        snapshot_atol=values["snapshot_atol"],
        threads=values["threads"],
        starts=values["starts"],
        only=values["only"],
        allow_skips=values["allow_skips"],
        debug=values["debug"],
        step_timeout=values["step_timeout"],
        export_dir=values["export"],
        batch_variants=values["batch"],
        executor=values["executor"],
        batch_rows=values["batch_rows"],
        early_stop=values["early_stop"],
        export_format=values["export_format"],
        timeout=values["timeout"],
    )


__all__ = [
    "DTYPES",
    "SETTINGS",
    "Setting",
    "Settings",
    "build_settings",
    "parse_checks",
    "parse_models",
    "parse_predictions",
    "parse_trajectories",
]
