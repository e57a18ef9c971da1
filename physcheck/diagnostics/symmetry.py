"""Symmetries of a dataset and how they act on states (metamorphic testing).

A transform (``physcheck.diagnostics.transforms.Transform``: a D x D signed permutation and a
periodic shift, D = 1 to 3) acts on a state ``[..., *S, C]`` (``len(S) = D``, channels last;
``[..., X, Y, Z, C]`` in 3D) by moving the points, ``f'(r) = f(g^-1 r)``, and transforming
each field by its kind:

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

A periodic box of MHD with a guide field along x is symmetric under the rotations about x
by 90, 180 and 270 degrees, the reflections y -> -y and z -> -z, and periodic translations.
The shear_flow box (2D incompressible Navier-Stokes with a passive tracer, 1 x 2) is symmetric
under translations, x -> -x (``u_x -> -u_x``), y -> -y (``u_y -> -u_y``) and both at once: the
advection ``(u . grad) u``, the pressure gradient and the viscous term all transform as the
polar vector ``u``, ``div u`` and the tracer's equation as scalars.

A model is equivariant when ``model(T history) = T(model(history))``. The group is the
profile's (``Profile.symmetries``, a ``SymmetrySpec``; ``SymmetryGroup.of``): which
transforms, and which fields are vectors or pseudo-vectors (the profile's field kinds).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from physcheck.diagnostics.transforms import (
    Transform,
    default_transforms,
    group_transforms,
    keeps_guide_field,
)
from physcheck.errors import LayoutError
from physcheck.fields import MHD_LAYOUT, FieldLayout
from physcheck.profiles import Profile
from physcheck.profiles.symmetries import RULES


@functools.lru_cache(maxsize=32)
def _source_points(transform: Transform, shape: tuple[int, ...], device: str) -> torch.Tensor:
    """The flat index ``[prod(S)]`` of ``g^-1 i`` for every grid point ``i`` (row-major), on
    ``device``."""
    dims = transform.dims
    m = torch.tensor(transform.matrix, dtype=torch.int64)
    if any(m[a, b] != 0 and shape[a] != shape[b] for a in range(dims) for b in range(dims)):
        raise LayoutError(
            f"{transform.name} needs equal sizes along the axes it maps onto each other"
        )
    idx = torch.meshgrid(*(torch.arange(n) for n in shape), indexing="ij")
    grid = torch.stack(idx)  # [D, *S]
    shift = torch.tensor(transform.shift).reshape(dims, *(1,) * dims)
    source = torch.einsum("ab,b...->a...", m.T, grid - shift)  # m orthogonal: m^-1 = m^T
    flat = torch.zeros_like(source[0])
    for a in range(dims):
        flat = flat * shape[a] + source[a] % shape[a]
    return flat.flatten().to(device)


def _move(state: torch.Tensor, transform: Transform) -> torch.Tensor:
    """``f'(i) = f(g^-1 i)`` on the periodic grid (the points move, the components do not);
    one gather over the flattened grid ``[..., *S, C]``."""
    dims = transform.dims
    if state.dim() < dims + 1:
        raise LayoutError(
            f"{transform.name} acts on states [..., *S, C] with {dims} spatial axes; got "
            f"shape {tuple(state.shape)}"
        )
    shape = tuple(state.shape[-1 - dims : -1])
    source = _source_points(transform, shape, str(state.device))
    moved = state.flatten(-1 - dims, -2).index_select(-2, source)
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

    ``vectors``/``pseudovectors``: prefixes of D-component fields (``velocity`` ->
    ``velocity_x/y(/z)``); every other channel is a scalar. ``shifts``: the periodic
    translations (cells) tried along each axis. ``transforms``: the group's (MHD's about the
    layout's guide axis when not given; ``SymmetryGroup.of`` builds a profile's).
    """

    layout: FieldLayout = MHD_LAYOUT
    vectors: tuple[str, ...] = ("velocity",)
    pseudovectors: tuple[str, ...] = ("magnetic_field",)
    shifts: tuple[int, ...] = (3,)
    transforms: tuple[Transform, ...] = field(default=())
    #: scalar fields that change sign under a reflection of an odd number of the axes named
    #: (``SymmetrySpec.odd_scalars``)
    odd_scalars: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for prefix in (*self.vectors, *self.pseudovectors):
            self.layout.vector(prefix)  # a clear LayoutError when a field is missing
        if not self.transforms:
            object.__setattr__(
                self, "transforms", tuple(default_transforms(self.layout.guide, self.shifts))
            )
        wrong = [t.name for t in self.transforms if t.dims != self.layout.spatial_dims]
        if wrong:
            raise LayoutError(
                f"transforms {wrong} do not act on the layout's {self.layout.spatial_dims}D grid"
            )

    @classmethod
    def of(
        cls, profile: Profile, layout: FieldLayout, shape: Sequence[int] | None = None
    ) -> SymmetryGroup:
        """The group ``profile.symmetries`` names, on ``layout`` (its spatial dimensions and
        guide axis) and a grid of ``shape`` (no quarter turns between sides that differ); the
        vectors and pseudo-vectors are the profile's fields of those kinds."""
        spec = profile.symmetries
        if spec is None:
            raise LayoutError(f"the {profile.name} profile declares no symmetry group")
        vectors = tuple(f.name for f in profile.fields if f.kind == "vector")
        pseudovectors = tuple(f.name for f in profile.fields if f.kind == "pseudovector")
        transforms = group_transforms(
            spec,
            layout.spatial_dims,
            layout.guide_axis,
            pseudovectors=bool(pseudovectors),
            shape=shape,
        )
        return cls(
            layout, vectors, pseudovectors, spec.shifts, tuple(transforms), spec.odd_scalars
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
        """``T(state)`` for ``state [..., *S, C]`` (a new tensor)."""
        if transform.dims != self.layout.spatial_dims:
            raise LayoutError(
                f"{transform.name} acts on {transform.dims}D grids; this layout is "
                f"{self.layout.spatial_dims}D"
            )
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
        for name, axes in self.odd_scalars:
            for axis in ("xyz".index(a) for a in axes):
                entry = transform.matrix[axis][axis]
                if entry == 0:
                    raise LayoutError(
                        f"{transform.name} turns axis {'xyz'[axis]}: the odd scalar {name!r} has "
                        "no sign under a quarter turn"
                    )
                signs[self.layout.index(name)] *= float(entry)
        if channels != list(range(state.shape[-1])):
            out = out.index_select(-1, torch.tensor(channels, device=state.device))
        if any(s != 1.0 for s in signs):
            out = out * torch.tensor(signs, dtype=state.dtype, device=state.device)
        return out

    def basin(self, transform: Transform, label: str) -> str:
        """Where a basin label goes under ``transform``: a blow-up in B_y becomes one in B_z
        under a quarter turn about x; ``none`` and ``non-finite`` stay."""
        magnetic = self.layout.magnetic
        names = {self.layout.short_name(magnetic[a]): a for a in range(len(magnetic))}
        if label not in names:
            return label
        column = [row[names[label]] for row in transform.matrix]
        target = next(a for a in range(len(column)) if column[a] != 0)
        return self.layout.short_name(magnetic[target])

    @property
    def rotations(self) -> tuple[Transform, ...]:
        """The proper rotations about the guide axis: the orbit a basin can split over
        (empty where the layout has no guide field, so no By/Bz basins)."""
        if not self.layout.has_guide_field:
            return ()
        return tuple(t for t in self.transforms if t.name.startswith("rot"))

    def by_name(self, name: str) -> Transform:
        for t in self.transforms:
            if t.name == name:
                return t
        raise LayoutError(f"no symmetry named {name!r}; known: {[t.name for t in self.transforms]}")


__all__ = [
    "RULES",
    "SymmetryGroup",
    "Transform",
    "default_transforms",
    "group_transforms",
    "keeps_guide_field",
]
