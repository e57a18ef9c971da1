"""Write trajectories in The Well's HDF5 layout, and the ``stats.yaml`` beside the splits.

Layout (``SPEC.md`` section 5): root attrs ``dataset_name``, ``grid_type``,
``n_spatial_dims``, ``n_trajectories``, ``simulation_parameters`` (plus one attr per
parameter); groups ``dimensions`` (``time``, ``x``, ``y``, ``z``), ``boundary_conditions``
(``{axis}_{type}``, ``x_periodic`` unless told, with a bool ``mask`` whose first and last
entries are True),
``scalars`` (the parameters), ``t0_fields`` / ``t1_fields`` / ``t2_fields`` with
``field_names`` attrs; field arrays ``(B, T, *S[, D[, D]])`` float32, S the D = 1 to 3 spatial
axes (``(B, T, X, Y, Z[, 3])`` in 3D, ``(B, T, X, Y[, 2])`` in 2D; a t2 field ``(B, T, *S, D,
D)``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import yaml

from physcheck.atomic import atomic_write
from physcheck.errors import ArgumentError

SPATIAL_DIMS = ("x", "y", "z")


def write_well_file(
    path: str | Path,
    *,
    dataset_name: str,
    scalar_fields: Mapping[str, np.ndarray],
    vector_fields: Mapping[str, np.ndarray],
    times: np.ndarray,
    box_size: float | Sequence[float],
    parameters: Mapping[str, float],
    extra_attrs: Mapping[str, Any] | None = None,
    compression: str | None = "gzip",
    origin: float | Sequence[float] = 0.0,
    tensor_fields: Mapping[str, np.ndarray] | None = None,
    boundaries: Mapping[str, str] | None = None,
    axes: Sequence[str] | None = None,
) -> Path:
    """Write one Well file of periodic trajectories on a D-dimensional grid (D = 1 to 3, from
    the fields' shapes).

    ``scalar_fields[name]``: ``[B, T, *S]`` (t0 fields, e.g. density: ``[B, T, X, Y, Z]`` in
    3D); ``vector_fields[name]``: ``[B, T, *S, D]`` (t1 fields, e.g. magnetic_field,
    velocity); ``times``: ``[T]`` frame times; ``box_size``: the length of every side, or one
    per axis (grid spacing ``box_size / N``); ``origin``: the first cell's coordinate (one, or
    one per axis); ``parameters``: simulation parameters (``Ma``, ``Ms``);
    ``tensor_fields[name]``: ``[B, T, *S, D, D]`` (t2 fields); ``boundaries``: the boundary type
    of an axis (``{"y": "WALL"}``; ``PERIODIC`` where not given); ``axes``: the spatial axes'
    names (``x``, ``y``, ``z`` unless given, e.g. ``theta``, ``phi``).
    """
    path = Path(path)
    first = next(iter(scalar_fields.values()), None)
    if first is not None:
        n_traj, n_time, *shape = np.shape(first)
    elif vector_fields:
        n_traj, n_time, *shape = np.shape(next(iter(vector_fields.values())))[:-1]
    else:
        raise ArgumentError("no fields to write: give scalar_fields or vector_fields")
    if not 1 <= len(shape) <= len(SPATIAL_DIMS):
        raise ArgumentError(
            f"fields must be [B, T, *S] with 1 to 3 spatial axes S; got {len(shape)} spatial axes"
        )
    axes = tuple(axes) if axes is not None else SPATIAL_DIMS[: len(shape)]
    if len(axes) != len(shape):
        raise ArgumentError(f"axes {list(axes)} do not name the fields' {len(shape)} spatial axes")
    unknown = [a for a in boundaries or {} if a not in axes]
    if unknown:
        raise ArgumentError(f"boundaries name axes {unknown} the fields do not have ({list(axes)})")
    bc_types = {axis: "PERIODIC" for axis in axes} | {
        axis: kind.upper() for axis, kind in (boundaries or {}).items()
    }
    sizes = _per_axis(box_size, len(axes), "box_size")
    origins = _per_axis(origin, len(axes), "origin")
    with atomic_write(path) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["dataset_name"] = dataset_name
        f.attrs["grid_type"] = "cartesian"
        f.attrs["n_spatial_dims"] = len(axes)
        f.attrs["n_trajectories"] = n_traj
        f.attrs["simulation_parameters"] = list(parameters)
        for name, value in parameters.items():
            f.attrs[name] = value
        for name, value in (extra_attrs or {}).items():
            f.attrs[name] = (
                value if not isinstance(value, dict) else json.dumps(value, sort_keys=True)
            )

        dims = f.create_group("dimensions")
        dims.attrs["spatial_dims"] = list(axes)
        dims.create_dataset("time", data=np.asarray(times, dtype=np.float32))
        dims["time"].attrs["sample_varying"] = False
        for axis, n, size, start in zip(axes, shape, sizes, origins, strict=True):
            coords = np.float32(start) + np.arange(n, dtype=np.float32) * np.float32(size / n)
            dims.create_dataset(axis, data=coords)
            dims[axis].attrs["sample_varying"] = False
            dims[axis].attrs["time_varying"] = False

        bcs = f.create_group("boundary_conditions")
        for axis, n in zip(axes, shape, strict=True):
            group = bcs.create_group(f"{axis}_{bc_types[axis].lower()}")
            group.attrs["associated_dims"] = [axis]
            group.attrs["associated_fields"] = []
            group.attrs["bc_type"] = bc_types[axis]
            group.attrs["sample_varying"] = False
            group.attrs["time_varying"] = False
            mask = np.zeros(n, dtype=bool)
            mask[0] = mask[-1] = True
            group.create_dataset("mask", data=mask)

        scalars = f.create_group("scalars")
        scalars.attrs["field_names"] = list(parameters)
        for name, value in parameters.items():
            scalars.create_dataset(name, data=np.array(value, dtype=np.float32))
            scalars[name].attrs["time_varying"] = False
            scalars[name].attrs["sample_varying"] = False

        chunks = (1, 1, *shape)
        for group_name, fields, extra in (
            ("t0_fields", scalar_fields, ()),
            ("t1_fields", vector_fields, (len(axes),)),
            ("t2_fields", tensor_fields or {}, (len(axes), len(axes))),
        ):
            group = f.create_group(group_name)
            group.attrs["field_names"] = list(fields)
            for name, data in fields.items():
                data = np.asarray(data, dtype=np.float32)
                expected = (n_traj, n_time, *shape, *extra)
                if data.shape != expected:
                    raise ArgumentError(f"field {name!r} has shape {data.shape}; expected {expected}")
                dset = group.create_dataset(
                    name,
                    data=data,
                    chunks=chunks + extra,
                    compression=compression,
                    shuffle=compression is not None,
                )
                dset.attrs["dim_varying"] = [True] * len(axes)
                dset.attrs["sample_varying"] = True
                dset.attrs["time_varying"] = True
    return path


def _per_axis(value: float | Sequence[float], n_axes: int, name: str) -> tuple[float, ...]:
    """``value`` for every axis: one number for all, or exactly one per axis."""
    if isinstance(value, (int, float)):
        return (float(value),) * n_axes
    values = tuple(float(v) for v in value)
    if len(values) != n_axes:
        raise ArgumentError(f"{name} has {len(values)} entries for {n_axes} spatial axes")
    return values


def field_statistics(
    scalar_fields: Mapping[str, np.ndarray], vector_fields: Mapping[str, np.ndarray]
) -> dict[str, dict[str, Any]]:
    """``mean/std/rms/mean_delta/std_delta/rms_delta`` per field, over trajectories, time and space
    (per component for vector fields; deltas are frame-to-frame differences), as in The Well.
    Fields as ``write_well_file`` takes them (``[B, T, *S]`` and ``[B, T, *S, D]``)."""
    stats: dict[str, dict[str, Any]] = {
        k: {} for k in ("mean", "std", "rms", "mean_delta", "std_delta", "rms_delta")
    }
    fields = [(name, data, 0) for name, data in scalar_fields.items()]
    fields += [(name, data, 1) for name, data in vector_fields.items()]
    for name, data, n_components in fields:
        data = np.asarray(data, dtype=np.float64)
        axes = tuple(range(data.ndim - n_components))  # all but a vector's components
        delta = np.diff(data, axis=1)
        for prefix, values in (("", data), ("_delta", delta)):
            mean = values.mean(axis=axes)
            std = values.std(axis=axes)
            rms = np.sqrt((values**2).mean(axis=axes))
            for key, v in (("mean", mean), ("std", std), ("rms", rms)):
                stats[key + prefix][name] = np.asarray(v).tolist()
    return stats


def write_stats(path: str | Path, stats: Mapping[str, Any]) -> Path:
    """Write ``stats.yaml`` (plain floats, sorted keys)."""
    path = Path(path)
    text = yaml.safe_dump(dict(stats), sort_keys=True)
    with atomic_write(path) as tmp:
        tmp.write_text(text)
    return path
