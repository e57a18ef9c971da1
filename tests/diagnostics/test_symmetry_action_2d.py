"""shear_flow's symmetry group on a 2D grid, against its definition point by point: the shifts
and the reflections x -> -x (u_x -> -u_x, and the tracer, which starts as u_x, -> -tracer),
y -> -y (u_y -> -u_y) and both, the pressure moved only; each commutes with the divergence (a scalar: div(T u) = T(div u)) and
with the vorticity (a pseudo-scalar: w(T u) = det(R) T(w u)); the group a spec names, in 1 to 3
dimensions, and the specs a profile cannot have."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
import torch

from physcheck.diagnostics.solenoidal import solenoidal_ratios
from physcheck.diagnostics.symmetry import SymmetryGroup, Transform, group_transforms
from physcheck.errors import ConfigError, LayoutError
from physcheck.fields import FieldLayout
from physcheck.profiles import SHEAR_FLOW, FieldSpec, Profile, SymmetrySpec
from physcheck.sim.shear_flow import PeriodicGrid2D

SHAPE = (4, 6)  # a non-square grid, like the 1 x 2 box
LAYOUT = FieldLayout.of(SHEAR_FLOW)
GROUP = SymmetryGroup.of(SHEAR_FLOW, LAYOUT, SHAPE)
TRACER, PRESSURE = LAYOUT.index("tracer"), LAYOUT.index("pressure")
UX, UY = LAYOUT.velocity


def by_definition(transform: Transform, state: torch.Tensor) -> torch.Tensor:
    """``T(state)`` for ``state [X, Y, C]`` from the definition, one point at a time:
    ``f'(i) = f(R^-1 (i - shift))``, the velocity turned by ``R``, the pressure moved only, the
    tracer moved and flipped by x -> -x."""
    matrix = torch.tensor(transform.matrix, dtype=torch.float64)
    out = torch.empty_like(state)
    for i in itertools.product(*(range(n) for n in SHAPE)):
        moved = matrix.T @ (torch.tensor(i, dtype=torch.float64) - torch.tensor(transform.shift))
        source = tuple(int(round(float(v))) % n for v, n in zip(moved, SHAPE, strict=True))
        out[i] = state[source]
    velocity = list(LAYOUT.velocity)
    out[..., velocity] = out[..., velocity] @ matrix.T
    out[..., TRACER] *= matrix[0, 0]  # the tracer flips with x -> -x (it starts as u_x)
    return out


def test_the_group_is_the_shifts_and_the_reflections_all_judged_without_rotations() -> None:
    assert [t.name for t in GROUP.transforms] == [
        "reflect_x", "reflect_y", "reflect_xy", "shift_x3", "shift_y3",
    ]
    assert GROUP.judged == GROUP.transforms and GROUP.reported == ()
    assert GROUP.rotations == () and GROUP.pseudovectors == () and GROUP.vectors == ("velocity",)
    assert [t.determinant for t in GROUP.transforms] == [-1, -1, 1, 1, 1]


@pytest.mark.parametrize("transform", GROUP.transforms, ids=lambda t: t.name)
def test_each_symmetry_acts_as_defined(transform: Transform) -> None:
    state = torch.randn(*SHAPE, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert torch.equal(GROUP.apply(transform, state), by_definition(transform, state))
    batched = torch.stack([state, 2 * state])[:, None]  # [B, T, X, Y, C]
    assert torch.equal(GROUP.apply(transform, batched)[1, 0], by_definition(transform, 2 * state))
    assert torch.equal(GROUP.apply(transform.inverse(), GROUP.apply(transform, state)), state)


@pytest.mark.parametrize(
    ("name", "source", "signs"),
    [
        ("reflect_x", lambda i, j: (-i, j), (-1, 1, -1, 1)),
        ("reflect_y", lambda i, j: (i, -j), (1, 1, 1, -1)),
        ("reflect_xy", lambda i, j: (-i, -j), (-1, 1, -1, -1)),
        ("shift_x3", lambda i, j: (i - 3, j), (1, 1, 1, 1)),
        ("shift_y3", lambda i, j: (i, j - 3), (1, 1, 1, 1)),
    ],
)
def test_each_symmetry_moves_the_points_and_flips_the_components_it_names(
    name: str, source: object, signs: tuple[int, ...]
) -> None:
    """Written out: ``reflect_x`` puts ``(-s, p, -u_x, u_y)`` of point ``(-i, j)`` at ``(i, j)``."""
    state = torch.randn(*SHAPE, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    moved = GROUP.apply(GROUP.by_name(name), state)
    sign = torch.tensor(signs, dtype=torch.float64)
    for i, j in itertools.product(*(range(n) for n in SHAPE)):
        a, b = source(i, j)  # type: ignore[operator]
        assert torch.equal(moved[i, j], sign * state[a % SHAPE[0], b % SHAPE[1]]), (i, j)


def _derivatives(grid: PeriodicGrid2D, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(d_x f, d_y f)`` of ``f [..., X, Y]`` on the periodic box (spectral)."""
    f_hat = grid.fft(f)
    k = grid.k.to(f_hat.dtype)
    return grid.ifft(1j * k[0] * f_hat), grid.ifft(1j * k[1] * f_hat)


def _divergence_and_vorticity(grid: PeriodicGrid2D, state: torch.Tensor) -> torch.Tensor:
    """``[X, Y, 2]``: ``div u`` and ``w = d_x u_y - d_y u_x`` of ``state [X, Y, C]``."""
    dxx, dxy = _derivatives(grid, state[..., UX])
    dyx, dyy = _derivatives(grid, state[..., UY])
    return torch.stack([dxx + dyy, dyx - dxy], dim=-1)


@pytest.mark.parametrize("transform", GROUP.transforms, ids=lambda t: t.name)
def test_each_symmetry_commutes_with_the_divergence_and_turns_the_vorticity_by_its_determinant(
    transform: Transform,
) -> None:
    """``div(T u) = T(div u)`` (a scalar, every sign +) and ``w(T u) = det(R) T(w)`` (a
    pseudo-scalar); the solenoidality check's ratios are the same for ``T u`` as for ``u``."""
    grid = PeriodicGrid2D(8, 16)
    state = torch.randn(8, 16, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    moved = GROUP.apply(transform, state)
    div, vorticity = _divergence_and_vorticity(grid, state).unbind(-1)
    div_moved, vorticity_moved = _divergence_and_vorticity(grid, moved).unbind(-1)
    as_state = state.clone()
    as_state[..., TRACER], as_state[..., PRESSURE] = div, vorticity  # moved as scalars
    # moved as plain scalars (the group's tracer channel would flip with x -> -x)
    expected = dataclasses.replace(GROUP, odd_scalars=()).apply(transform, as_state)
    assert float(div.abs().max()) > 1  # a field with a divergence: the test can fail
    assert torch.allclose(div_moved, expected[..., TRACER], atol=1e-12)
    assert torch.allclose(vorticity_moved, transform.determinant * expected[..., PRESSURE], atol=1e-12)
    rows = torch.stack([state, moved]).movedim(-1, 1)  # [2, C, X, Y]
    _, ratios, _ = solenoidal_ratios(rows, LAYOUT, grid.spacing, ("spectral", "central"))
    for method, ratio in ratios.items():
        assert math.isclose(float(ratio[0]), float(ratio[1]), rel_tol=1e-12), method


def test_a_wrong_sign_breaks_the_commutation() -> None:
    """The teeth of the test above: a reflection that moves the points but keeps ``u_x``
    (the velocity taken for scalars) does not commute with the divergence."""
    grid = PeriodicGrid2D(8, 16)
    state = torch.randn(8, 16, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    wrong = SymmetryGroup(LAYOUT, vectors=(), pseudovectors=(), transforms=(GROUP.by_name("reflect_x"),))
    moved = wrong.apply(GROUP.by_name("reflect_x"), state)
    div_moved = _divergence_and_vorticity(grid, moved)[..., 0]
    as_state = state.clone()
    as_state[..., TRACER] = _divergence_and_vorticity(grid, state)[..., 0]
    assert not torch.allclose(div_moved, GROUP.apply(GROUP.by_name("reflect_x"), as_state)[..., TRACER], atol=1e-3)


def test_quarter_turns_only_where_the_sides_are_equal_and_groups_of_one_dimension() -> None:
    turning = SymmetrySpec("square", reflections=("x",), rotations=True, shifts=(1,))
    on_square = group_transforms(turning, 2, shape=(8, 8))
    assert [t.name for t in on_square] == ["rot90", "rot180", "rot270", "reflect_x", "shift_x1", "shift_y1"]
    assert [t.name for t in group_transforms(turning, 2, shape=(8, 16))][:1] == ["rot180"]
    line = FieldLayout(("density", "velocity_x"), guide_axis=None, spatial_dims=1, solenoidal=None)
    spec = SymmetrySpec("line", reflections=("x",), shifts=(2,))
    group = SymmetryGroup(line, pseudovectors=(), transforms=tuple(group_transforms(spec, 1)))
    state = torch.arange(10.0).reshape(5, 2)
    reflected = group.apply(group.by_name("reflect_x"), state)
    assert reflected[:, 0].tolist() == [0.0, 8.0, 6.0, 4.0, 2.0]
    assert reflected[:, 1].tolist() == [-1.0, -9.0, -7.0, -5.0, -3.0]
    assert group.apply(group.by_name("shift_x2"), state)[:, 0].tolist() == [6.0, 8.0, 0.0, 2.0, 4.0]


def test_a_transform_of_another_dimension_and_an_impossible_spec_are_refused() -> None:
    with pytest.raises(LayoutError, match="3D grids; this layout is 2D"):
        GROUP.apply(SymmetryGroup().transforms[0], torch.zeros(*SHAPE, 4))
    with pytest.raises(LayoutError, match="not square"):
        Transform("bad", ((1, 0), (0,)))
    with pytest.raises(ConfigError, match="neither 'perpendicular' nor"):
        SymmetrySpec("bad", reflections=("xw",))
    with pytest.raises(ConfigError, match="rules"):
        SymmetrySpec("bad", rules=("axial",))
    with pytest.raises(ConfigError, match="reflects axis z of a 2D grid"):
        Profile("flat", (), 2, (FieldSpec("velocity", "vector"),), symmetries=SymmetrySpec("bad", reflections=("z",)))
    with pytest.raises(ConfigError, match="guide axis it has not"):
        Profile("box", (), 3, (FieldSpec("velocity", "vector"),), symmetries=SymmetrySpec("bad", rotations=True))
    with pytest.raises(ConfigError, match="symmetries must be a SymmetrySpec"):
        Profile("named", (), 2, (FieldSpec("velocity", "vector"),), symmetries="a name")  # type: ignore[arg-type]
    no_group = Profile("none", (), 2, (FieldSpec("velocity", "vector"),))
    with pytest.raises(LayoutError, match="declares no symmetry group"):
        SymmetryGroup.of(no_group, FieldLayout.of(no_group))


def test_an_odd_scalar_keeps_its_correlation_with_the_velocity_it_follows() -> None:
    """The card's tracer starts equal to u_x: under every transform of the group the two stay
    equal (the data's correlation, +0.27 to +0.9998 on the smoke set, is kept)."""
    state = torch.randn(*SHAPE, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    state[..., TRACER] = state[..., UX]
    for transform in GROUP.transforms:
        moved = GROUP.apply(transform, state)
        assert torch.equal(moved[..., TRACER], moved[..., UX]), transform.name


def test_an_odd_scalar_must_be_a_scalar_field_with_axis_letters() -> None:
    with pytest.raises(ConfigError, match="odd scalar 'tracer' names axes 'q'"):
        SymmetrySpec("bad", reflections=("x",), odd_scalars=(("tracer", "q"),))
    spec = SymmetrySpec("v", reflections=("x",), odd_scalars=(("velocity", "x"),))
    with pytest.raises(ConfigError, match=r"odd scalar\(s\) \['velocity'\] are not its scalar fields"):
        Profile(
            name="v", dataset_names=("v",), spatial_dims=2,
            fields=(FieldSpec("velocity", "vector"),), symmetries=spec,
        )
