"""How a profile names its symmetry group (torch-free): ``SymmetrySpec``.

The symmetries physcheck judges act on a periodic grid of 1 to 3 dimensions: a signed
permutation of the axes (a reflection of some axes, a quarter turn in a plane) about the
grid's origin, then a periodic shift by whole cells. A spec says which ones the physics has:

- ``reflections``: the sets of axes reflected together, each a string of axis letters
  (``"x"``: ``x -> -x``; ``"xy"``: both at once), or ``"perpendicular"``: one reflection per
  axis perpendicular to the guide axis (MHD's ``y -> -y`` and ``z -> -z`` with the guide field
  along x, whichever axis a run names);
- ``rotations``: the quarter turns (90, 180, 270 degrees) about the guide axis in 3D, in the
  plane in 2D; the 90 and 270 degree turns only where the two sides they swap are equal;
- ``rules``: how pseudo-vector fields transform under a reflection, ``"pseudo"`` (``det(R) R
  B``) and/or ``"polar"`` (``R B``, the pseudo rule composed with ``B -> -B``); one reflection
  per rule (a profile without pseudo-vector fields gets one);
- ``shifts``: the periodic translations tried, in cells, along every axis;
- ``odd_scalars``: ``(field, axes)`` pairs of scalar fields that change sign under a
  reflection of an odd number of ``axes`` (shear_flow's tracer, ``("tracer", "x")``: the card
  starts it equal to the shear in u_x, and its equation is linear in it, so ``s -> -s``
  composed with ``x -> -x`` is an exact symmetry that keeps their correlation, the data's).

Which fields are vectors and pseudo-vectors comes from the profile's ``FieldSpec.kind``;
scalars are moved only. ``physcheck.diagnostics.symmetry.SymmetryGroup.of`` builds the
transforms.
"""

from __future__ import annotations

from dataclasses import dataclass

from physcheck.errors import ConfigError

#: how a reflection may map pseudo-vector fields (see the module docstring)
RULES = ("pseudo", "polar")
#: the ``reflections`` entry for one reflection per axis perpendicular to the guide axis
PERPENDICULAR = "perpendicular"
_AXES = "xyz"


@dataclass(frozen=True)
class SymmetrySpec:
    """A profile's symmetry group; see the module docstring. ``description``: how reports and
    the README name it."""

    description: str
    reflections: tuple[str, ...] = ()
    rotations: bool = False
    rules: tuple[str, ...] = ("pseudo",)
    shifts: tuple[int, ...] = (3,)
    odd_scalars: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for field_name, axes in self.odd_scalars:
            if not axes or not set(axes) <= set(_AXES) or len(set(axes)) != len(axes):
                raise ConfigError(
                    f"symmetry group {self.description!r}: odd scalar {field_name!r} names axes "
                    f"{axes!r}; give distinct axis letters (x, y, z)"
                )
        for entry in self.reflections:
            letters = set(entry)
            if entry != PERPENDICULAR and (
                not entry or not letters <= set(_AXES) or len(letters) != len(entry)
            ):
                raise ConfigError(
                    f"symmetry group {self.description!r}: reflection {entry!r} is neither "
                    f"{PERPENDICULAR!r} nor a set of distinct axis letters (x, y, z, xy, ...)"
                )
        if len(set(self.reflections)) != len(self.reflections):
            raise ConfigError(f"symmetry group {self.description!r}: repeated reflections")
        unknown = [r for r in self.rules if r not in RULES]
        if unknown or not self.rules or len(set(self.rules)) != len(self.rules):
            raise ConfigError(
                f"symmetry group {self.description!r}: rules {list(self.rules)}; give one or "
                f"both of {', '.join(RULES)}"
            )
        if any(int(s) != s or s == 0 for s in self.shifts):
            raise ConfigError(
                f"symmetry group {self.description!r}: shifts {list(self.shifts)} must be "
                "non-zero whole cells"
            )

    def differences(self, spatial_dims: int, guide_axis: bool) -> list[str]:
        """What this spec asks of a physics it cannot have: an axis beyond ``spatial_dims``,
        or perpendicular reflections and 3D rotations without a guide axis (empty: none)."""
        out = []
        letters = {c for r in self.reflections if r != PERPENDICULAR for c in r}
        beyond = sorted(c for c in letters if _AXES.index(c) >= spatial_dims)
        if beyond:
            out.append(f"reflects axis {', '.join(beyond)} of a {spatial_dims}D grid")
        if PERPENDICULAR in self.reflections and not (guide_axis and spatial_dims == 3):
            out.append("reflects the axes perpendicular to a guide axis it has not (3D only)")
        if self.rotations and spatial_dims == 3 and not guide_axis:
            out.append("turns about a guide axis it has not")
        if self.rotations and spatial_dims == 1:
            out.append("turns a 1D grid")
        return out


__all__ = ["PERPENDICULAR", "RULES", "SymmetrySpec"]
