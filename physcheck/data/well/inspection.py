"""What one Well file holds, read once when it is opened, and the checks that it is in The
Well's layout: its groups and root attributes, and every time-varying field a floating-point
dataset of the grid's shape for its tensor order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from physcheck.data.errors import DataError
from physcheck.data.well.files import DataFile, open_well_file

REQUIRED_GROUPS = (
    "dimensions",
    "boundary_conditions",
    "scalars",
    "t0_fields",
    "t1_fields",
    "t2_fields",
)
REQUIRED_ATTRS = ("dataset_name", "grid_type", "n_spatial_dims", "n_trajectories")
SOLVER_ATTR = "physcheck_solver"


@dataclass(frozen=True)
class FileInfo:
    """What one file holds (read once, at open)."""

    path: DataFile
    dataset_name: str
    n_trajectories: int
    n_time: int
    spatial_shape: tuple[int, ...]
    field_names: tuple[str, ...]
    sources: tuple[
        tuple[str, str, int | None], ...
    ]  # (group, dataset, component or None) per channel
    boundary_conditions: dict[str, str]
    parameters: dict[str, float]
    attrs: dict[str, Any] = field(default_factory=dict)
    times: tuple[float, ...] = ()
    coords: dict[str, tuple[float, ...]] = field(default_factory=dict)
    #: the spatial axes' names (The Well's ``dimensions``: ``x``, ``y``, ``z``; ``theta``, ``phi``)
    axes: tuple[str, ...] = ()
    #: each axis's boundary type (``PERIODIC``, ``WALL``, ``OPEN``; several joined by ``/``;
    #: ``UNSPECIFIED`` where no boundary condition names the axis)
    axis_boundaries: dict[str, str] = field(default_factory=dict)


def inspect_file(path: DataFile) -> FileInfo:
    """What the file holds; ``DataError`` naming what is missing or malformed where it is not
    a complete Well file."""
    with open_well_file(path) as f:
        missing = [g for g in REQUIRED_GROUPS if g not in f]
        if missing:
            raise DataError(f"{path}: not in The Well's layout, missing group(s) {missing}")
        missing_attrs = [a for a in REQUIRED_ATTRS if a not in f.attrs]
        if missing_attrs:
            raise DataError(
                f"{path}: not in The Well's layout, missing root attribute(s) {missing_attrs}"
            )
        try:
            spatial_dims = [str(d) for d in f["dimensions"].attrs["spatial_dims"]]
            shape = tuple(int(f["dimensions"][d].shape[-1]) for d in spatial_dims)
            n_time = int(f["dimensions"]["time"].shape[-1])
            names: list[str] = []
            sources: list[tuple[str, str, int | None]] = []
            for order, group in enumerate(("t0_fields", "t1_fields", "t2_fields")):
                for name in f[group].attrs["field_names"]:
                    name = str(name.decode() if isinstance(name, bytes) else name)
                    dset = f[group][name]
                    if not dset.attrs.get("time_varying", True):
                        continue
                    _check_field(path, f"{group}/{name}", dset, order, shape)
                    if order == 0:
                        names.append(name)
                        sources.append((group, name, None))
                    elif order == 1:
                        for c, axis in enumerate(spatial_dims):
                            names.append(f"{name}_{axis}")
                            sources.append((group, name, c))
                    else:
                        for c in range(len(spatial_dims) ** 2):
                            i, j = divmod(c, len(spatial_dims))
                            names.append(f"{name}_{spatial_dims[i]}{spatial_dims[j]}")
                            sources.append((group, name, c))
            bcs = {
                key: _text(f["boundary_conditions"][key].attrs["bc_type"]).upper()
                for key in f["boundary_conditions"]
            }
            params = {
                str(p): float(np.asarray(f.attrs[p]))
                for p in f.attrs.get("simulation_parameters", [])
                if p in f.attrs
            }
            attrs = {
                k: (v.decode() if isinstance(v, bytes) else v)
                for k, v in f.attrs.items()
                if k == SOLVER_ATTR
            }
            times = tuple(
                float(t) for t in np.asarray(f["dimensions"]["time"][:]).reshape(-1)[:n_time]
            )
            coords = {d: tuple(float(x) for x in f["dimensions"][d][:2]) for d in spatial_dims}
            return FileInfo(
                path=path,
                dataset_name=str(f.attrs["dataset_name"]),
                n_trajectories=int(f.attrs["n_trajectories"]),
                n_time=n_time,
                spatial_shape=shape,
                field_names=tuple(names),
                sources=tuple(sources),
                boundary_conditions=bcs,
                parameters=params,
                attrs=attrs,
                times=times,
                coords=coords,
                axes=tuple(spatial_dims),
                axis_boundaries=_axis_boundaries(f["boundary_conditions"], spatial_dims),
            )
        except DataError:
            raise  # a network failure of a remote file, already one line
        except (
            KeyError,
            OSError,
            IndexError,
            TypeError,
            ValueError,
            AttributeError,
            RuntimeError,
        ) as exc:
            # a missing or mistyped object, a broken soft or external link, an unreadable attribute
            raise DataError(
                f"{path}: not a complete Well file ({type(exc).__name__}: {exc}); re-create it "
                "or check it against its manifest (physcheck data verify)"
            ) from None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _axis_boundaries(group: Any, axes: list[str]) -> dict[str, str]:
    """Each axis's boundary type from the ``boundary_conditions`` group: every condition's
    ``bc_type`` counts for the axes its ``associated_dims`` attribute names (or, without it,
    the axis its key starts with: ``x_periodic``)."""
    found: dict[str, set[str]] = {axis: set() for axis in axes}
    for key in group:
        condition = group[key]
        dims = condition.attrs.get("associated_dims")
        if dims is None:
            named = [key.split("_")[0]]
        elif isinstance(dims, (str, bytes)):
            named = [_text(dims)]
        else:
            named = [_text(d) for d in np.asarray(dims).reshape(-1)]
        for axis in named:
            if axis in found:
                found[axis].add(_text(condition.attrs["bc_type"]).upper())
    return {axis: "/".join(sorted(kinds)) or "UNSPECIFIED" for axis, kinds in found.items()}


def _check_field(
    path: DataFile, where: str, dset: Any, order: int, spatial: tuple[int, ...]
) -> None:
    """A time-varying field of tensor order ``order`` is a floating-point dataset
    ``[B, T, *spatial, (D,) * order]`` (D = the number of spatial dimensions); anything else
    is a ``DataError`` naming it."""
    if not isinstance(dset, h5py.Dataset):
        raise DataError(f"{path}: {where} is a {type(dset).__name__}, not a dataset of values")
    if dset.dtype.kind != "f":
        raise DataError(f"{path}: {where} holds {dset.dtype} values, not floating-point numbers")
    n_dims = len(spatial)
    expected = 2 + n_dims + order
    components = tuple(dset.shape[2 + n_dims :])
    if (
        dset.ndim != expected
        or tuple(dset.shape[2 : 2 + n_dims]) != spatial
        or components != (n_dims,) * order
    ):
        layout = "[B, T, " + ", ".join(str(n) for n in spatial) + ", " * bool(order)
        layout += ", ".join([str(n_dims)] * order) + "]"
        raise DataError(
            f"{path}: {where} has shape {list(dset.shape)}; a field of tensor order {order} on "
            f"this grid is {layout}"
        )


__all__ = ["REQUIRED_ATTRS", "REQUIRED_GROUPS", "SOLVER_ATTR", "FileInfo", "inspect_file"]
