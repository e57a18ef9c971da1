"""The structural profiles of The Well's datasets: each names The Well's fields (its metadata
files' names, in its channel order), is found by its ``dataset_name`` in a small synthetic
Well-format file, and gates a model through pytest: the exact replay passes every check the
profile serves (the generic ones and its constraints) and skips the others with the profile's
reason; a model that breaks one declared constraint fails exactly that check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
from physcheck.config import check_names, check_spec
from physcheck.data import open_dataset
from physcheck.profiles import STRUCTURAL, Profile, profile_for, profile_named
from physcheck.profiles.registry import BUILT_IN
from tests.profiles.generic_checks import GENERIC_CHECKS
from tests.profiles.synthetic import BREAKERS, N_TRAJ, WINDOW, write_synthetic

GENERIC = GENERIC_CHECKS
#: The Well's channels of each dataset (``datasets/<name>/<name>.yaml``: t0, t1, t2 fields)
WELL_CHANNELS = {
    "euler_multi_quadrants_openBC": "energy density pressure momentum_x momentum_y",
    "euler_multi_quadrants_periodicBC": "energy density pressure momentum_x momentum_y",
    "turbulent_radiative_layer_2D": "density pressure velocity_x velocity_y",
    "turbulent_radiative_layer_3D": "density pressure velocity_x velocity_y velocity_z",
    "supernova_explosion": "density pressure temperature velocity_x velocity_y velocity_z",
    "turbulence_gravity_cooling": "density pressure temperature velocity_x velocity_y velocity_z",
    "gray_scott_reaction_diffusion": "A B",
    "active_matter": "concentration velocity_x velocity_y D_xx D_xy D_yx D_yy E_xx E_xy E_yx E_yy",
    "rayleigh_benard": "buoyancy pressure velocity_x velocity_y",
    "viscoelastic_instability": "pressure c_zz velocity_x velocity_y C_xx C_xy C_yx C_yy",
    "planetswe": "height velocity_theta velocity_phi",
}
#: each profile's synthetic grid and its boundaries (as in The Well; periodic elsewhere)
GRIDS: dict[str, tuple[tuple[int, ...], dict[str, str]]] = {
    "euler_multi_quadrants_openBC": ((16, 16), {"x": "open", "y": "open"}),
    "euler_multi_quadrants_periodicBC": ((16, 16), {}),
    "turbulent_radiative_layer_2D": ((12, 16), {"y": "open"}),
    "turbulent_radiative_layer_3D": ((8, 8, 8), {"z": "open"}),
    "supernova_explosion": ((8, 8, 8), {"x": "open", "y": "open", "z": "open"}),
    "turbulence_gravity_cooling": ((8, 8, 8), {"x": "open", "y": "open", "z": "open"}),
    "gray_scott_reaction_diffusion": ((16, 16), {}),
    "active_matter": ((16, 16), {}),
    "rayleigh_benard": ((16, 12), {"y": "wall"}),
    "viscoelastic_instability": ((16, 12), {"y": "wall"}),
    "planetswe": ((8, 16), {"theta": "open"}),
}
NAMES = [p.name for p in STRUCTURAL]


def constraint_checks(profile: Profile) -> set[str]:
    """The constraint checks the profile's declarations serve."""
    declared = {
        "positivity": profile.positive,
        "bounds": profile.bounded,
        "budgets": profile.conserved_fields or profile.non_increasing,
        "solenoidality": profile.divergence_free,
    }
    return {check for check, fields in declared.items() if fields}


def test_every_dataset_of_the_reference_has_a_structural_profile() -> None:
    assert set(NAMES) == set(WELL_CHANNELS) == set(GRIDS)
    assert set(NAMES) <= set(BUILT_IN)
    for profile in STRUCTURAL:
        assert profile_named(profile.name) is profile
        assert " ".join(profile.channel_names) == WELL_CHANNELS[profile.name]
        assert constraint_checks(profile), profile.name  # each declares a constraint
        # spectra and symmetries assume a periodic box these data mostly are not
        assert profile.symmetries is None and not profile.spectra
    assert profile_for("supernova_explosion_128", ["x"]).name == "supernova_explosion"


@pytest.mark.parametrize("name", NAMES)
def test_a_synthetic_file_is_found_by_its_dataset_name(tmp_path: Path, name: str) -> None:
    profile = profile_named(name)
    shape, boundaries = GRIDS[name]
    data = open_dataset(write_synthetic(tmp_path, profile, shape, boundaries=boundaries))
    assert data.name == profile.dataset_names[0] and data.n_trajectories == N_TRAJ
    assert profile_for(data.name, data.field_names, generic=data.generic_profile()) is profile
    assert profile.differences(data.field_names, len(data.spatial_shape)) == []
    assert data.generic_profile().channel_names == data.field_names
    assert data.axis_boundaries == {
        axis: boundaries.get(axis, "periodic").upper() for axis in profile.axis_names
    }
    frames = data.read_frames(0, 0, data.n_time)
    for field in profile.positive:
        for channel in profile.field_channels(field):
            assert float(frames[..., data.field_names.index(channel)].min()) > 0


@pytest.mark.parametrize("name", NAMES)
def test_the_profile_gates_its_constraints(
    pytester: pytest.Pytester, tmp_path: Path, name: str
) -> None:
    profile = profile_named(name)
    shape, boundaries = GRIDS[name]
    data = write_synthetic(tmp_path / "data", profile, shape, boundaries=boundaries)
    constraints = constraint_checks(profile)
    served = {c for c in check_names() if profile.missing(check_spec(c).requires) is None}
    assert served == GENERIC | constraints
    models = {"exact": "exact"} | {check: BREAKERS[check] for check in sorted(constraints)}
    pytester.runpytest(
        "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-no-snapshot",
        "--physcheck-no-cache", "--physcheck-data", str(data), "--physcheck-window", WINDOW,
        "--physcheck-perturbations", "2", "--physcheck-json", "results.json",
        *(f"--physcheck-model={m}=tests.profiles.synthetic:{attr}" for m, attr in models.items()),
    )  # fmt: skip
    document: dict[str, Any] = json.loads((pytester.path / "results.json").read_text())
    assert document["settings"]["profile"] == name
    results = document["results"]
    exact = [r for r in results if r["model"] == "exact"]
    assert {r["check"] for r in exact} == set(check_names())
    for r in exact:
        if r["check"] in served:
            assert r["passed"] and not r["skipped"], r["message"]
        else:
            assert r["skipped"] == profile.missing(check_spec(r["check"]).requires), r
    for check in constraints:
        failed = {r["check"] for r in results if r["model"] == check and not r["passed"]}
        messages = [r["message"] for r in results if r["model"] == check and not r["passed"]]
        assert failed == {check}, messages
        # broken from the first step (solenoidality names its worst step and the onset)
        judged = [r for r in results if r["model"] == check and r["check"] == check]
        assert len(judged) == N_TRAJ, judged
        for r in judged:
            assert r["step"] == 1 or "onset step 1 (" in r["message"], r["message"]
