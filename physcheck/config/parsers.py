"""How each setting's raw value (a TOML value or command-line text) becomes a typed value:
one function per kind of value, each raising a ``ConfigError`` that names the setting and
says how to write it. Torch-free."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from physcheck.config.checks import check_names
from physcheck.config.saved_spec import SAVED_HELP, SAVED_PREFIX, index_ranges
from physcheck.config.specs import ModelSpec, parse_model
from physcheck.config.thresholds import Thresholds
from physcheck.data.windows import Window, parse_window
from physcheck.errors import ConfigError, DataError


def type_error(key: str, expected: str, raw: Any) -> ConfigError:
    return ConfigError(
        f"setting {key!r} must be {expected}, got {type(raw).__name__} {raw!r}"
    )


def as_text(key: str, raw: Any) -> str:
    if not isinstance(raw, str):
        raise type_error(key, "a string", raw)
    return raw


def as_optional_text(key: str, raw: Any) -> str | None:
    if raw is None:
        return None
    text = as_text(key, raw) if not hasattr(raw, "__fspath__") else str(raw)
    return text or None


def parse_profile(raw: Any) -> str | None:
    """A registered dataset profile's name (``physcheck.profiles``; e.g. ``mhd``), ``generic``
    (the profile built from the data's own metadata) or ``None`` (the run finds its profile
    from the data's ``dataset_name`` and channels)."""
    name = as_optional_text("profile", raw)
    if name is not None:
        from physcheck.profiles import GENERIC, profile_named

        if name == GENERIC:
            return name

        profile_named(name)  # ConfigError listing the known profiles
    return name


def as_boolean(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    raise type_error(key, "true or false", raw)


def as_integer(key: str, raw: Any, *, low: int | None = None, high: int | None = None) -> int:
    if isinstance(raw, bool):
        raise type_error(key, "an integer", raw)
    try:
        value = int(raw) if isinstance(raw, (int, str)) else None
    except ValueError:
        value = None
    if value is None:
        raise type_error(key, "an integer", raw)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ConfigError(f"setting {key!r} must be {bounds}, got {value}")
    return value


def as_number(key: str, raw: Any, *, nonnegative: bool = True) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise type_error(key, "a number", raw)
    try:
        value = float(raw)
    except ValueError:
        raise type_error(key, "a number", raw) from None
    if not math.isfinite(value):
        raise ConfigError(f"setting {key!r} must be a finite number, got {raw!r}")
    if nonnegative and value < 0:
        raise ConfigError(f"setting {key!r} must not be negative, got {raw!r}")
    return value


def as_positive_seconds(key: str, raw: Any) -> float:
    value = as_number(key, raw)
    if value <= 0:
        raise ConfigError(f"setting {key!r} must be > 0 seconds, got {raw!r}")
    return value


def as_auto_or_count(key: str, raw: Any) -> int | None:
    """``auto`` (``None``) or an integer >= 1."""
    if isinstance(raw, str) and raw.strip().lower() == "auto":
        return None
    return as_integer(key, raw, low=1)


def as_choice(key: str, raw: Any, choices: tuple[str, ...], what: str) -> str:
    text = as_text(key, raw).strip()
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
        raise type_error(key, f"a table NAME = {value} or a list of 'NAME={value}' strings", raw)
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
    text = as_text(key, raw).strip().lower()
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
    text = as_optional_text("executor", raw)
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
    return as_positive_seconds("timeout", raw)


def parse_trajectories(raw: Any) -> tuple[int, ...] | None:
    """``all``, ``0,2,5``, ``0-3`` (inclusive) or a list of indices; ``None`` means all."""
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        if not all(isinstance(t, int) and not isinstance(t, bool) for t in raw):
            raise type_error("trajectories", "a list of integers", raw)
        values = list(raw)
    else:
        text = str(raw).strip().lower() if isinstance(raw, (str, int)) else None
        if text is None:
            raise type_error("trajectories", "'all', '0,2,5', '0-3' or a list", raw)
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
        raise type_error("checks", "a list of check names or 'a,b,c' text", raw)
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
        raise type_error("starts", "a list of frames, e.g. 3,17,31", raw)
    return tuple(sorted({as_integer("starts", s, low=1) for s in items}))


def parse_window_setting(raw: Any) -> Window:
    try:
        return parse_window(as_text("window", raw))
    except DataError as exc:
        raise ConfigError(str(exc)) from None


def parse_device(raw: Any) -> str:
    device = as_text("device", raw).strip()
    if device not in ("auto", "cpu") and not (
        device == "cuda" or (device.startswith("cuda:") and device[5:].isdigit())
    ):
        raise ConfigError(f"bad device {device!r}: use cpu, cuda, cuda:N or auto")
    return device


def parse_spectrum_steps(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, str):
        raw = [p for p in raw.split(",") if p.strip()]
    if not isinstance(raw, (list, tuple)):
        raise type_error("spectrum_steps", "a list of steps", raw)
    return tuple(as_integer("spectrum_steps", s, low=1) for s in raw)


def parse_threshold_table(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise type_error("thresholds", "a table of NAME = VALUE", raw)
    return dict(raw)


def merge_threshold_overrides(raw: Any, overrides: Any) -> dict[str, Any]:
    """The file's threshold table with the command line's ``NAME=VALUE`` overrides applied."""
    table = parse_threshold_table(raw)
    for item in overrides or []:
        name, sep, value = str(item).partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"bad threshold {item!r}: use NAME=VALUE")
        table[name.strip()] = value.strip()
    return table


def parse_thresholds(raw: Any) -> Thresholds:
    """A table ``{NAME = VALUE}`` -> ``Thresholds`` with those values."""
    return Thresholds().with_overrides(parse_threshold_table(raw))


__all__ = [
    "as_auto_or_count",
    "as_boolean",
    "as_choice",
    "as_integer",
    "as_number",
    "as_optional_text",
    "as_positive_seconds",
    "as_text",
    "merge_threshold_overrides",
    "parse_batch",
    "parse_checks",
    "parse_device",
    "parse_early_stop",
    "parse_executor",
    "parse_models",
    "parse_predictions",
    "parse_profile",
    "parse_spectrum_steps",
    "parse_starts",
    "parse_threshold_table",
    "parse_thresholds",
    "parse_timeout",
    "parse_trajectories",
    "parse_window_setting",
    "type_error",
]
