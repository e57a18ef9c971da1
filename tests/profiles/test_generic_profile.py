"""The generic profile: data no profile knows (a synthetic ``my_new_physics`` Well file with t0,
t1 and t2 fields, walls in y) are judged under a profile built from the file's own metadata:
its fields with their kinds, no constraint. The generic checks judge the exact replay; the
physics checks skip with the generic profile's reason; the summary says the data were judged
under the generic profile, names the checks a dataset-specific profile would add, and says the
boundaries are not a periodic box. A profile named with ``--physcheck-profile`` still wins,
and one that does not fit the data is still one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
from physcheck.config import build_settings, check_names, check_spec
from physcheck.data import open_dataset
from physcheck.errors import ConfigError
from physcheck.profiles import (
    MHD,
    FieldSpec,
    Profile,
    attainable,
    generic_profile,
    profile_named,
    register_profile,
    would_add,
)
from physcheck.profiles.structural import GRAY_SCOTT
from physcheck.suite import Suite
from tests.profiles.generic_checks import GENERIC_CHECKS
from tests.profiles.synthetic import N_TRAJ, WINDOW, write_synthetic

#: what the file holds (the profile only describes the synthetic data: it is never registered)
NEW_PHYSICS = Profile(
    name="my_new_physics",
    dataset_names=("my_new_physics",),
    spatial_dims=2,
    fields=(
        FieldSpec("concentration"),
        FieldSpec("velocity", "vector"),
        FieldSpec("stress", "tensor"),
    ),
)
CHANNELS = (
    "concentration",
    "velocity_x",
    "velocity_y",
    "stress_xx",
    "stress_xy",
    "stress_yx",
    "stress_yy",
)
#: what a profile of these fields could add (equivariance: a symmetry group any fields can have)
WOULD_ADD = ["solenoidality", "positivity", "bounds", "budgets", "equivariance"]


@pytest.fixture(scope="module")
def new_physics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("my_new_physics")
    return write_synthetic(root, NEW_PHYSICS, (16, 12), boundaries={"y": "wall"})


def test_the_generic_profile_is_the_files_fields_without_constraints(new_physics: Path) -> None:
    data = open_dataset(new_physics)
    assert data.field_names == CHANNELS
    assert data.axis_boundaries == {"x": "PERIODIC", "y": "WALL"} and not data.periodic
    profile = data.generic_profile()
    assert (profile.name, profile.generic, profile.spatial_dims) == ("generic", True, 2)
    assert [(f.name, f.kind, f.group) for f in profile.fields] == [
        ("concentration", "scalar", "t0_fields"),
        ("velocity", "vector", "t1_fields"),
        ("stress", "tensor", "t2_fields"),
    ]
    assert profile.channel_names == CHANNELS
    assert profile.capabilities == frozenset()
    requires = {c: check_spec(c).requires for c in check_names()}
    assert would_add(profile, requires) == WOULD_ADD
    # the checks the generic profile serves are the generic ones
    assert {c for c, r in requires.items() if profile.missing(r) is None} == GENERIC_CHECKS


def test_what_a_profile_could_add_follows_the_fields() -> None:
    mhd_like = generic_profile(
        "mhd-renamed",
        [("density", "t0_fields"), ("velocity", "t1_fields"), ("magnetic_field", "t1_fields")],
        ("x", "y", "z"),
    )
    assert attainable(mhd_like) == attainable(MHD) >= MHD.capabilities
    scalars_only = generic_profile("gs", [("A", "t0_fields"), ("B", "t0_fields")], ("x", "y"))
    requires = {c: check_spec(c).requires for c in check_names()}
    assert would_add(scalars_only, requires) == ["positivity", "bounds", "budgets", "equivariance"]
    sphere = generic_profile("sw", [("h", "t0_fields"), ("velocity", "t1_fields")], ("theta", "phi"))
    assert sphere.channel_names == ("h", "velocity_theta", "velocity_phi")


def test_the_generic_profile_is_named_not_registered(new_physics: Path) -> None:
    with pytest.raises(ConfigError, match="built from a data file's own metadata"):
        profile_named("generic")
    with pytest.raises(ConfigError, match="the generic profile's"):
        register_profile(Profile("generic", (), 2, (FieldSpec("a"),)))
    # --physcheck-profile generic judges data a profile knows under their generic profile
    gray_scott = write_synthetic(new_physics.parent / "gs", GRAY_SCOTT, (8, 8))
    for named, expected in ((None, "gray_scott_reaction_diffusion"), ("generic", "generic")):
        settings = build_settings({"cache": False}, {"data": str(gray_scott), "profile": named})
        assert Suite(settings).profile.name == expected


def run(pytester: pytest.Pytester, data: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-no-snapshot",
        "--physcheck-no-cache", "--physcheck-data", str(data), "--physcheck-window", WINDOW,
        "--physcheck-model=exact=tests.profiles.synthetic:exact", *args,
    )  # fmt: skip


def test_data_no_profile_knows_are_judged_under_their_generic_profile(
    pytester: pytest.Pytester, new_physics: Path
) -> None:
    result = run(pytester, new_physics, "--physcheck-perturbations", "2", "--physcheck-json", "r.json")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    document: dict[str, Any] = json.loads((pytester.path / "r.json").read_text())
    assert document["settings"]["profile"] == "generic"
    data = document["provenance"]["data"]
    assert data["profile"] == {
        "name": "generic",
        "generic": True,
        "would_add": WOULD_ADD,
        "periodic_checks": [],
    }
    assert data["boundaries"] == {"x": "PERIODIC", "y": "WALL"}
    results = document["results"]
    assert {r["check"] for r in results} == set(check_names())
    for r in results:
        if r["check"] in GENERIC_CHECKS:
            assert r["passed"] and not r["skipped"], r["message"]
        else:
            assert r["skipped"].startswith("the generic profile has no "), r
    assert sum(r["check"] == "finite" for r in results) == N_TRAJ
    text = result.stdout.str()
    line = next(x for x in result.stdout.lines if x.startswith("profile: generic"))
    assert "'my_new_physics'" in line and "built from its own metadata" in line
    assert line.endswith(
        "register a profile to add solenoidality, positivity, bounds, budgets, equivariance "
        "(physcheck.profiles.register_profile)"
    )
    assert "boundaries: not a periodic box (x periodic, y wall)" in text
    assert "Traceback" not in text


def test_a_named_profile_that_does_not_fit_is_still_one_line(
    pytester: pytest.Pytester, new_physics: Path
) -> None:
    result = run(pytester, new_physics, "--physcheck-profile", "shear_flow")
    text = "\n".join(result.stdout.lines + result.stderr.lines)
    assert result.ret != pytest.ExitCode.OK
    line = next(x for x in text.splitlines() if "the shear_flow profile" in x)
    assert "named with --physcheck-profile" in line and "stress_xx" in line
    assert "Traceback" not in text
