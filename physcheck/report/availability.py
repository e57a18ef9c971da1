"""matplotlib is an optional extra: one place that says how to get it."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from physcheck.errors import OptionalDependencyError

INSTALL_HINT = 'the report needs matplotlib: pip install "physcheck[report]"'


class ReportUnavailable(OptionalDependencyError):
    """matplotlib is not installed; the message gives the install command."""


def matplotlib_missing_reason() -> str | None:
    """``None`` where matplotlib can be imported, else the install hint."""
    return None if importlib.util.find_spec("matplotlib") is not None else INSTALL_HINT


def require_matplotlib() -> ModuleType:
    """``matplotlib.pyplot`` on the non-interactive Agg backend, or ``ReportUnavailable``."""
    reason = matplotlib_missing_reason()
    if reason:
        raise ReportUnavailable(reason)
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt
