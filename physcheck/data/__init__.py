"""Well-format data: windows, reading (by h5py slicing) and writing, with clear errors.

Names are resolved lazily so that ``physcheck.data.windows`` (torch-free) can be used by
the plugin's option parsing without importing torch and h5py.
"""

from __future__ import annotations

from physcheck.lazy import lazy_attributes

_NAMES = {
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
__all__ = sorted(_NAMES)


__getattr__ = lazy_attributes(__name__, _NAMES)
