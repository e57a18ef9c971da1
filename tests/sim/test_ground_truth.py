"""The ground truth has teeth: chaotic, decorrelating over the paper window, stationary.

Runs on the shipped smoke set (16^3) in CI and on the default set (32^3, built on first use,
about 4 minutes on two cores) with ``-m slow``:

    python -m pytest -m slow tests/sim/test_ground_truth.py -s

``-s`` prints the measured numbers (growth, finite-time Lyapunov exponent, persistence VRMSE,
stationarity ratios) that the README's ground-truth section reports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from physcheck.data import open_dataset
from physcheck.datasets import default_dataset
from physcheck.diagnostics import energies, vrmse
from physcheck.sim.analysis import lyapunov_rate, perturbation_growth
from physcheck.sim.generate import read_solver_record

torch.set_num_threads(1)

SETS = [
    pytest.param("smoke", id="smoke"),
    pytest.param("default", id="default", marks=pytest.mark.slow),
]


class Truth:
    """One set's test split: frames ``[B, T, X, Y, Z, 7]`` per file, with the solver record."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root = Path(default_dataset(name=name))
        self.data = open_dataset(self.root, split="test")
        self.files = sorted({ref.file for ref in self.data.trajectories})

    def frames(self, file: Path) -> torch.Tensor:
        rows = [r.index for r in self.data.trajectories if r.file == file]
        return torch.stack([self.data.read_frames(i, 0, self.data.n_time) for i in rows])

    def record(self, file: Path):  # type: ignore[no-untyped-def]
        index = next(r.index for r in self.data.trajectories if r.file == file)
        return read_solver_record(self.data.solver_attributes(index) or {})


@pytest.fixture(scope="module", params=SETS)
def truth(request: pytest.FixtureRequest) -> Truth:
    return Truth(request.param)


def frozen_vrmse(frames: torch.Tensor, first: int, k: int, freeze_after: int) -> torch.Tensor:
    """Per trajectory and step, the channel-mean VRMSE ``[B, K]`` of a model that is exact for
    ``freeze_after`` steps of the window starting at frame ``first`` and then repeats its last
    frame (``freeze_after = 0``: persistence)."""
    target = frames[:, first : first + k]
    last = frames[:, first - 1 + freeze_after : first + freeze_after]
    prediction = last.expand_as(target).clone()
    prediction[:, :freeze_after] = target[:, :freeze_after]
    return vrmse(prediction, target).mean(dim=-1)


def test_a_1e6_perturbation_grows_a_thousandfold_in_the_early_window(truth: Truth) -> None:
    """Under the reference solver, a 1e-6 relative perturbation of frame 2 (the early window's
    last history frame) grows >= 1e3 within the window's 50 steps, on every trajectory."""
    for file in truth.files:
        config, seeds = truth.record(file)
        frames = truth.frames(file)
        growth = perturbation_growth(frames[:, 2], config, seeds, frame_index=2, n_frames=50)
        rate = lyapunov_rate(growth)
        first = [
            int(np.argmax(column >= 1e3)) + 1 if (column >= 1e3).any() else None
            for column in growth.T
        ]
        print(
            f"\n{truth.name} {file.name}: growth at step 50 {np.round(growth[-1], 1).tolist()}, "
            f"first step >= 1e3 {first}, FTLE per frame {np.round(rate, 3).tolist()} "
            f"(per time unit {np.round(rate / config.frame_interval, 3).tolist()})"
        )
        assert (growth.max(axis=0) >= 1e3).all(), (
            f"{file.name}: the perturbation grew only {growth.max(axis=0)}"
        )
        assert (rate > 0).all()


@pytest.mark.parametrize(
    ("first", "k", "lo", "hi"), [(3, 50, 21, 50), (17, 60, 21, 60)], ids=["early", "paper"]
)
def test_persistence_and_a_model_frozen_after_10_steps_lose_all_skill(
    truth: Truth, first: int, k: int, lo: int, hi: int
) -> None:
    """The flow decorrelates: over T 21-50 (early window) and T 21-60 (paper window) the
    channel-mean VRMSE of persistence, and of a model frozen after 10 exact steps, is >= 1."""
    for file in truth.files:
        frames = truth.frames(file)
        for freeze in (0, 10):
            per_step = frozen_vrmse(frames, first, k, freeze)[:, lo - 1 : hi].mean(dim=1)
            print(
                f"\n{truth.name} {file.name} first {first} frozen after {freeze}: T{lo}-{hi} VRMSE {per_step.tolist()}"
            )
            assert per_step.median().item() >= 1.0


def test_the_paper_window_is_statistically_stationary(truth: Truth) -> None:
    """Channel variances and E_B/E_K (means over trajectories) stay within a factor 2 over the
    paper window (frames 14-76)."""
    for file in truth.files:
        window = truth.frames(file)[:, 14:77].double()
        variance = window.var(dim=(2, 3, 4)).mean(dim=0)  # [T, C]
        spread = (variance.amax(0) / variance.amin(0)).max().item()
        ratio = energies(window).ratio.mean(dim=0)
        ratio_spread = (ratio.max() / ratio.min()).item()
        print(
            f"\n{truth.name} {file.name}: variance max/min {spread:.2f}, E_B/E_K max/min {ratio_spread:.2f}"
        )
        assert spread < 2 and ratio_spread < 2


def test_the_oracle_reproduces_the_next_frame(truth: Truth) -> None:
    """The reference solver, from a stored float32 frame, lands on the next stored frame to
    float32 round-off grown over one interval (the exact-oracle contract)."""
    from physcheck.sim import advance_frame

    for file in truth.files:
        config, seeds = truth.record(file)
        frames = truth.frames(file)
        for k in (1, 40):
            nxt = advance_frame(frames[:, k - 1].double(), config, seeds, k)
            error = vrmse(nxt.float()[:, None], frames[:, k : k + 1]).mean().item()
            assert error < 1e-4, f"{file.name} frame {k}: oracle error {error:.2e}"


@pytest.mark.slow
def test_at_64_cubed_the_perpendicular_spectrum_is_a_power_law() -> None:
    """A short mhd64-like segment (Ma 0.7, Ms 0.5; the recipe's coarse spin-up, 10 frames, one
    trajectory; about 5 minutes on one core): the B_perp spectrum over the fit range the checks
    use (shells 3-21, 19 shells) is a power law (R^2 of the log-log fit of the mean spectrum
    > 0.95), with a slope that moves little over time. Measured on frames 1-2 only (before the
    statistics used every frame): slope -1.91 +- 0.05, R^2 0.987."""
    import dataclasses

    from physcheck.diagnostics import frame_statistics
    from physcheck.sim.generate import run_trajectories
    from physcheck.sim.recipes import MHD64_LIKE
    from physcheck.sim.statistics import truth_statistics

    recipe = dataclasses.replace(MHD64_LIKE, n_frames=10, trajectories=(("test", 1),))
    point = recipe.point(0.7, 0.5)
    coarse = recipe.coarse()
    frames = run_trajectories(
        recipe.config(point),
        recipe.seeds(point, "test"),
        recipe.n_frames,
        coarse=coarse.config(coarse.point(0.7, 0.5)),
        fine_spinup_intervals=recipe.fine_spinup_intervals,
    )
    x = torch.from_numpy(frames.well())
    fit = (3.0, 21.0)
    stats = truth_statistics(x, fit=fit, cutoff=64 / 3)
    spectrum = frame_statistics(x[0].double(), spectrum=True, methods=("central",)).spectrum
    assert spectrum is not None
    e = spectrum.sum(-2).mean(0)[3:22]
    log_m, log_e = torch.log(torch.arange(3, 22, dtype=torch.float64)), torch.log(e)
    design = torch.stack([log_m, torch.ones_like(log_m)], 1)
    residual = log_e - design @ torch.linalg.lstsq(design, log_e[:, None]).solution[:, 0]
    r2 = 1 - residual.var() / log_e.var()
    print(
        f"\n64^3 Ma 0.7 Ms 0.5: slope {stats['slope']:.2f} +- {stats['slope_spread']:.2f} over shells 3-21, R^2 {r2:.3f}"
    )
    assert stats["fit_shells"] >= 6 and r2 > 0.95
    assert stats["slope_spread"] < 0.3
