"""The physics checks: one module per family (``accuracy``, ``magnetic``, ``variance``,
``robustness``, ``conservation``), the derived numbers they judge (``measures``), what they see
(``context``) and return (``result``), and assertion helpers (``assertions``).

The catalogue of checks (names, summaries, figures) lives in ``physcheck.config.checks``;
``register_check`` adds your own. Importing this package is torch-free; the modules with
tensors load on use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from physcheck.checks.result import CheckResult, test_id
from physcheck.config.checks import CheckSpec, check_names, check_spec, register_check
from physcheck.lazy import lazy_attributes

_LAZY = {
    "CheckContext": "physcheck.checks.context",
    "Measures": "physcheck.checks.measures",
    "run_checks": "physcheck.checks.run",
    "run_check": "physcheck.checks.run",
}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

if TYPE_CHECKING:
    from physcheck.checks.context import CheckContext
    from physcheck.checks.measures import Measures
    from physcheck.checks.run import run_check, run_checks


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
