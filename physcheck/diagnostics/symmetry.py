"""Symmetries of a dataset and how they act on states (metamorphic testing).

A periodic box of MHD with a guide field along x is symmetric under the rotations about x
by 90, 180 and 270 degrees, the reflections y -> -y and z -> -z, and periodic translations.
A transform ``T`` acts on a state ``[..., X, Y, Z, C]`` (channels last) by moving the
points, ``f'(r) = f(g^-1 r)``, and transforming each field by its kind:

- scalars (density) are moved only;
- vectors (velocity) are moved and rotated, ``v' = R v``;
- pseudo-vectors (the magnetic field) pick up the determinant under reflections,
  ``B' = det(R) R B``, so that ``curl v`` and ``B`` transform alike.

A model is equivariant when ``model(T history) = T(model(history))``. What counts as a vector
or pseudo-vector comes from ``SymmetryGroup`` (the dataset's description), so another
dataset declares its own fields and guide axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from physcheck.errors import LayoutError
from physcheck.fields import MHD_LAYOUT, FieldLayout

_AXES = ("x", "y", "z")


@dataclass(frozen=True)
class Transform:
    """One symmetry: ``matrix`` (3x3 integer orthogonal, acting on vector components x, y,
    z) applied about the box's origin, then a periodic ``shift`` in cells per axis.
    ``name`` is how reports refer to it (``rot90_x``, ``reflect_y``, ``shift_x3``)."""

    name: str
    matrix: tuple[tuple[int, int, int], ...]
    shift: tuple[int, int, int] = (0, 0, 0)

    @property
    def determinant(self) -> int:
        return int(round(float(torch.det(torch.tensor(self.matrix, dtype=torch.float64)))))

    def inverse(self) -> Transform:
        """The transform that undoes this one."""
        m = torch.tensor(self.matrix, dtype=torch.int64)
        inv = m.T  # orthogonal
        back = -(inv @ torch.tensor(self.shift, dtype=torch.int64))
        shift = [int(v) for v in back.tolist()]
        return Transform(f"inverse({self.name})", _matrix(inv), (shift[0], shift[1], shift[2]))


def _move(state: torch.Tensor, transform: Transform) -> torch.Tensor:
    """``f'(i) = f(g^-1 i)`` on the periodic grid (the points move, the components do not)."""
    shape = state.shape[-4:-1]
    m = torch.tensor(transform.matrix, dtype=torch.int64)
    if any(m[a, b] != 0 and shape[a] != shape[b] for a in range(3) for b in range(3)):
        raise LayoutError(
            f"{transform.name} needs equal sizes along the axes it maps onto each other"
        )
    inv = m.T
    idx = torch.meshgrid(*(torch.arange(n, device=state.device) for n in shape), indexing="ij")
    grid = torch.stack(idx)  # [3, X, Y, Z]
    shift = torch.tensor(transform.shift, device=state.device)[:, None, None, None]
    source = torch.einsum("ab,bxyz->axyz", inv.to(state.device), grid - shift)
    source = torch.stack([source[a] % shape[a] for a in range(3)])
    return state[..., source[0], source[1], source[2], :]


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
                self, "transforms", tuple(default_transforms(self.layout.guide_axis, self.shifts))
            )

    def apply(self, transform: Transform, state: torch.Tensor) -> torch.Tensor:
        """``T(state)`` for ``state [..., X, Y, Z, C]`` (a new tensor)."""
        out = _move(state, transform)
        rot = torch.tensor(transform.matrix, dtype=state.dtype, device=state.device)
        det = transform.determinant
        for prefix, sign in [(p, 1) for p in self.vectors] + [(p, det) for p in self.pseudovectors]:
            idx = list(self.layout.vector(prefix))
            out[..., idx] = sign * torch.einsum("ab,...b->...a", rot, out[..., idx])
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


def default_transforms(guide_axis: int = 0, shifts: Sequence[int] = (3,)) -> list[Transform]:
    """Rotations about the guide axis (90, 180, 270 degrees), reflections of the two
    perpendicular axes, and translations by ``shifts`` cells along each axis."""
    g = _AXES[guide_axis]
    out = [Transform(f"rot{90 * q}_{g}", _rotation(guide_axis, q)) for q in (1, 2, 3)]
    out += [Transform(f"reflect_{_AXES[a]}", _reflection(a)) for a in range(3) if a != guide_axis]
    identity = _rotation(0, 0)
    for s in shifts:
        for a in range(3):
            shift = [0, 0, 0]
            shift[a] = int(s)
            out.append(Transform(f"shift_{_AXES[a]}{s}", identity, (shift[0], shift[1], shift[2])))
    return out


__all__ = ["SymmetryGroup", "Transform", "default_transforms"]
