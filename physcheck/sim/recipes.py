"""Data-set recipes of the reference solver: pure data, no torch.

A :class:`DatasetRecipe` fixes everything needed to regenerate a data set bit-for-bit on one
machine: the grid, the (Ma, Ms) points with their calibrated forcing, cadence, time step and
dissipation (:class:`PointRecipe`), the trajectories per split and their seeds, the number of
saved frames and the spin-up. :meth:`DatasetRecipe.solver_parameters` turns a point into the
keyword arguments of :class:`physcheck.sim.solver.SolverConfig` (``config()`` builds it,
importing torch lazily).

Units: box ``L = 2 pi``, ``c_s = 1``, ``rho0 = 1``; time in ``L / (2 pi c_s)``. Wavenumbers in
recipes are integers (cycles per box). Dissipation is given by a dimensionless ``hyper``: the
hyperdissipation damping rate at the dealiasing cutoff ``k_c = n / 3`` (on an axis) is
``hyper * Ms * c_s * k_c`` (per unit time), the same for u, b and ln rho (times
``lnrho_factor`` for ln rho).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from physcheck.errors import ArgumentError, UnknownNameError

SPLITS = ("train", "valid", "test")
#: offsets of the split in a trajectory seed
_SPLIT_INDEX = {"train": 0, "valid": 1, "test": 2}


@dataclass(frozen=True)
class PointRecipe:
    """One (Ma, Ms) point of a data set and its calibrated numerics.

    ``forcing_amplitude``: expected rms forcing acceleration (calibrated so that the stationary
    ``u_rms ~ Ms``); ``frame_interval``: time between saved frames; ``substeps``: fixed RK4
    steps per interval (``dt = frame_interval / substeps``, chosen from the measured peak CFL
    with a margin); ``hyper``: dimensionless hyperdissipation (module docstring);
    ``nu_shock``: shock-viscosity coefficient; ``lnrho_factor``: ln rho hyperdiffusion relative
    to ``hyper``; ``va_max``: Alfven-speed limiter (velocity; 0 = off); ``spinup_intervals``:
    overrides the set's spin-up length (in this point's frame intervals).
    """

    Ma: float
    Ms: float
    forcing_amplitude: float
    frame_interval: float
    substeps: int
    hyper: float
    nu_shock: float = 0.0
    lnrho_factor: float = 1.0
    va_max: float = 0.0
    spinup_intervals: int | None = None

    @property
    def B0(self) -> float:
        """Guide field ``B0 = Ms / Ma`` (``c_s = rho0 = 1``)."""
        return self.Ms / self.Ma

    @property
    def label(self) -> str:
        """``Ma_0.7_Ms_0.5``: the file-name part of the point, as in The Well."""
        return f"Ma_{self.Ma:g}_Ms_{self.Ms:g}"

    @property
    def code(self) -> int:
        """Integer code of the point in seeds: ``10 Ma`` and ``10 Ms`` as two 3-digit fields."""
        return round(10 * self.Ma) * 1000 + round(10 * self.Ms)


@dataclass(frozen=True)
class DatasetRecipe:
    """A named data set: grid, points, splits, seeds, frames and solver constants.

    ``trajectories``: ``(split, count)`` pairs (per point). ``n_frames`` saved frames per
    trajectory; ``spinup_intervals`` frame intervals integrated before frame 0 (so frame ``k``
    is reached at the end of forcing interval ``spinup_intervals + k - 1``). ``hyper_order``
    ``p`` of the ``(-lap)^p`` dissipation; forcing on shells
    ``forcing_nmin <= |n| <= forcing_nmax`` with ``|n_x| >= forcing_npar_min``; OU correlation
    time ``forcing_correlation / Ms``; ``cfl_max`` the CFL number at which a step raises.
    ``base_seed`` enters every trajectory seed (:meth:`seeds`).

    ``coarse_spinup_n`` (0 = off): a cheaper spin-up. The first ``spinup - fine_spinup_intervals``
    intervals run on the ``coarse_spinup_n`` grid (same seeds, forcing intervals and frame
    interval; :meth:`coarse` gives that recipe), the state is interpolated spectrally to ``n``
    and the last ``fine_spinup_intervals`` spin-up intervals and all saved frames run at ``n``.

    ``build_on_first_use``: whether ``physcheck.datasets.default_dataset`` may generate a
    missing split (minutes on a CPU) or asks for an explicit ``physcheck fixtures build``.
    """

    name: str
    n: int
    points: tuple[PointRecipe, ...]
    trajectories: tuple[tuple[str, int], ...]
    n_frames: int
    spinup_intervals: int
    base_seed: int = 2026
    hyper_order: int = 3
    forcing_nmin: float = 1.0
    forcing_nmax: float = 2.0
    forcing_npar_min: int = 1
    forcing_correlation: float = 1.0
    cfl_max: float = 2.5
    box_size: float = 2 * math.pi
    coarse_spinup_n: int = 0
    fine_spinup_intervals: int = 0
    build_on_first_use: bool = True
    description: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    # -- resolution awareness ----------------------------------------------------------------
    @property
    def forcing_scale(self) -> float:
        """Largest forced integer wavenumber |n| (cycles per box)."""
        return self.forcing_nmax

    @property
    def dealias_cutoff(self) -> float:
        """2/3-rule cutoff ``n / 3``: only modes with every ``|n_j| < n / 3`` carry energy."""
        return self.n / 3

    @property
    def spectral_fit_range(self) -> tuple[int, int]:
        """Shells ``(lo, hi)`` for a spectral slope: from just above the forcing shell to the
        last shell fully inside the dealiased cube (``ceil(n/3) - 1``)."""
        return math.floor(self.forcing_nmax) + 1, math.ceil(self.n / 3) - 1

    # -- points, splits, seeds ---------------------------------------------------------------
    def point(self, Ma: float, Ms: float) -> PointRecipe:
        for p in self.points:
            if math.isclose(p.Ma, Ma) and math.isclose(p.Ms, Ms):
                return p
        known = ", ".join(p.label for p in self.points)
        raise UnknownNameError(f"{self.name} has no point Ma {Ma:g}, Ms {Ms:g}; it has {known}")

    def n_trajectories(self, split: str) -> int:
        counts = dict(self.trajectories)
        if split not in counts:
            raise UnknownNameError(f"{self.name} has no {split!r} split; it has {sorted(counts)}")
        return counts[split]

    def seeds(self, point: PointRecipe, split: str) -> list[int]:
        """Trajectory seeds ``base_seed * 1e9 + point.code * 1e4 + split * 1e3 + i``:
        deterministic per point, split and trajectory, and shared by every set with the same
        ``base_seed`` (a set differs from another in grid and numerics, not in seeds)."""
        base = self.base_seed * 10**9 + point.code * 10**4 + _SPLIT_INDEX[split] * 10**3
        return [base + i for i in range(self.n_trajectories(split))]

    def spinup(self, point: PointRecipe) -> int:
        """Spin-up intervals of ``point`` (its override, else the set's)."""
        return self.spinup_intervals if point.spinup_intervals is None else point.spinup_intervals

    def coarse(self) -> DatasetRecipe:
        """The same set on the ``coarse_spinup_n`` grid (time step scaled with the grid spacing;
        dimensionless dissipation unchanged), used for the coarse part of the spin-up."""
        if not self.coarse_spinup_n:
            raise ArgumentError(f"{self.name} has no coarse spin-up")
        ratio = self.coarse_spinup_n / self.n
        points = tuple(
            replace(p, substeps=max(1, math.ceil(p.substeps * ratio))) for p in self.points
        )
        return replace(
            self,
            name=f"{self.name}-coarse",
            n=self.coarse_spinup_n,
            points=points,
            coarse_spinup_n=0,
            fine_spinup_intervals=0,
        )

    def file_name(self, point: PointRecipe) -> str:
        """``<set>_Ma_0.7_Ms_0.5.hdf5`` (one file per point and split, in the split's folder)."""
        return f"{self.name}_{point.label}.hdf5"

    def file_path(self, root: str | Path, point: PointRecipe, split: str) -> Path:
        """``<root>/data/<split>/<set>_Ma_<Ma>_Ms_<Ms>.hdf5``: where a point's split lives."""
        return Path(root) / "data" / split / self.file_name(point)

    # -- building --------------------------------------------------------------------------------
    def work(self, splits: Sequence[str]) -> int:
        """Progress units of a build of ``splits``: solver intervals (spin-up and frames)."""
        return sum(self.spinup(p) + self.n_frames - 1 for p in self.points) * len(splits)

    def generate(
        self,
        root: Path,
        *,
        splits: Sequence[str] = ("test",),
        device: str = "cpu",
        on_frame: Callable[[int, int], None] | None = None,
    ) -> list[Path]:
        """Generate ``splits`` under ``root`` (``physcheck.sim.generate.build``; imports torch)."""
        from physcheck.sim.generate import build

        return build(self, root, splits=splits, device=device, on_frame=on_frame)

    def split_paths(self, root: str | Path, split: str) -> list[Path]:
        """The files of ``split`` under ``root`` (one per point)."""
        return [self.file_path(root, p, split) for p in self.points]

    def structure(self) -> dict[str, dict[str, Any]]:
        """Every file's structural entry, ``{"data/<split>/<file>": entry}``."""
        return {
            f"data/{split}/{self.file_name(p)}": self.manifest_entry(p, count)
            for split, count in self.trajectories
            for p in self.points
        }

    def manifest_entry(self, point: PointRecipe, count: int) -> dict[str, Any]:
        """One file's structural entry."""
        return {
            "n_trajectories": count,
            "n_time": self.n_frames,
            "shape": [self.n] * 3,
            "dt": point.frame_interval,
            "fields": {
                "t0_fields": ["density"],
                "t1_fields": ["magnetic_field", "velocity"],
                "t2_fields": [],
            },
            "dtype": "float32",
            "parameters": {"Ma": point.Ma, "Ms": point.Ms},
        }

    # -- solver parameters -------------------------------------------------------------------
    def hyper_coefficient(self, point: PointRecipe) -> float:
        """``nu_hyper`` (length^(2p) / time) giving the damping rate ``hyper * Ms * k_c`` at the
        axis cutoff ``k_c = (2 pi / L) n / 3``."""
        k_c = 2 * math.pi / self.box_size * self.n / 3
        return point.hyper * point.Ms * k_c / k_c ** (2 * self.hyper_order)

    def solver_parameters(self, point: PointRecipe) -> dict[str, Any]:
        """Keyword arguments of ``SolverConfig`` for ``point`` (JSON-able)."""
        nu_h = self.hyper_coefficient(point)
        return {
            "n": self.n,
            "Ms": point.Ms,
            "Ma": point.Ma,
            "box_size": self.box_size,
            "frame_interval": point.frame_interval,
            "substeps": point.substeps,
            "spinup_intervals": self.spinup(point),
            "nu": 0.0,
            "eta": 0.0,
            "nu_hyper": nu_h,
            "eta_hyper": nu_h,
            "lnrho_hyper": nu_h * point.lnrho_factor,
            "hyper_order": self.hyper_order,
            "nu_shock": point.nu_shock,
            "va_max": point.va_max,
            "forcing_amplitude": point.forcing_amplitude,
            "forcing_correlation": self.forcing_correlation / point.Ms,
            "forcing_nmin": self.forcing_nmin,
            "forcing_nmax": self.forcing_nmax,
            "forcing_npar_min": self.forcing_npar_min,
            "cfl_max": self.cfl_max,
            "conserve_mass": True,
        }

    def config(self, point: PointRecipe) -> Any:
        """The ``SolverConfig`` of ``point`` (imports torch)."""
        from physcheck.sim.solver import SolverConfig

        return SolverConfig(**self.solver_parameters(point))

    def simulation_parameters(self, point: PointRecipe) -> dict[str, float]:
        """The Well's ``simulation_parameters`` (root attrs) of a point's files."""
        params = self.solver_parameters(point)
        return {
            "Ma": point.Ma,
            "Ms": point.Ms,
            "B0": point.B0,
            "nu": params["nu"],
            "eta": params["eta"],
            "nu_hyper": params["nu_hyper"],
            "eta_hyper": params["eta_hyper"],
            "lnrho_hyper": params["lnrho_hyper"],
            "hyper_order": float(self.hyper_order),
            "dt": point.frame_interval,
            "solver_dt": point.frame_interval / point.substeps,
            "box_size": self.box_size,
            "forcing_amplitude": point.forcing_amplitude,
            "forcing_correlation": params["forcing_correlation"],
            "forcing_nmax": self.forcing_nmax,
            "dealias_cutoff": self.dealias_cutoff,
        }


# -- the sets --------------------------------------------------------------------------------
# Calibration (scripts and numbers in the ground-truth report): at 32^3, u_rms ~ Ms within
# ~10%; the frame interval makes a 1e-6 perturbation grow >= 1e3 within 50 frames (the
# Lyapunov time is ~4 (Ms 0.5) / ~2 (Ms 2) time units, a large fraction of an eddy time at
# these resolutions); ``substeps`` keep the measured peak CFL number <= ~2 (runs stay stable
# up to ~2.5 by this measure; ``cfl_max`` = 2.5 raises before that). Subsonic points need
# only a weak hyperviscosity; supersonic ones need ~15x more, a 15x stronger ln rho
# hyperdiffusion and the Alfven-speed limiter, else evacuated, strongly magnetised voids run
# away (ln rho -> -inf within a few steps).
_TRAJECTORIES = (("train", 8), ("valid", 2), ("test", 2))

SMOKE = DatasetRecipe(
    name="smoke",
    n=16,
    points=(
        PointRecipe(
            Ma=0.7, Ms=0.5, forcing_amplitude=0.12, frame_interval=1.0, substeps=12, hyper=0.01
        ),
    ),
    trajectories=_TRAJECTORIES,
    n_frames=80,
    spinup_intervals=20,
    description="16^3, Ma 0.7 / Ms 0.5: shipped in git for fast unit tests (chaotic too).",
    notes=(
        "At 16^3 (modes |n_j| <= 5) the weak dissipation that keeps the flow chaotic leaves a "
        "nearly flat (thermalised) perpendicular spectrum between the forcing shell and the "
        "cutoff; use it for plumbing, not for spectral shape.",
    ),
)


def _subsonic(
    Ma: float, Ms: float, *, amplitude: float, substeps: int, hyper: float
) -> PointRecipe:
    return PointRecipe(
        Ma=Ma,
        Ms=Ms,
        forcing_amplitude=amplitude,
        frame_interval=round(0.35 / Ms, 3),
        substeps=substeps,
        hyper=hyper,
    )


def _supersonic(
    Ma: float, Ms: float, *, amplitude: float, substeps: int, hyper: float = 0.3
) -> PointRecipe:
    return PointRecipe(
        Ma=Ma,
        Ms=Ms,
        forcing_amplitude=amplitude,
        frame_interval=round(0.76 / Ms, 3),
        substeps=substeps,
        hyper=hyper,
        lnrho_factor=15.0,
        va_max=5.0 * Ms,
        spinup_intervals=12,
    )


DEFAULT = DatasetRecipe(
    name="default",
    n=32,
    points=(
        _subsonic(0.7, 0.5, amplitude=0.14, substeps=14, hyper=0.02),
        _supersonic(0.7, 2.0, amplitude=2.56, substeps=24),
    ),
    trajectories=_TRAJECTORIES,
    n_frames=80,
    spinup_intervals=20,
    description="32^3, Ma 0.7 with Ms 0.5 and Ms 2: the default ground truth.",
)

#: MHD_64's grid. (Ma 2, Ms 7) is left out: it needs hyper 0.5 and a ~2x smaller step than
#: the rule below at 16^3 and 32^3 (velocity spikes in its voids), and was not run at 64^3.
MHD64_LIKE = DatasetRecipe(
    name="mhd64-like",
    n=64,
    points=(
        _subsonic(0.7, 0.5, amplitude=0.14, substeps=28, hyper=0.02),
        _subsonic(0.7, 0.7, amplitude=0.27, substeps=36, hyper=0.02),
        _subsonic(2.0, 0.5, amplitude=0.14, substeps=28, hyper=0.02),
        _subsonic(2.0, 0.7, amplitude=0.27, substeps=28, hyper=0.02),
        # supersonic: 12 coarse + 6 fine spin-up intervals (a 6-interval coarse spin-up left a
        # developing flow whose transient broke the 64^3 run on its first saved frame)
        replace(_supersonic(0.7, 1.5, amplitude=1.44, substeps=46), spinup_intervals=18),
        replace(_supersonic(2.0, 1.5, amplitude=1.12, substeps=64), spinup_intervals=18),
        replace(_supersonic(0.7, 2.0, amplitude=2.56, substeps=48), spinup_intervals=18),
        replace(_supersonic(2.0, 2.0, amplitude=1.97, substeps=96), spinup_intervals=18),
        replace(_supersonic(0.7, 7.0, amplitude=31.0, substeps=48), spinup_intervals=18),
    ),
    trajectories=(("train", 8), ("valid", 2), ("test", 10)),
    n_frames=100,
    spinup_intervals=20,
    coarse_spinup_n=32,
    fine_spinup_intervals=6,
    build_on_first_use=False,
    description="64^3, MHD_64's (Ma, Ms) grid: build on demand (a GPU, or weeks of CPU).",
    notes=(
        "Numerics extrapolated from 32^3 (time step halved with the grid spacing, the same "
        "dimensionless dissipation); supersonic points spin up for 18 intervals (12 on the coarse "
        "grid). Short 64^3 runs on a CPU: (Ma 0.7, Ms 0.5) over 10 frames and (Ma 0.7, Ms 2) "
        "over 6; the other points were not run at 64^3.",
    ),
)

RECIPES: dict[str, DatasetRecipe] = {r.name: r for r in (SMOKE, DEFAULT, MHD64_LIKE)}


__all__ = ["DEFAULT", "MHD64_LIKE", "RECIPES", "SMOKE", "SPLITS", "DatasetRecipe", "PointRecipe"]
