"""The physics checks: one module per family (``accuracy``, ``magnetic``, ``variance``,
``robustness``, ``conservation``), the derived numbers they judge (``measures``), what they see
(``context``) and return (``result``), and assertion helpers (``assertions``).

The catalogue of checks (names, summaries, figures) lives in ``physcheck.config.checks``;
``register_check`` adds your own. Importing this package is torch-free; the modules with
tensors load on use.
"""

from __future__ import annotations

import importlib
from typing import Any

from physcheck.checks.result import CheckResult, test_id
from physcheck.config.checks import CheckSpec, check_names, check_spec, register_check

_LAZY = {
    "CheckContext": "physcheck.checks.context",
    "Measures": "physcheck.checks.measures",
    "run_checks": "physcheck.checks.run",
    "run_check": "physcheck.checks.run",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'physcheck.checks' has no attribute {name!r}")


__all__ = [
    "CheckContext",
    "CheckResult",
    "CheckSpec",
    "Measures",
    "check_names",
    "check_spec",
    "register_check",
    "run_check",
    "run_checks",
    "test_id",
]
