"""physcheck: physics regression tests for neural PDE surrogates.

The package imports nothing heavy at import time (no torch), so that the pytest
plugin loads instantly in every pytest session. Public entry points are
resolved lazily on first attribute access:

- ``physcheck.rollout(model, history, n_steps, **options)``: the rollout engine.
- ``physcheck.models.load(spec, **options)``: build a surrogate from a spec.
- ``physcheck.diagnostics``: the exact diagnostics of the specification.
- ``physcheck.assert_<check>(...)``: one assertion helper per physics check;
  ``physcheck.assert_check(name, ...)`` for any check, your own included.
- ``physcheck.register_check(name, function, summary=...)``: add a check to the suite.
- ``physcheck.Suite(settings)``: the whole pipeline as a library object.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"

# attribute -> "module:attribute" resolved on first access
_LAZY: dict[str, str] = {
    "rollout": "physcheck.engine:rollout",
    "RolloutResult": "physcheck.engine:RolloutResult",
    "Suite": "physcheck.suite:Suite",
    "register_check": "physcheck.config.checks:register_check",
    "PhyscheckError": "physcheck.errors:PhyscheckError",
}
_LAZY_ASSERTIONS = "physcheck.checks.assertions"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, _, attr = _LAZY[name].partition(":")
        value = getattr(importlib.import_module(module_name), attr)
        globals()[name] = value
        return value
    if name.startswith("assert_"):
        module = importlib.import_module(_LAZY_ASSERTIONS)
        if hasattr(module, name):
            value = getattr(module, name)
            globals()[name] = value
            return value
    if name in {
        "diagnostics",
        "data",
        "sim",
        "models",
        "checks",
        "strategies",
        "report",
        "datasets",
        "config",
        "errors",
        "records",
        "outputs",
        "snapshot",
    }:
        return importlib.import_module(f"physcheck.{name}")
    raise AttributeError(f"module 'physcheck' has no attribute {name!r}")
