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





#: query parameters whose values are secrets (signed URLs, tokens)
_SECRET_QUERY = ("token", "sig", "signature", "key", "password", "secret", "credential", "x-amz-")


def redact_url(text: str) -> str:
    """``text`` with any credentials of a URL removed: ``user:password@`` dropped and the
    values of secret-looking query parameters (``token``, ``sig``, ``X-Amz-*``...) replaced by
    ``***``. Plain paths come back unchanged."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, "***" if k.lower().startswith(_SECRET_QUERY) else v) for k, v in pairs],
            safe="*",
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
def step_line(name: str, label: str, step: int, n_steps: int, elapsed: float) -> str:
    """A rollout's progress: ``  NAME (LABEL): step k/K, R steps/s, ETA T s`` (indented, so
    that a terminal can rewrite it in place)."""
    rate = step / elapsed if elapsed > 0 else math.inf
    eta = (n_steps - step) / rate if rate > 0 else math.inf
    return f"  {name} ({label}): step {step}/{n_steps}, {rate:.2g} steps/s, ETA {eta:.0f} s"


__all__ = ["fmt", "redact_url", "step_line"]
