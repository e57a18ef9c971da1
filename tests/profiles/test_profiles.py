"""Dataset profiles: the MHD profile describes the data physcheck ships, a run finds its profile
from the data's name or channels (or an option), and a check that requires what a profile
lacks is skipped with the reason, in its own shape, while the others are unchanged."""

from __future__ import annotations

import dataclasses

import pytest

from physcheck.checks.run import run_checks
from physcheck.config import build_settings, check_names, check_spec, register_check
from physcheck.data import open_dataset
from physcheck.datasets import dataset_dir
from physcheck.errors import ConfigError, DataError, LayoutError
from physcheck.fields import MHD_FIELDS, MHD_LAYOUT, FieldLayout
from physcheck.profiles import (
    CAPABILITIES,
    MHD,
    SHEAR_FLOW,
    FieldSpec,
    Profile,
    generic_profile,
    profile_for,
    profile_named,
    register_profile,
    unregister_profile,
)
from physcheck.suite import Suite

#: a 2D periodic scalar field that stays positive: no magnetic field, no guide axis
TOY = Profile(
    name="toy-positive-scalar",
    dataset_names=("toy",),
    spatial_dims=2,
    fields=(FieldSpec("concentration"),),
    positive=("concentration",),
    conserved=("concentration",),
)


def test_the_mhd_profile_lists_the_channels_of_the_shipped_data() -> None:
    data = open_dataset(dataset_dir("smoke"))
    assert MHD.channel_names == MHD_FIELDS == tuple(data.field_names)
    assert MHD.spatial_dims == len(data.spatial_shape)
    assert profile_for(data.name, data.field_names) is MHD
    # MHD offers everything checks use but the scalar bounds and budgets (its conserved
    # integrals are mean_field's: mass, <B>, momentum)
    assert MHD.capabilities == frozenset(CAPABILITIES) - {"bounded", "budgets"}


def test_a_profile_is_found_by_name_then_by_channels_or_named() -> None:
    assert profile_for("MHD_64", ["anything"]) is MHD  # The Well's own name
    assert profile_for("my-mhd-copy", MHD_FIELDS) is MHD  # renamed, same channels
    assert profile_for("shear_flow", ["anything"]) is SHEAR_FLOW
    assert profile_for("shear", ["tracer", "pressure", "velocity_x", "velocity_y"]) is SHEAR_FLOW
    assert profile_for("gray_scott", ["A", "B"]).name == "gray_scott_reaction_diffusion"
    # data no profile knows: their generic profile where the caller built one from the data,
    # else the DataError saying how to name one
    generic = generic_profile("my_new_physics", [("c", "t0_fields")], ("x", "y"))
    assert profile_for("my_new_physics", ["c"], generic=generic) is generic
    assert profile_for("MHD_64", MHD_FIELDS, named="generic", generic=generic) is generic
    assert profile_for("my_new_physics", ["c"], named="mhd", generic=generic) is MHD
    with pytest.raises(DataError, match=r"no physcheck profile knows data set 'my_new_physics' .*--physcheck-profile"):
        profile_for("my_new_physics", ["c"])
    register_profile(TOY)
    try:
        assert profile_for("toy", ["concentration"]) is TOY
        assert profile_for("MHD_64", MHD_FIELDS, named="toy-positive-scalar") is TOY
        with pytest.raises(ConfigError, match="exists already"):
            register_profile(TOY)
    finally:
        unregister_profile(TOY.name)
    with pytest.raises(ConfigError, match="unknown profile 'toy-positive-scalar'; known profiles: mhd"):
        profile_named("toy-positive-scalar")


def test_vector_channels_follow_the_well_flattening() -> None:
    assert FieldSpec("velocity", "vector").channels(2) == ("velocity_x", "velocity_y")
    assert FieldSpec("velocity", "vector").group == "t1_fields"
    assert FieldSpec("tracer").group == "t0_fields"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"divergence_free": ("concentration",)}, "are not vectors"),
        ({"positive": ("mass",)}, "positive names unknown field"),
        ({"spatial_dims": 4}, "spatial_dims must be 1, 2 or 3"),
        ({"fields": (FieldSpec("a"), FieldSpec("a"))}, "duplicate field names"),
    ],
)
def test_an_inconsistent_profile_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        dataclasses.replace(TOY, **changes)  # type: ignore[arg-type]


def test_a_missing_capability_is_named_in_the_reason() -> None:
    assert TOY.capabilities == frozenset({"positive", "budgets"})  # the concentration's integral
    assert MHD.missing(["divergence_free", "symmetries"]) is None
    assert TOY.missing(["magnetic_field", "divergence_free"]) == (
        "the toy-positive-scalar profile has no magnetic field and no divergence-free field"
    )


def test_each_profile_names_its_symmetry_group_and_equivariance_serves_both() -> None:
    """MHD's spec builds exactly the group physcheck judged before profiles named groups (the
    same transforms in the same order, for every guide axis); shear_flow's is its 2D box's; the
    check asks only for a group (the basin orbit follows the group's rotations)."""
    from physcheck.diagnostics.symmetry import SymmetryGroup

    for guide in range(3):
        layout = FieldLayout.of(MHD, guide)
        assert SymmetryGroup.of(MHD, layout, (8, 8, 8)) == SymmetryGroup(layout)
    flow = SymmetryGroup.of(SHEAR_FLOW, FieldLayout.of(SHEAR_FLOW), (64, 128))
    assert [t.name for t in flow.transforms] == [
        "reflect_x", "reflect_y", "reflect_xy", "shift_x3", "shift_y3",
    ]
    assert flow.rotations == () and SymmetryGroup(MHD_LAYOUT).rotations != ()
    requires = check_spec("equivariance").requires
    assert requires == ("symmetries",)
    assert MHD.missing(requires) is None and SHEAR_FLOW.missing(requires) is None
    assert TOY.missing(requires) == "the toy-positive-scalar profile has no symmetry group"


def test_a_check_requiring_an_unknown_capability_is_refused() -> None:
    with pytest.raises(ConfigError, match="requires unknown capabilit"):
        register_check("vorticity", lambda ctx: [], summary="x", requires=("vorticity",))


def test_checks_the_profile_cannot_serve_skip_in_their_own_shape() -> None:
    settings = build_settings(
        {"cache": False},
        {"models": ["oracle=reference"], "window": "3:1:6", "trajectories": "0-1", "perturbations": "0"},
    )
    suite = Suite(settings)
    context = suite.context("oracle")
    # the MHD data judged under a profile that offers none of MHD's capabilities (positivity
    # would look for the toy's field in MHD data: the toy without its positive field)
    bare = dataclasses.replace(TOY, positive=(), conserved=())
    under_mhd = run_checks(context, settings.checks)
    under_toy = run_checks(dataclasses.replace(context, profile=bare), settings.checks)
    assert [(r.check, r.trajectory, r.channel) for r in under_toy] == [
        (r.check, r.trajectory, r.channel) for r in under_mhd
    ]  # the same items: a skipped check keeps its ids
    for mhd, toy in zip(under_mhd, under_toy, strict=True):
        reason = bare.missing(check_spec(mhd.check).requires)
        if reason is None:
            assert toy == mhd  # a generic check is untouched by the profile
        else:
            assert toy.skipped == reason and reason in toy.message
    skipped = {r.check for r in under_toy if r.skipped}
    assert {
        "solenoidality",
        "spectrum",
        "perpendicular_symmetry",
        "energy",
        "mean_field",
        "positivity",
        "bounds",
        "budgets",
    } <= skipped
    assert {"finite", "vrmse", "channel_variance"}.isdisjoint(skipped)
    assert set(check_names()) >= skipped


def test_a_profiles_layout_has_its_channels_dimensions_and_guide_axis() -> None:
    assert FieldLayout.of(MHD) == MHD_LAYOUT and MHD_LAYOUT.has_guide_field
    assert FieldLayout.of(MHD, guide_axis=2).perpendicular_axes == (0, 1)
    toy = FieldLayout.of(TOY, guide_axis=2)
    assert (toy.names, toy.guide_axis, toy.spatial_dims) == (("concentration",), None, 2)
    assert toy.spatial_axes == (-3, -2) and not toy.has_guide_field
    with pytest.raises(LayoutError, match="no plane perpendicular to a guide field: this layout is 2D"):
        _ = toy.perpendicular_axes
    with pytest.raises(LayoutError, match="guide_axis must be one of 0, 1"):
        FieldLayout(("a", "b"), guide_axis=2, spatial_dims=2)
    flow = FieldLayout(("density", "velocity_x", "velocity_y"), guide_axis=None, spatial_dims=2)
    assert flow.velocity == (1, 2) and flow.has_vector("velocity")
    assert not flow.has_vector("magnetic_field")


def test_the_differences_between_data_and_a_profile_are_named() -> None:
    assert MHD.differences(MHD_FIELDS, 3) == []
    assert TOY.differences(["concentration"], 2) == []
    assert MHD.differences(["concentration"], 2) == [
        "the data are 2D, the profile 3D",
        f"missing channel(s) {', '.join(MHD_FIELDS)}",
        "channel(s) the profile does not know: concentration",
    ]
    swapped = (MHD_FIELDS[1], MHD_FIELDS[0], *MHD_FIELDS[2:])
    (order,) = MHD.differences(swapped, 3)
    assert order.startswith("the channels are in another order (magnetic_field_x, density")


def test_runs_of_different_profiles_are_not_compared() -> None:
    from physcheck.baseline.comparable import differences

    def document(profile: str | None) -> dict[str, object]:
        files = [{"name": "a.hdf5", "sha256": "0" * 64}]
        return {
            "physcheck": {"version": "0.3.0"},
            "settings": {"window": "3:1:10", "profile": profile},
            "provenance": {"data": {"files": files}},
        }

    assert differences(document("toy"), document("mhd")) == ["profile 'toy' against 'mhd'"]
    assert differences(document("mhd"), document("mhd")) == []
    assert differences(document("mhd"), document(None)) == []  # a baseline from before profiles
