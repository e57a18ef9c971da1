"""What a run shows: the key numbers, series and snapshot payloads of each model
(``payloads``), the results JSON (``results``), the terminal summary (``summary``) and the
run's provenance (``provenance``). Names load on first access (``physcheck.lazy``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from physcheck.lazy import lazy_attributes

_LAZY = {
    "key_numbers": "physcheck.outputs.payloads",
    "series": "physcheck.outputs.payloads",
    "snapshot_payload": "physcheck.outputs.payloads",
    "provenance": "physcheck.outputs.provenance",
    "results_document": "physcheck.outputs.results",
    "write_results": "physcheck.outputs.results",
    "summary_lines": "physcheck.outputs.summary",
}
__all__ = [
    "key_numbers",
    "provenance",
    "results_document",
    "series",
    "snapshot_payload",
    "summary_lines",
    "write_results",
]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

if TYPE_CHECKING:
    from physcheck.outputs.payloads import key_numbers, series, snapshot_payload
    from physcheck.outputs.provenance import provenance
    from physcheck.outputs.results import results_document, write_results
    from physcheck.outputs.summary import summary_lines
