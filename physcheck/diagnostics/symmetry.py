"""Symmetries of a dataset and how they act on states (metamorphic testing).

A periodic box of MHD with a guide field along x is symmetric under the rotations about x
by 90, 180 and 270 degrees, the reflections y -> -y and z -> -z, and periodic translations.
A transform ``T`` acts on a state ``[..., X, Y, Z, C]`` (channels last) by moving the
points, ``f'(r) = f(g^-1 r)``, and transforming each field by its kind:

- scalars (density) are moved only;
- vectors (velocity) are moved and rotated, ``v' = R v``;
- pseudo-vectors (the magnetic field) follow the transform's ``rule``: ``"pseudo"``,
  ``B' = det(R) R B`` (``curl v`` and ``B`` transform alike), or ``"polar"``, ``B' = R B``
  (the pseudo-vector rule composed with ``B -> -B``). The two differ only for reflections.

Both rules are exact symmetries of ideal (and resistive, viscous) isothermal MHD. Under a
reflection ``x_i -> -x_i`` (``R = diag(..., -1, ...)``), with ``rho`` a scalar and ``v`` a
polar vector, the continuity and pressure terms are invariant and ``(v . grad) v`` transforms
as a polar vector. With ``B`` a pseudo-vector, ``J = curl B`` is then a polar vector,
``J x B`` (polar x pseudo) a polar vector, like ``d_t v``, and ``curl(v x B)`` (curl of a
pseudo x polar = polar) a pseudo-vector, like ``d_t B``: the equations are invariant. The map
``B -> -B`` is a symmetry on its own: the induction equation ``d_t B = curl(v x B) + eta lap B``
is linear in ``B`` and the Lorentz force ``(curl B) x B`` (and the magnetic pressure) is
quadratic in ``B``. Composing the two gives the polar rule. With the guide field along x, a
reflection y -> -y or z -> -z under the pseudo rule maps ``B_x`` to ``-B_x``: it reverses the
guide field (``<B_x>`` 0.714 -> -0.714 on MHD_64), a state no MHD_64 trajectory visits, so a
model trained on MHD_64 is extrapolating there. Under the polar rule the guide field is kept.
Each ``Transform`` therefore carries ``keeps_distribution``: whether it maps the data's states
onto states of the same distribution (the guide field's sign kept). The equivariance check
judges those and reports the others.

A model is equivariant when ``model(T history) = T(model(history))``. What counts as a vector
or pseudo-vector comes from ``SymmetryGroup`` (the dataset's description), so another
dataset declares its own fields and guide axis.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from physcheck.errors import LayoutError
from physcheck.fields import MHD_LAYOUT, FieldLayout

_AXES = ("x", "y", "z")
#: how a transform may map pseudo-vector fields (see the module docstring)
RULES = ("pseudo", "polar")


@dataclass(frozen=True)
class Transform:
    """One symmetry: ``matrix`` (3x3 integer orthogonal, acting on vector components x, y,
    z) applied about the box's origin, then a periodic ``shift`` in cells per axis.
    ``name`` is how reports refer to it (``rot90_x``, ``reflect_y_polar``, ``shift_x3``).
    ``rule``: how pseudo-vector fields transform, ``"pseudo"`` (``det(R) R B``) or
    ``"polar"`` (``R B``); the same for proper rotations. ``keeps_distribution``: whether the
    transform maps the data's states onto states of the same distribution (for MHD with a
    guide field: the guide field's sign is kept); only those are judged."""

    name: str
    matrix: tuple[tuple[int, int, int], ...]
    shift: tuple[int, int, int] = (0, 0, 0)
    rule: str = "pseudo"
    keeps_distribution: bool = True

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise LayoutError(
                f"unknown pseudo-vector rule {self.rule!r}; known: {', '.join(RULES)}"
            )

    @property
    def pseudovector_sign(self) -> int:
        """The factor pseudo-vector fields pick up besides the rotation: ``det(R)`` under the
        pseudo rule, 1 under the polar rule."""
        return self.determinant if self.rule == "pseudo" else 1

    @property
    def determinant(self) -> int:
        return int(round(float(torch.det(torch.tensor(self.matrix, dtype=torch.float64)))))

    def inverse(self) -> Transform:
        """The transform that undoes this one."""
        m = torch.tensor(self.matrix, dtype=torch.int64)
        inv = m.T  # orthogonal
        back = -(inv @ torch.tensor(self.shift, dtype=torch.int64))
        shift = [int(v) for v in back.tolist()]
        return Transform(
            f"inverse({self.name})",
            _matrix(inv),
            (shift[0], shift[1], shift[2]),
            self.rule,
            self.keeps_distribution,
        )


@functools.lru_cache(maxsize=32)
def _source_points(transform: Transform, shape: tuple[int, ...], device: str) -> torch.Tensor:
    """The flat index ``[X * Y * Z]`` of ``g^-1 i`` for every grid point ``i`` (row-major),
    on ``device``."""
    m = torch.tensor(transform.matrix, dtype=torch.int64)
    if any(m[a, b] != 0 and shape[a] != shape[b] for a in range(3) for b in range(3)):
        raise LayoutError(
            f"{transform.name} needs equal sizes along the axes it maps onto each other"
        )
    idx = torch.meshgrid(*(torch.arange(n) for n in shape), indexing="ij")
    grid = torch.stack(idx)  # [3, X, Y, Z]
    shift = torch.tensor(transform.shift)[:, None, None, None]
    source = torch.einsum("ab,bxyz->axyz", m.T, grid - shift)  # m orthogonal: m^-1 = m^T
    source = torch.stack([source[a] % shape[a] for a in range(3)])
    flat = (source[0] * shape[1] + source[1]) * shape[2] + source[2]
    return flat.flatten().to(device)


def _move(state: torch.Tensor, transform: Transform) -> torch.Tensor:
    """``f'(i) = f(g^-1 i)`` on the periodic grid (the points move, the components do not);
    one gather over the flattened grid."""
    shape = tuple(state.shape[-4:-1])
    source = _source_points(transform, shape, str(state.device))
    moved = state.flatten(-4, -2).index_select(-2, source)
    return moved.reshape(*state.shape)


def _signed_permutation(transform: Transform) -> list[tuple[int, int]]:
    """``[(column, sign)]`` per row of the transform's matrix, a signed permutation (what an
    integer orthogonal matrix is); a ``LayoutError`` for any other matrix."""
    rows = []
    for row in transform.matrix:
        nonzero = [(b, v) for b, v in enumerate(row) if v != 0]
        if len(nonzero) != 1 or nonzero[0][1] not in (1, -1):
            raise LayoutError(
                f"{transform.name}: {transform.matrix} is not a signed permutation matrix; a "
                "symmetry of a periodic grid maps axes onto axes (rows like (0, -1, 0))"
            )
        rows.append(nonzero[0])
    return rows


@dataclass(frozen=True)
class SymmetryGroup:
    """The symmetries of a dataset and the kinds of its fields.

    ``vectors``/``pseudovectors``: prefixes of three-component fields (``velocity`` ->
    ``velocity_x/y/z``); every other channel is a scalar. ``guide_axis``: the axis the
    rotations turn about and the reflections keep. ``shifts``: the periodic translations
    (cells) tried along each axis.
    """

    layout: FieldLayout = MHD_LAYOUT
    vectors: tuple[str, ...] = ("velocity",)
    pseudovectors: tuple[str, ...] = ("magnetic_field",)
    shifts: tuple[int, ...] = (3,)
    transforms: tuple[Transform, ...] = field(default=())

    def __post_init__(self) -> None:
        for prefix in (*self.vectors, *self.pseudovectors):
            self.layout.vector(prefix)  # a clear LayoutError when a field is missing
        if not self.transforms:
            object.__setattr__(
                self, "transforms", tuple(default_transforms(self.layout.guide, self.shifts))
            )

    @property
    def judged(self) -> tuple[Transform, ...]:
        """The transforms that keep the data's distribution (the equivariance check judges
        these)."""
        return tuple(t for t in self.transforms if t.keeps_distribution)

    @property
    def reported(self) -> tuple[Transform, ...]:
        """The transforms that change the data's distribution (reversed guide field): exact
        symmetries of the equations, measured and reported, not judged."""
        return tuple(t for t in self.transforms if not t.keeps_distribution)

    def apply(self, transform: Transform, state: torch.Tensor) -> torch.Tensor:
        """``T(state)`` for ``state [..., X, Y, Z, C]`` (a new tensor)."""
        out = _move(state, transform)
        pseudo = transform.pseudovector_sign
        kinds = [(p, 1) for p in self.vectors] + [(p, pseudo) for p in self.pseudovectors]
        rows = _signed_permutation(transform)
        # component a of each vector field is sign x (+-) component b: one gather, one product
        channels = list(range(state.shape[-1]))
        signs = [1.0] * len(channels)
        for prefix, sign in kinds:
            components = self.layout.vector(prefix)
            for a, (b, entry) in enumerate(rows):
                channels[components[a]] = components[b]
                signs[components[a]] = float(sign * entry)
        if channels != list(range(state.shape[-1])):
            out = out.index_select(-1, torch.tensor(channels, device=state.device))
        if any(s != 1.0 for s in signs):
            out = out * torch.tensor(signs, dtype=state.dtype, device=state.device)
        return out

    def basin(self, transform: Transform, label: str) -> str:
        """Where a basin label goes under ``transform``: a blow-up in B_y becomes one in B_z
        under a quarter turn about x; ``none`` and ``non-finite`` stay."""
        magnetic = self.layout.magnetic
        names = {self.layout.short_name(magnetic[a]): a for a in range(3)}
        if label not in names:
            return label
        column = [row[names[label]] for row in transform.matrix]
        target = next(a for a in range(3) if column[a] != 0)
        return self.layout.short_name(magnetic[target])

    @property
    def rotations(self) -> tuple[Transform, ...]:
        """The proper rotations about the guide axis (the orbit a basin can split over)."""
        return tuple(t for t in self.transforms if t.name.startswith("rot"))

    def by_name(self, name: str) -> Transform:
        for t in self.transforms:
            if t.name == name:
                return t
        raise LayoutError(f"no symmetry named {name!r}; known: {[t.name for t in self.transforms]}")


def _rotation(axis: int, quarter_turns: int) -> tuple[tuple[int, int, int], ...]:
    """The matrix of a rotation by ``quarter_turns`` x 90 degrees about ``axis`` (right-handed)."""
    a, b = [i for i in range(3) if i != axis]
    m = torch.eye(3, dtype=torch.int64)
    for _ in range(quarter_turns % 4):
        step = torch.eye(3, dtype=torch.int64)
        step[a, a], step[a, b], step[b, a], step[b, b] = 0, -1, 1, 0
        m = step @ m
    return _matrix(m)


def _matrix(m: torch.Tensor) -> tuple[tuple[int, int, int], ...]:
    rows = [[int(v) for v in row] for row in m.tolist()]
    return tuple((r[0], r[1], r[2]) for r in rows)


def _reflection(axis: int) -> tuple[tuple[int, int, int], ...]:
    m = torch.eye(3, dtype=torch.int64)
    m[axis, axis] = -1
    return _matrix(m)


def keeps_guide_field(matrix: tuple[tuple[int, int, int], ...], rule: str, guide_axis: int) -> bool:
    """Whether a transform maps the guide component of a pseudo-vector field (B along the
    guide axis) onto itself with the same sign: ``s R[g, g] = +1`` with ``s = det(R)`` under
    the pseudo rule and 1 under the polar rule."""
    m = torch.tensor(matrix, dtype=torch.float64)
    sign = round(float(torch.det(m))) if rule == "pseudo" else 1
    return int(sign * matrix[guide_axis][guide_axis]) == 1


def default_transforms(guide_axis: int = 0, shifts: Sequence[int] = (3,)) -> list[Transform]:
    """Rotations about the guide axis (90, 180, 270 degrees), reflections of the two
    perpendicular axes with B a polar vector (``reflect_y_polar``: the guide field kept,
    judged) and with B a pseudo-vector (``reflect_y_pseudo``: the guide field reversed,
    reported), and translations by ``shifts`` cells along each axis."""
    g = _AXES[guide_axis]
    out = [Transform(f"rot{90 * q}_{g}", _rotation(guide_axis, q)) for q in (1, 2, 3)]
    for rule in ("polar", "pseudo"):
        for a in range(3):
            if a == guide_axis:
                continue
            m = _reflection(a)
            keeps = keeps_guide_field(m, rule, guide_axis)
            out.append(
                Transform(f"reflect_{_AXES[a]}_{rule}", m, rule=rule, keeps_distribution=keeps)
            )
    identity = _rotation(0, 0)
    for s in shifts:
        for a in range(3):
            shift = [0, 0, 0]
            shift[a] = int(s)
            out.append(Transform(f"shift_{_AXES[a]}{s}", identity, (shift[0], shift[1], shift[2])))
    return out


__all__ = ["RULES", "SymmetryGroup", "Transform", "default_transforms", "keeps_guide_field"]
