"""The symmetries of a periodic grid of D = 1 to 3 dimensions (``Transform``) and the lists a
profile's group is made of (``group_transforms``; MHD's: ``default_transforms``).

A transform is a D x D signed-permutation ``matrix`` (``R``, acting on the vector components
x, y(, z)) applied about the grid's origin, then a periodic ``shift`` by whole cells per axis:
the point ``i`` goes to ``R i + shift``. Names: ``rot90_x`` (a quarter turn about x; ``rot90``
in 2D), ``reflect_y`` (``y -> -y``), ``reflect_xy`` (both at once), ``reflect_y_polar`` /
``reflect_y_pseudo`` (where the physics has pseudo-vector fields: the rule they follow, see
``physcheck.diagnostics.symmetry``), ``shift_x3`` (3 cells along x).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch

from physcheck.errors import LayoutError
from physcheck.profiles.mhd import MHD_SYMMETRIES
from physcheck.profiles.symmetries import PERPENDICULAR, RULES, SymmetrySpec

_AXES = ("x", "y", "z")
#: a signed-permutation matrix, one row per axis
Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Transform:
    """One symmetry: ``matrix`` (D x D integer orthogonal) applied about the grid's origin,
    then a periodic ``shift`` in cells per axis (empty: none). ``name`` is how reports refer
    to it. ``rule``: how pseudo-vector fields transform, ``"pseudo"`` (``det(R) R B``) or
    ``"polar"`` (``R B``); the same for proper rotations. ``keeps_distribution``: whether the
    transform maps the data's states onto states of the same distribution (for MHD with a
    guide field: the guide field's sign is kept); only those are judged."""

    name: str
    matrix: Matrix
    shift: tuple[int, ...] = ()
    rule: str = "pseudo"
    keeps_distribution: bool = True

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise LayoutError(
                f"unknown pseudo-vector rule {self.rule!r}; known: {', '.join(RULES)}"
            )
        dims = len(self.matrix)
        if dims not in (1, 2, 3) or any(len(row) != dims for row in self.matrix):
            raise LayoutError(
                f"{self.name}: the matrix {self.matrix} is not square with 1 to 3 rows"
            )
        shift = tuple(int(s) for s in self.shift) if self.shift else (0,) * dims
        if len(shift) != dims:
            raise LayoutError(f"{self.name}: a shift {self.shift} for a {dims}D matrix")
        object.__setattr__(self, "matrix", tuple(tuple(int(v) for v in row) for row in self.matrix))
        object.__setattr__(self, "shift", shift)

    @property
    def dims(self) -> int:
        """The spatial dimensions the transform acts on (D)."""
        return len(self.matrix)

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
        return Transform(
            f"inverse({self.name})",
            _matrix(inv),
            tuple(int(v) for v in back.tolist()),
            self.rule,
            self.keeps_distribution,
        )


def _matrix(m: torch.Tensor) -> Matrix:
    return tuple(tuple(int(v) for v in row) for row in m.tolist())


def _rotation(plane: tuple[int, int], dims: int, quarter_turns: int) -> Matrix:
    """The matrix of ``quarter_turns`` x 90 degrees in ``plane = (a, b)`` (from a towards b:
    right-handed about the third axis in 3D)."""
    a, b = plane
    m = torch.eye(dims, dtype=torch.int64)
    for _ in range(quarter_turns % 4):
        step = torch.eye(dims, dtype=torch.int64)
        step[a, a], step[a, b], step[b, a], step[b, b] = 0, -1, 1, 0
        m = step @ m
    return _matrix(m)


def _reflection(axes: Sequence[int], dims: int) -> Matrix:
    m = torch.eye(dims, dtype=torch.int64)
    for axis in axes:
        m[axis, axis] = -1
    return _matrix(m)


def keeps_guide_field(matrix: Matrix, rule: str, guide_axis: int) -> bool:
    """Whether a transform maps the guide component of a pseudo-vector field (B along the
    guide axis) onto itself with the same sign: ``s R[g, g] = +1`` with ``s = det(R)`` under
    the pseudo rule and 1 under the polar rule."""
    m = torch.tensor(matrix, dtype=torch.float64)
    sign = round(float(torch.det(m))) if rule == "pseudo" else 1
    return int(sign * matrix[guide_axis][guide_axis]) == 1


def _reflected(spec: SymmetrySpec, dims: int, guide_axis: int | None) -> list[tuple[int, ...]]:
    """The axis sets of the spec's reflections, in its order (``perpendicular``: each axis
    but the guide axis, in increasing order)."""
    out: list[tuple[int, ...]] = []
    for entry in spec.reflections:
        if entry == PERPENDICULAR:
            if guide_axis is None:
                raise LayoutError("perpendicular reflections need a guide axis")
            out += [(a,) for a in range(dims) if a != guide_axis]
        else:
            out.append(tuple(sorted(_AXES.index(c) for c in entry)))
    return out


def group_transforms(
    spec: SymmetrySpec,
    dims: int,
    guide_axis: int | None = None,
    *,
    pseudovectors: bool = False,
    shape: Sequence[int] | None = None,
) -> list[Transform]:
    """The transforms of ``spec`` on a ``dims``-dimensional grid, in order: the quarter turns
    (about ``guide_axis`` in 3D, in the plane in 2D; the 90 and 270 degree ones only where
    ``shape``, when given, has equal sides in that plane), the reflections (one per rule where
    the physics has ``pseudovectors``; with a guide axis, those that reverse its field are
    marked as changing the data's distribution), then the shifts along each axis."""
    if any(a >= dims for axes in _reflected(spec, dims, guide_axis) for a in axes):
        raise LayoutError(f"{spec.description}: a reflection of an axis a {dims}D grid has not")
    out: list[Transform] = []
    if spec.rotations:
        if dims == 3:
            if guide_axis is None:
                raise LayoutError(f"{spec.description}: 3D rotations need a guide axis")
            plane = tuple(a for a in range(3) if a != guide_axis)
            suffix = f"_{_AXES[guide_axis]}"
        elif dims == 2:
            plane, suffix = (0, 1), ""
        else:
            raise LayoutError(f"{spec.description}: a 1D grid has no rotations")
        a, b = plane
        square = shape is None or shape[a] == shape[b]
        for q in (1, 2, 3):
            if q % 2 == 0 or square:  # no quarter turns on a non-square plane
                out.append(Transform(f"rot{90 * q}{suffix}", _rotation((a, b), dims, q)))
    for rule in spec.rules if pseudovectors else ("pseudo",):
        for axes in _reflected(spec, dims, guide_axis):
            m = _reflection(axes, dims)
            keeps = True
            if pseudovectors and guide_axis is not None:
                keeps = keeps_guide_field(m, rule, guide_axis)
            name = "reflect_" + "".join(_AXES[a] for a in axes)
            name += f"_{rule}" if pseudovectors else ""
            out.append(Transform(name, m, rule=rule, keeps_distribution=keeps))
    identity = _reflection((), dims)
    for s in spec.shifts:
        for a in range(dims):
            shift = [0] * dims
            shift[a] = int(s)
            out.append(Transform(f"shift_{_AXES[a]}{s}", identity, tuple(shift)))
    return out


def default_transforms(guide_axis: int = 0, shifts: Sequence[int] = (3,)) -> list[Transform]:
    """MHD's group: rotations about the guide axis (90, 180, 270 degrees), reflections of the
    two perpendicular axes with B a polar vector (``reflect_y_polar``: the guide field kept,
    judged) and with B a pseudo-vector (``reflect_y_pseudo``: the guide field reversed,
    reported), and translations by ``shifts`` cells along each axis."""
    spec = replace(MHD_SYMMETRIES, shifts=tuple(int(s) for s in shifts))
    return group_transforms(spec, 3, guide_axis, pseudovectors=True)


__all__ = ["Matrix", "Transform", "default_transforms", "group_transforms", "keeps_guide_field"]
