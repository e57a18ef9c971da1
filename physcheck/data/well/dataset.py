"""A split of a Well dataset (one or more files, local or remote), with windowed reads: its
trajectories, its description (channels, grid, parameters, the solver's settings, spectral
scales, ``stats.yaml``, a content hash) and the frames of one window, read by h5py slicing."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

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
from physcheck.data.well.channels import stack_channels
from physcheck.data.well.files import DataFile, find_local_files, open_well_file
from physcheck.data.well.inspection import SOLVER_ATTR, FileInfo, inspect_file
from physcheck.data.windows import Window
from physcheck.fields import FieldLayout
from physcheck.profiles import Profile, generic_profile
from physcheck.timing import phase


@dataclass(frozen=True)
class TrajectoryRef:
    """Where global trajectory ``index`` lives: ``file`` and the index ``local`` inside it."""

    index: int
    file: DataFile
    local: int


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
        self.infos = [inspect_file(p) for p in files]
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
    def axis_boundaries(self) -> dict[str, str]:
        """Each spatial axis's boundary type (``{"x": "PERIODIC", "y": "WALL"}``)."""
        return dict(self.infos[0].axis_boundaries)

    @property
    def periodic(self) -> bool:
        """Whether every spatial axis is periodic (a periodic box)."""
        return all(kind == "PERIODIC" for kind in self.axis_boundaries.values())

    def generic_profile(self) -> Profile:
        """The data's generic profile: its fields (each t0, t1 and t2 field with its kind, in
        channel order) on its spatial axes, without constraints
        (``physcheck.profiles.generic_profile``)."""
        info = self.infos[0]
        fields = dict.fromkeys((name, group) for group, name, _ in info.sources)
        axes = info.axes or tuple("xyz"[: len(self.spatial_shape)])
        return generic_profile(self.name, fields, axes)

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
        with phase("data reading"), open_well_file(ref.file) as f:
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
    files, stats = find_local_files(Path(local_path(str(path))), split)
    return WellData(list(files), stats, expect_fields=expect_fields)


__all__ = ["TrajectoryRef", "WellData", "open_dataset"]
