"""Well-format data: windows, reading (by h5py slicing) and writing, with clear errors.

Names are resolved lazily (``physcheck.lazy``) so that ``physcheck.data.windows`` and
``physcheck.data.formats`` (torch-free) can be used by the plugin's option parsing without
importing torch and h5py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from physcheck.lazy import lazy_attributes

_LAZY = {
    "DataError": "physcheck.data.errors",
    "TrajectoryRef": "physcheck.data.well",
    "WellData": "physcheck.data.well",
    "open_dataset": "physcheck.data.well",
    "EARLY": "physcheck.data.windows",
    "PAPER": "physcheck.data.windows",
    "STANDARD_WINDOWS": "physcheck.data.windows",
    "Window": "physcheck.data.windows",
    "parse_window": "physcheck.data.windows",
}
__all__ = [
    "EARLY",
    "PAPER",
    "STANDARD_WINDOWS",
    "DataError",
    "TrajectoryRef",
    "WellData",
    "Window",
    "open_dataset",
    "parse_window",
]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

if TYPE_CHECKING:
    from physcheck.data.errors import DataError
    from physcheck.data.well import TrajectoryRef, WellData, open_dataset
    from physcheck.data.windows import EARLY, PAPER, STANDARD_WINDOWS, Window, parse_window
