"""What every figure of the report shares: matplotlib on the Agg backend (or
``ReportUnavailable`` with the fix), the styles of the truth, the bounds and the pass bands, a
colour per model, values for a log axis, and the pass/fail bounds drawn and tagged (the
artist's gid is ``bound:NAME:VALUE``) so that ``bounds_of`` reads them back."""

from __future__ import annotations

from typing import Any

import numpy as np

from physcheck.report.availability import require_matplotlib

plt = require_matplotlib()
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

TRUTH_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1.5}
BOUND_STYLE = {"color": "red", "linewidth": 0.9, "linestyle": ":"}
#: the pass band shading of a ratio that must stay between two bounds
BAND_STYLE = {"color": "green", "alpha": 0.08, "linewidth": 0}


def model_colors(n: int) -> list[Any]:
    """One colour per model (tab10, repeating)."""
    cmap = plt.get_cmap("tab10")
    return [cmap(i % 10) for i in range(n)]


def log_values(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: non-positive and non-finite entries become NaN (a gap)."""
    out = np.array(values, dtype=float)
    out[~np.isfinite(out) | (out <= 0)] = np.nan
    return out


def bound_gid(name: str, value: float) -> str:
    """The gid that tags an artist as the bound ``name`` at ``value``."""
    return f"bound:{name}:{value:g}"


def hbound(ax: Any, value: float, name: str, label: str | None = None) -> None:
    """A horizontal pass/fail bound at ``value`` (threshold ``name``)."""
    line = ax.axhline(value, label=label, **BOUND_STYLE)
    line.set_gid(bound_gid(name, value))


def pass_band(ax: Any, low: float, high: float, low_name: str, high_name: str) -> None:
    """The pass band ``low <= y <= high``: shaded, with both bounds drawn."""
    span = ax.axhspan(low, high, **BAND_STYLE)
    span.set_gid(f"band:{low_name}:{high_name}")
    hbound(ax, low, low_name, f"pass band {low:g}-{high:g}")
    hbound(ax, high, high_name)


def bounds_of(fig: Figure) -> list[tuple[str, float]]:
    """The bounds drawn on ``fig``: ``(threshold name, value)`` per tagged artist, in drawing
    order, without repeats (a bound drawn on several panels counts once)."""
    out: list[tuple[str, float]] = []
    for artist in fig.findobj(lambda a: str(a.get_gid() or "").startswith("bound:")):
        _, name, value = str(artist.get_gid()).split(":", 2)
        entry = (name, float(value))
        if entry not in out:
            out.append(entry)
    return out


def finish(fig: Figure, title: str) -> Figure:
    """``fig`` with its title, laid out."""
    fig.suptitle(title)
    fig.tight_layout()
    return fig


__all__ = [
    "BAND_STYLE",
    "BOUND_STYLE",
    "TRUTH_STYLE",
    "Figure",
    "NullFormatter",
    "bound_gid",
    "bounds_of",
    "finish",
    "hbound",
    "log_values",
    "model_colors",
    "pass_band",
    "plt",
]
