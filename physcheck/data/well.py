"""Read Well-format datasets: list trajectories and read one window by h5py slicing.

Only the frames a window needs are read (never a whole trajectory). States come back
channels last, ``[T, *S, C]`` float32 torch tensors (S the file's 1 to 3 spatial axes:
``[T, X, Y, Z, C]`` in 3D, ``[T, X, Y, C]`` in 2D), with channel names flattened as The Well
does (``density``, ``magnetic_field_x`` ... ``velocity_z``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
import yaml

from physcheck.data.errors import DataError
from physcheck.data.remote import (
    DEFAULT_TIMEOUT,
    RemoteFile,
    find_remote_files,
    is_remote,
    local_path,
    read_text,
)
from physcheck.data.windows import Window
from physcheck.fields import FieldLayout
from physcheck.timing import phase

REQUIRED_GROUPS = (
    "dimensions",
    "boundary_conditions",
    "scalars",
    "t0_fields",
    "t1_fields",
    "t2_fields",
)
REQUIRED_ATTRS = ("dataset_name", "grid_type", "n_spatial_dims", "n_trajectories")
HDF5_SUFFIXES = (".hdf5", ".h5")
SOLVER_ATTR = "physcheck_solver"


#: a data file: a local path, or a remote file behind an fsspec URL
DataFile = Path | RemoteFile


def file_identity(path: DataFile) -> list[Any]:
    """What identifies a file's content for cache keys: name, size and modification time
    (local) or ETag (remote), without reading it."""
    if isinstance(path, RemoteFile):
        return path.identity()
    stat = path.stat()
    return [path.name, stat.st_size, stat.st_mtime_ns]


@dataclass(frozen=True)
class TrajectoryRef:
    """Where global trajectory ``index`` lives: ``file`` and the index ``local`` inside it."""

    index: int
    file: DataFile
    local: int


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


def _open(path: DataFile) -> h5py.File:
    try:
        if isinstance(path, RemoteFile):
            return h5py.File(path.open(), "r")
        return h5py.File(path, "r")
    except OSError as exc:
        raise DataError(
            f"{path}: not a readable HDF5 file ({exc}); the file is corrupt or truncated, re-create it"
        ) from None


def _inspect(path: DataFile) -> FileInfo:
    with _open(path) as f:
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
                key: str(f["boundary_conditions"][key].attrs["bc_type"]).upper()
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


def stack_channels(
    read: Callable[[str, str], np.ndarray],
    sources: Sequence[tuple[str, str, int | None]],
    n_lead: int,
) -> np.ndarray:
    """The channels ``[..., C]`` named by ``sources`` (``FileInfo.sources``: group, dataset,
    component or ``None``), each dataset read once with ``read(group, name)``. Datasets have
    ``n_lead`` leading axes (e.g. time and space) and a t1/t2 dataset's components after them."""
    cache: dict[tuple[str, str], np.ndarray] = {}
    channels = []
    for group, name, component in sources:
        if (group, name) not in cache:
            cache[(group, name)] = read(group, name)
        data = cache[(group, name)]
        if component is None:
            channels.append(data)
        else:
            channels.append(data.reshape(*data.shape[:n_lead], -1)[..., component])
    return np.stack(channels, axis=-1)


def _find_files(path: Path, split: str | None) -> tuple[list[Path], Path | None]:
    """Files of a dataset dir, split dir or single file; and the stats.yaml beside the splits."""
    if not path.exists():
        raise DataError(
            f"no such dataset path: {path} (give a Well dataset dir, a split dir or an .hdf5 file)"
        )
    if path.is_file():
        if path.suffix not in HDF5_SUFFIXES:
            raise DataError(f"{path}: expected an .hdf5 file")
        stats = path.parent.parent.parent / "stats.yaml"
        return [path], stats if stats.exists() else None
    if (path / "data").is_dir():
        split = split or "test"
        split_dir = path / "data" / split
        if not split_dir.is_dir():
            available = sorted(p.name for p in (path / "data").iterdir() if p.is_dir())
            raise DataError(f"{path}: no split {split!r}; available splits: {available}")
        stats = path / "stats.yaml"
        return sorted(
            p for p in split_dir.iterdir() if p.suffix in HDF5_SUFFIXES
        ), stats if stats.exists() else None
    files = sorted(p for p in path.iterdir() if p.suffix in HDF5_SUFFIXES)
    stats = path.parent.parent / "stats.yaml"
    return files, stats if stats.exists() else None


class WellData:
    """A split of a Well dataset (one or more files), with windowed reads."""

    def __init__(
        self,
        files: list[DataFile],
        stats_path: Path | str | None = None,
        *,
        expect_fields: tuple[str, ...] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.timeout = timeout
        if not files:
            raise DataError("no .hdf5 files found in the dataset path")
        self.infos = [_inspect(p) for p in files]
        self.files = [i.path for i in self.infos]
        first = self.infos[0]
        for info in self.infos[1:]:
            if info.field_names != first.field_names:
                raise DataError(
                    f"field names differ between {first.path.name} {list(first.field_names)} and {info.path.name} {list(info.field_names)}"
                )
            if info.spatial_shape != first.spatial_shape or info.n_time != first.n_time:
                raise DataError(
                    f"grid or length differs between {first.path.name} and {info.path.name}"
                )
        if expect_fields is not None and tuple(expect_fields) != first.field_names:
            raise DataError(
                f"the data's channels are {list(first.field_names)}, expected {list(expect_fields)}"
            )
        self.stats_path = stats_path
        self.trajectories = [
            TrajectoryRef(index, info.path, local)
            for index, (info, local) in enumerate(
                (info, j) for info in self.infos for j in range(info.n_trajectories)
            )
        ]

    # -- description ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.infos[0].dataset_name

    @property
    def field_names(self) -> tuple[str, ...]:
        return self.infos[0].field_names

    @property
    def n_channels(self) -> int:
        return len(self.field_names)

    def layout(self, guide_axis: int | None = 0) -> FieldLayout:
        """The data's own layout: its channel names and spatial dimensions, with
        ``guide_axis``."""
        return FieldLayout(
            self.field_names, guide_axis=guide_axis, spatial_dims=len(self.spatial_shape)
        )

    @property
    def n_trajectories(self) -> int:
        return len(self.trajectories)

    @property
    def n_time(self) -> int:
        return self.infos[0].n_time

    @property
    def spatial_shape(self) -> tuple[int, ...]:
        return self.infos[0].spatial_shape

    @property
    def boundary_conditions(self) -> dict[str, str]:
        return self.infos[0].boundary_conditions

    @property
    def parameters(self) -> dict[str, float]:
        return dict(self.infos[0].parameters)

    def trajectory_parameters(self, trajectory: int) -> dict[str, float]:
        """The simulation parameters (e.g. ``Ma``, ``Ms``) of the file holding a trajectory."""
        return dict(self._info(self.trajectories[trajectory].file).parameters)

    @property
    def frame_interval(self) -> float | None:
        """Physical time between saved frames, from the ``time`` dimension."""
        times = self.infos[0].times
        return times[1] - times[0] if len(times) > 1 else None

    def solver_attributes(self, trajectory: int = 0) -> dict[str, Any] | None:
        """The reference solver's settings stored with physcheck-made data (the decoded
        ``physcheck_solver`` attribute of the trajectory's file), else ``None``."""
        info = self._info(self.trajectories[trajectory].file)
        raw = info.attrs.get(SOLVER_ATTR)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            raise DataError(
                f"{info.path}: unreadable {SOLVER_ATTR} attribute; re-create the file"
            ) from None
        return value if isinstance(value, dict) else None

    def spectral_scales(self) -> tuple[tuple[float, float], float] | None:
        """``((fit_lo, fit_hi), cutoff)`` in integer shells for data that records its scales
        (physcheck's sets store ``forcing_nmax`` and ``dealias_cutoff`` in their simulation
        parameters): the slope is fitted from just above the forcing scale to the last shell
        below the dealiasing cutoff, and the spectral bands are fractions of the cutoff.
        ``None`` where the data does not say (then the ``spectrum_fit``/``spectrum_cutoff``
        settings, or SPEC's defaults, apply)."""
        recorded = dict(self.parameters)
        solver = self.solver_attributes() or {}
        forcing = recorded.get(
            "forcing_nmax", solver.get("forcing_nmax", solver.get("forcing_kmax"))
        )
        if forcing is None:
            return None
        n = min(self.spatial_shape)
        cutoff = float(recorded.get("dealias_cutoff", solver.get("spectral_cutoff", n / 3)))
        hi = math.ceil(cutoff) - 1
        return (float(math.floor(float(forcing)) + 1), float(hi)), cutoff

    @cached_property
    def stats(self) -> dict[str, Any]:
        if self.stats_path is None:
            raise DataError(
                "no stats.yaml beside this dataset's splits; create it with `physcheck fixtures build` or The Well's tools"
            )
        try:
            text = (
                read_text(self.stats_path, timeout=self.timeout)
                if isinstance(self.stats_path, str)
                else self.stats_path.read_text()
            )
            return dict(yaml.safe_load(text))
        except (OSError, yaml.YAMLError) as exc:
            raise DataError(f"{self.stats_path}: unreadable stats file ({exc})") from None

    def content_hash(self) -> str:
        """Cheap identity of the data for cache keys: names, sizes and the first and last MiB of each file."""
        h = hashlib.sha256()
        for path in self.files:
            if isinstance(path, RemoteFile):  # reading a remote file for a hash costs a download
                h.update(json.dumps(path.identity()).encode())
                continue
            size = path.stat().st_size
            h.update(f"{path.name}:{size}".encode())
            with open(path, "rb") as fh:
                h.update(fh.read(1 << 20))
                fh.seek(max(0, size - (1 << 20)))
                h.update(fh.read(1 << 20))
        return h.hexdigest()[:16]

    # -- reading -------------------------------------------------------------------------------
    def _info(self, path: DataFile) -> FileInfo:
        return next(i for i in self.infos if i.path == path)

    def read_frames(self, trajectory: int, start: int, stop: int) -> torch.Tensor:
        """Frames ``start..stop-1`` of a trajectory, ``[T, *S, C]`` float32."""
        if not 0 <= trajectory < self.n_trajectories:
            raise DataError(
                f"trajectory {trajectory} does not exist; this split has trajectories 0..{self.n_trajectories - 1}"
            )
        if not 0 <= start < stop <= self.n_time:
            raise DataError(
                f"frames {start}..{stop - 1} are outside the trajectory's 0..{self.n_time - 1}"
            )
        ref = self.trajectories[trajectory]
        info = self._info(ref.file)
        with phase("data reading"), _open(ref.file) as f:
            try:
                frames = stack_channels(
                    lambda group, name: np.asarray(
                        f[group][name][ref.local, start:stop], dtype=np.float32
                    ),
                    info.sources,
                    n_lead=1 + len(info.spatial_shape),  # [T, *S]
                )
            except (OSError, KeyError) as exc:
                raise DataError(
                    f"{ref.file}: failed to read frames {start}..{stop - 1} ({exc}); the file is corrupt or truncated"
                ) from None
        return torch.from_numpy(frames)

    def read_window(
        self, trajectory: int, window: Window, n_history: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(history [T, *S, C], truth [K, *S, C])`` of one trajectory, read in one slice."""
        n = window.resolve_history(n_history)
        window.check(n, self.n_time)
        frames = self.read_frames(trajectory, window.first - n, window.first + window.n_steps)
        return frames[:n], frames[n:]


def open_dataset(
    path: str | Path,
    *,
    split: str | None = None,
    expect_fields: tuple[str, ...] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> WellData:
    """Open a Well dataset dir (``data/<split>/*.hdf5`` + ``stats.yaml``; split default ``test``),
    a split dir, or one ``.hdf5`` file; local (a path or ``file://PATH``), or behind an fsspec
    URL (``hf://``, ``s3://``, ``https://``: only the frames a window needs are fetched, each
    request within ``timeout`` seconds)."""
    if is_remote(str(path)):
        remote, stats_url = find_remote_files(str(path), split, timeout=timeout)
        return WellData(list(remote), stats_url, expect_fields=expect_fields, timeout=timeout)
    files, stats = _find_files(Path(local_path(str(path))), split)
    return WellData(list(files), stats, expect_fields=expect_fields)
