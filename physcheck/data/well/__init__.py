"""Read Well-format datasets: list trajectories and read one window by h5py slicing.

Only the frames a window needs are read (never a whole trajectory). States come back
channels last, ``[T, *S, C]`` float32 torch tensors (S the file's 1 to 3 spatial axes:
``[T, X, Y, Z, C]`` in 3D, ``[T, X, Y, C]`` in 2D), with channel names flattened as The Well
does (``density``, ``magnetic_field_x`` ... ``velocity_z``).

Its parts: ``files`` (a dataset's files, their identity, opening one), ``inspection`` (what a
file holds and the checks of its layout), ``channels`` (stacking fields into channels) and
``dataset`` (``WellData``: the split, its description and windowed reads; ``open_dataset``).
"""

from __future__ import annotations

from physcheck.data.well.channels import stack_channels
from physcheck.data.well.dataset import TrajectoryRef, WellData, open_dataset
from physcheck.data.well.files import HDF5_SUFFIXES, DataFile, file_identity
from physcheck.data.well.inspection import REQUIRED_ATTRS, REQUIRED_GROUPS, SOLVER_ATTR, FileInfo

__all__ = [
    "HDF5_SUFFIXES",
    "REQUIRED_ATTRS",
    "REQUIRED_GROUPS",
    "SOLVER_ATTR",
    "DataFile",
    "FileInfo",
    "TrajectoryRef",
    "WellData",
    "file_identity",
    "open_dataset",
    "stack_channels",
]
