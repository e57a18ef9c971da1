"""How numbers read in messages, the summary and the report: one formatter for all."""

from __future__ import annotations

import math
from typing import Any


def fmt(value: Any, *, missing: str = "n/a", digits: int = 3) -> str:
    """A compact number: ``digits`` significant digits, NaN/Inf spelled out, ``missing`` for
    ``None``; anything that is not a number (labels, text) is shown with ``str``."""
    if value is None:
        return missing
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return f"{value:.{digits}g}"


__all__ = ["fmt"]
