"""A toy dataset profile, added without editing any check module: a 2D periodic scalar field
(an advected, diffused positive concentration) with one positivity constraint. The data are
made here, in The Well's layout with physcheck's writer; the profile is registered here (and by
the conftest of the pytest session run on it); the suite judges it through pytest.

An exact replay passes every generic check and ``positivity``; the MHD-only checks are skipped
with the profile's reason; a model that drives the field negative fails ``positivity`` at the
first step its minimum crosses 0; persistence fails ``dynamics``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
from physcheck.config import check_names, check_spec
from physcheck.data import open_dataset
from physcheck.data.writer import field_statistics, write_stats, write_well_file
from physcheck.profiles import FieldSpec, Profile, register_profile, unregister_profile
from tests.profiles.generic_checks import GENERIC_CHECKS
from tests.zoo import Replay

#: the toy physics: one positive scalar on a 2D periodic grid, nothing else
TOY = Profile(
    name="toy",
    dataset_names=("toy",),
    spatial_dims=2,
    fields=(FieldSpec("concentration"),),
    positive=("concentration",),
    description="2D periodic advection-diffusion of a positive concentration",
)
#: how the pytest session run on the data registers it (a user's conftest.py does the same)
CONFTEST = """
from physcheck.profiles import FieldSpec, Profile, register_profile

register_profile(
    Profile(
        name="toy",
        dataset_names=("toy",),
        spatial_dims=2,
        fields=(FieldSpec("concentration"),),
        positive=("concentration",),
    ),
    replace=True,
)
"""
N, N_TIME, N_TRAJ = 16, 14, 3
#: first predicted frame 3, one history frame, 10 steps (frames 3..12 of 0..13)
WINDOW = "3:1:10"
FIRST, K = 3, 10
#: the generic checks every profile runs (and ``positivity``, which the toy's constraint asks for)
GENERIC = GENERIC_CHECKS | {"positivity"}


def advected_blobs(seed: int = 0) -> np.ndarray:
    """``[B, T, X, Y]`` float32: a background 0.3 plus two Gaussian blobs (amplitude 1, width 2
    cells), advected at a velocity of its own per trajectory (about half a cell per frame) and
    diffused (0.05 cells^2 per frame), exactly (in Fourier space) on a 16^2 periodic grid.
    Diffusion keeps a positive field positive: its minimum stays near 0.3."""
    rng = np.random.default_rng(seed)
    k = 2 * np.pi * np.fft.fftfreq(N)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    x = np.arange(N)
    out = np.empty((N_TRAJ, N_TIME, N, N))
    for b in range(N_TRAJ):
        field = np.full((N, N), 0.3)
        for _ in range(2):
            cx, cy = rng.uniform(0, N, size=2)
            dx = (x[:, None] - cx + N / 2) % N - N / 2
            dy = (x[None, :] - cy + N / 2) % N - N / 2
            field += np.exp(-(dx**2 + dy**2) / (2 * 2.0**2))
        ux, uy = rng.uniform(-0.6, 0.6, size=2)
        start = np.fft.fft2(field)
        for t in range(N_TIME):
            decay = np.exp(-1j * (kx * ux + ky * uy) * t - 0.05 * (kx**2 + ky**2) * t)
            out[b, t] = np.fft.ifft2(start * decay).real
    return out.astype(np.float32)


@pytest.fixture(scope="module")
def toy_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Well dataset dir (``data/test/toy.hdf5`` and ``stats.yaml``) of the toy physics."""
    root = tmp_path_factory.mktemp("toy")
    concentration = advected_blobs()
    write_well_file(
        root / "data" / "test" / "toy.hdf5",
        dataset_name="toy",
        scalar_fields={"concentration": concentration},
        vector_fields={},
        times=np.arange(N_TIME, dtype=np.float32),
        box_size=float(N),
        parameters={"diffusivity": 0.05},
    )
    write_stats(root / "stats.yaml", field_statistics({"concentration": concentration}, {}))
    return root


@pytest.fixture
def toy_profile() -> Iterator[Profile]:
    register_profile(TOY, replace=True)
    yield TOY
    unregister_profile(TOY.name)


class ToyReplay(Replay):
    """``tests.zoo.Replay`` on the toy data: the true next frame of the nearest true frame,
    matched on the concentration (the zoo's MHD replay matches on the velocity)."""

    def match(self, last: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        frames = self.frames[:, :-1].to(last.dtype)  # [N, T-1, X, Y, C]
        candidates = frames.flatten(2).flatten(0, 1)  # [N * (T-1), P]
        dist = torch.cdist(last.flatten(1)[None].double(), candidates[None].double())[0]
        best = torch.nan_to_num(dist, nan=math.inf).argmin(dim=1)
        traj, t = best // frames.shape[1], best % frames.shape[1]
        return traj, t, frames[traj, t]


def exact(data: Any) -> Replay:
    return ToyReplay(data)


class NegativeDrift(ToyReplay):
    """The exact next frame minus ``offset`` per step, fed back (the deviation accumulates):
    step k predicts truth_k - k x offset, so the minimum crosses 0 at a step the truth says."""

    offset = 0.07

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        return out - self.offset


def negative_drift(data: Any) -> Replay:
    return NegativeDrift(data)


def run_suite(pytester: pytest.Pytester, data: Path, *args: str) -> dict[str, Any]:
    """The results document of a pytest session of the suite on ``data``."""
    pytester.makeconftest(CONFTEST)
    pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--physcheck-only",
        "--physcheck-no-snapshot",
        "--physcheck-no-cache",
        "--physcheck-data",
        str(data),
        "--physcheck-window",
        WINDOW,
        "--physcheck-perturbations",
        "2",
        "--physcheck-json",
        "results.json",
        *args,
    )
    document: dict[str, Any] = json.loads((pytester.path / "results.json").read_text())
    return document


def test_the_toy_data_are_a_2d_well_set_of_one_positive_scalar(
    toy_data: Path, toy_profile: Profile
) -> None:
    data = open_dataset(toy_data)
    assert (data.name, data.field_names, data.spatial_shape) == ("toy", ("concentration",), (N, N))
    frames = data.read_frames(1, 0, N_TIME)
    assert tuple(frames.shape) == (N_TIME, N, N, 1)
    assert float(frames.min()) > 0.25
    assert toy_profile.channel_names == data.field_names
    assert toy_profile.missing(check_spec("positivity").requires) is None


def test_the_generic_checks_judge_the_toy_profile(
    pytester: pytest.Pytester, toy_data: Path, toy_profile: Profile
) -> None:
    doc = run_suite(
        pytester,
        toy_data,
        "--physcheck-model",
        "exact=tests.profiles.test_toy_profile:exact",
        "--physcheck-model",
        "negative=tests.profiles.test_toy_profile:negative_drift",
        "--physcheck-model",
        "persistence=persistence",
        "--physcheck-report",
        "report",
    )
    assert doc["settings"]["profile"] == "toy"
    # the report draws the generic figures, none of div B, spectra or energies
    figures = {p.name for p in (pytester.path / "report").glob("fig-*.png")}
    assert {"fig-vrmse.png", "fig-variance.png", "fig-precision.png"} <= figures
    assert not figures & {"fig-divb.png", "fig-spectra.png", "fig-energy.png"}
    results = doc["results"]
    checks = set(check_names())
    mhd_only = checks - GENERIC
    assert {"solenoidality", "spectrum", "energy", "mean_field", "equivariance"} <= mhd_only

    exact = [r for r in results if r["model"] == "exact"]
    assert {r["check"] for r in exact} == checks
    for r in exact:
        if r["check"] in GENERIC:
            assert r["passed"] and not r["skipped"], r["message"]
        else:
            reason = toy_profile.missing(check_spec(r["check"]).requires)
            assert reason is not None and r["skipped"] == reason, r
            assert r["message"].endswith(f"skipped: {reason}")
    assert next(r["skipped"] for r in exact if r["check"] == "perpendicular_symmetry") == (
        "the toy profile has no guide axis (a mean field that sets a perpendicular plane) and "
        "no magnetic field"
    )

    # the negative model fails positivity at the first step whose minimum the truth's and the
    # accumulated offset take to 0
    truth = open_dataset(toy_data)
    expected = {}
    for t in range(N_TRAJ):
        minima = truth.read_frames(t, FIRST, FIRST + K).amin(dim=(1, 2, 3))
        k = torch.arange(1, K + 1, dtype=torch.float32)
        crossed = torch.nonzero(minima - k * NegativeDrift.offset <= 0).flatten()
        expected[t] = int(crossed[0]) + 1
    assert all(1 < step <= K for step in expected.values())
    negative = [r for r in results if r["model"] == "negative" and r["check"] == "positivity"]
    assert len(negative) == N_TRAJ
    for r in negative:
        step = expected[r["trajectory"]]
        assert not r["passed"] and r["step"] == step, r
        prefix = f"traj {r['trajectory']}, step {step}: concentration minimum"
        assert r["message"].startswith(prefix), r["message"]
        assert r["details"]["pred_min"] <= 0 < r["details"]["truth_min"]
    assert all(
        r["passed"] for r in results if r["model"] == "negative" and r["check"] == "finite"
    )

    # persistence holds its input: the field stops moving, which dynamics sees
    dynamics = [r for r in results if r["model"] == "persistence" and r["check"] == "dynamics"]
    assert dynamics and not any(r["passed"] for r in dynamics)
    assert all(
        r["passed"] for r in results if r["model"] == "persistence" and r["check"] == "positivity"
    )


def test_a_profile_that_does_not_fit_the_data_is_one_clear_line(
    pytester: pytest.Pytester, toy_data: Path, toy_profile: Profile
) -> None:
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--physcheck-only",
        "--physcheck-no-snapshot",
        "--physcheck-data",
        str(toy_data),
        "--physcheck-window",
        WINDOW,
        "--physcheck-model",
        "exact=tests.profiles.test_toy_profile:exact",
        "--physcheck-profile",
        "mhd",
    )
    text = "\n".join(result.stdout.lines + result.stderr.lines)
    assert result.ret != pytest.ExitCode.OK
    line = next(line for line in text.splitlines() if "the mhd profile" in line)
    assert "the data are 2D, the profile 3D" in line and "concentration" in line
    assert "--physcheck-profile" in line
    assert "Traceback" not in text

