"""The HTML report of a run: figures (matplotlib, an optional extra) and a self-contained page.
Names load on first access (``physcheck.lazy``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from physcheck.lazy import lazy_attributes

_LAZY = {
    "build_figures": "physcheck.report.build",
    "write_report": "physcheck.report.build",
    "write_report_safely": "physcheck.report.build",
    "ReportUnavailable": "physcheck.report.availability",
    "matplotlib_missing_reason": "physcheck.report.availability",
}
__all__ = [
    "ReportUnavailable",
    "build_figures",
    "matplotlib_missing_reason",
    "write_report",
    "write_report_safely",
]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

if TYPE_CHECKING:
    from physcheck.report.availability import ReportUnavailable, matplotlib_missing_reason
    from physcheck.report.build import build_figures, write_report, write_report_safely
