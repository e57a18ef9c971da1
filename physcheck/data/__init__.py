"""Well-format data: windows, reading (by h5py slicing) and writing, with clear errors."""

from physcheck.data.errors import DataError
from physcheck.data.well import TrajectoryRef, WellData, open_dataset
from physcheck.data.windows import EARLY, PAPER, STANDARD_WINDOWS, Window, parse_window

__all__ = [
    "EARLY",
    "PAPER",
    "STANDARD_WINDOWS",
    "DataError",
    "TrajectoryRef",
    "Window",
    "WellData",
    "open_dataset",
    "parse_window",
]
