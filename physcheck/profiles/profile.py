"""A dataset ``Profile``: what physcheck needs to know about one physics (torch-free).

Like The Well's metadata object, a profile names the dataset's spatial dimensions and fields
(with their tensor kind and Well group), the constraints the physics keeps (divergence-free
fields, positive fields, conserved integrals), its symmetry group and any guide axis, and
the fields whose spectra are judged. Checks declare what they need as *capabilities*
(``CheckSpec.requires``); a check whose needs a profile lacks is skipped with the reason
(``Profile.missing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from physcheck.errors import ConfigError
from physcheck.profiles.symmetries import SymmetrySpec

#: tensor kinds of a field: a scalar, a polar vector (velocity), a pseudo-vector (the magnetic
#: field: it keeps its sign under a reflection of the axis it lies along), a rank-2 tensor
#: (active_matter's D and E, viscoelastic_instability's conformation tensor C)
FIELD_KINDS = ("scalar", "vector", "pseudovector", "tensor")
#: where The Well stores each kind of field
WELL_GROUPS = {
    "scalar": "t0_fields",
    "vector": "t1_fields",
    "pseudovector": "t1_fields",
    "tensor": "t2_fields",
}
#: the kind of a field in each Well group (a t1 field is read as a polar vector)
GROUP_KINDS = {"t0_fields": "scalar", "t1_fields": "vector", "t2_fields": "tensor"}
AXES = ("x", "y", "z")

#: what a check can need from a profile, and how a skip reason says it is missing
CAPABILITIES: dict[str, str] = {
    "divergence_free": "divergence-free field",
    "spectrum": "field whose spectrum is judged",
    "guide_axis": "guide axis (a mean field that sets a perpendicular plane)",
    "magnetic_field": "magnetic field",
    "kinetic_energy": "density and velocity (kinetic energy)",
    "symmetries": "symmetry group",
    "positive": "positive field",
    "bounded": "field with a maximum principle",
    "budgets": "conserved field integral or non-increasing budget",
}
#: the budgets a profile can declare non-increasing (``Profile.non_increasing``)
BUDGETS = ("kinetic_energy", "enstrophy")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a dataset: its Well ``name`` (``density``, ``magnetic_field``), its tensor
    ``kind`` (one of ``FIELD_KINDS``) and its ``group`` in a Well file (from the kind unless
    given: a scalar in ``t0_fields``, a vector in ``t1_fields``, a tensor in ``t2_fields``)."""

    name: str
    kind: str = "scalar"
    group: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ConfigError(
                f"field {self.name!r}: kind must be one of {', '.join(FIELD_KINDS)}, got {self.kind!r}"
            )
        if not self.group:
            object.__setattr__(self, "group", WELL_GROUPS[self.kind])

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def is_vector(self) -> bool:
        """A polar or pseudo-vector (a tensor is neither a scalar nor a vector)."""
        return self.kind in ("vector", "pseudovector")

    def channels(self, spatial_dims: int, axes: tuple[str, ...] = AXES) -> tuple[str, ...]:
        """The Well's flattened channel names: ``name`` for a scalar, ``name_x``, ``name_y``
        (, ``name_z``) for a vector, ``name_xx``, ``name_xy`` ... (row-major) for a tensor;
        ``axes``: the names of the spatial axes (The Well's ``dimensions``: ``x``, ``y``, ``z``,
        or e.g. planetswe's ``theta``, ``phi``)."""
        names = axes[:spatial_dims]
        if self.is_scalar:
            return (self.name,)
        if self.is_vector:
            return tuple(f"{self.name}_{axis}" for axis in names)
        return tuple(f"{self.name}_{a}{b}" for a in names for b in names)


@dataclass(frozen=True)
class Spectrum:
    """A spectrum a profile judges: of ``field``, over the plane perpendicular to the guide
    axis (``"perpendicular"``) or isotropic over all wavevectors (``"isotropic"``)."""

    field: str
    plane: str = "isotropic"


@dataclass(frozen=True)
class Profile:
    """What physcheck knows about one physics; see the module docstring.

    ``dataset_names``: the Well ``dataset_name`` attributes this profile applies to;
    ``spatial_dims``: 2 or 3; ``fields``: in the Well's channel order; ``divergence_free``
    (at most one), ``positive``, ``bounded`` (scalars with a maximum principle: they stay
    within their range): field names; ``conserved``: names of conserved integrals (e.g.
    ``mass``, ``mean_magnetic_field``, or a scalar field's name for its integral, ``tracer``);
    ``non_increasing``: budgets that only decrease (``BUDGETS``: ``kinetic_energy``,
    ``mean |u|^2 / 2``, and ``enstrophy``, ``mean |curl u|^2 / 2``, of an incompressible flow);
    ``symmetries``: the symmetry group (``SymmetrySpec``: its reflections, rotations,
    pseudo-vector rules and shifts; ``None``: none is judged); ``guide_axis``: whether a guide
    (mean) field sets a perpendicular plane;
    ``spectra``: the spectra judged; ``default_set``: the physcheck data set a run of this
    profile uses when no data are given (``physcheck.datasets``); ``axes``: the names of the
    spatial axes where they are not ``x``, ``y``, ``z`` (planetswe's ``theta``, ``phi``);
    ``generic``: built from a data file's own metadata (``physcheck.profiles.generic``), not
    written for its physics."""

    name: str
    dataset_names: tuple[str, ...]
    spatial_dims: int
    fields: tuple[FieldSpec, ...]
    divergence_free: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    bounded: tuple[str, ...] = ()
    conserved: tuple[str, ...] = ()
    non_increasing: tuple[str, ...] = ()
    symmetries: SymmetrySpec | None = None
    guide_axis: bool = False
    spectra: tuple[Spectrum, ...] = ()
    description: str = ""
    notes: tuple[str, ...] = field(default=())
    default_set: str | None = None
    axes: tuple[str, ...] = ()
    generic: bool = False

    def __post_init__(self) -> None:
        if self.spatial_dims not in (1, 2, 3):
            raise ConfigError(f"profile {self.name!r}: spatial_dims must be 1, 2 or 3")
        if self.axes and len(self.axes) != self.spatial_dims:
            raise ConfigError(
                f"profile {self.name!r}: axes {list(self.axes)} do not name its "
                f"{self.spatial_dims} spatial dimensions"
            )
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ConfigError(f"profile {self.name!r}: duplicate field names {names}")
        for role, listed in (
            ("divergence_free", self.divergence_free),
            ("positive", self.positive),
            ("bounded", self.bounded),
            ("spectra", tuple(s.field for s in self.spectra)),
        ):
            unknown = [n for n in listed if n not in names]
            if unknown:
                raise ConfigError(
                    f"profile {self.name!r}: {role} names unknown field(s) {unknown}; fields: {names}"
                )
        vectors = {f.name for f in self.fields if f.is_vector}
        scalars = {f.name for f in self.fields if f.is_scalar}
        scalar_div = [n for n in self.divergence_free if n not in vectors]
        if scalar_div:
            raise ConfigError(f"profile {self.name!r}: divergence_free field(s) {scalar_div} are not vectors")
        vector_bounds = [n for n in self.bounded if n not in scalars]
        if vector_bounds:
            raise ConfigError(f"profile {self.name!r}: bounded field(s) {vector_bounds} are not scalars")
        unknown_budgets = [b for b in self.non_increasing if b not in BUDGETS]
        if unknown_budgets:
            raise ConfigError(
                f"profile {self.name!r}: unknown non-increasing budget(s) {unknown_budgets}; "
                f"known: {', '.join(BUDGETS)}"
            )
        if self.non_increasing and "velocity" not in vectors:
            raise ConfigError(f"profile {self.name!r}: {list(self.non_increasing)} need a velocity field")
        if "enstrophy" in self.non_increasing and "velocity" not in self.divergence_free:
            raise ConfigError(f"profile {self.name!r}: enstrophy needs a divergence-free velocity")
        if self.symmetries is not None and not isinstance(self.symmetries, SymmetrySpec):
            raise ConfigError(
                f"profile {self.name!r}: symmetries must be a SymmetrySpec (its reflections, "
                f"rotations, rules and shifts) or None, got {self.symmetries!r}"
            )
        if self.symmetries is not None:
            scalars = {f.name for f in self.fields if not f.is_vector}
            odd = [n for n, _ in self.symmetries.odd_scalars if n not in scalars]
            if odd:
                raise ConfigError(f"profile {self.name!r}: odd scalar(s) {odd} are not its scalar fields")
            wrong = self.symmetries.differences(self.spatial_dims, self.guide_axis)
            if wrong:
                raise ConfigError(
                    f"profile {self.name!r}: its symmetry group {'; '.join(wrong)}"
                )
        if len(self.divergence_free) > 1:
            raise ConfigError(
                f"profile {self.name!r}: divergence_free names {list(self.divergence_free)}; "
                "physcheck measures the divergence of one field per profile"
            )

    # -- fields ----------------------------------------------------------------------------------
    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise ConfigError(
            f"profile {self.name!r} has no field {name!r}; it has {[f.name for f in self.fields]}"
        )

    def has_field(self, name: str, *kinds: str) -> bool:
        return any(f.name == name and (not kinds or f.kind in kinds) for f in self.fields)

    @property
    def axis_names(self) -> tuple[str, ...]:
        """The names of the spatial axes (``axes``, else ``x``, ``y``(, ``z``))."""
        return self.axes or AXES[: self.spatial_dims]

    def field_channels(self, name: str) -> tuple[str, ...]:
        """The channel names of field ``name`` (``FieldSpec.channels`` on this profile's axes)."""
        return self.field(name).channels(self.spatial_dims, self.axis_names)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Every channel in the Well's flattened order (fields in order, vector components x,
        y(, z), tensor components xx, xy, ... row-major)."""
        return tuple(c for f in self.fields for c in self.field_channels(f.name))

    # -- what the checks can use -----------------------------------------------------------------
    @property
    def capabilities(self) -> frozenset[str]:
        """The ``CAPABILITIES`` this profile offers."""
        offered = {
            "divergence_free": bool(self.divergence_free),
            "spectrum": bool(self.spectra),
            "guide_axis": self.guide_axis,
            "magnetic_field": self.has_field("magnetic_field", "vector", "pseudovector"),
            "kinetic_energy": self.has_field("density", "scalar")
            and self.has_field("velocity", "vector"),
            "symmetries": self.symmetries is not None,
            "positive": bool(self.positive),
            "bounded": bool(self.bounded),
            "budgets": bool(self.conserved_fields or self.non_increasing),
        }
        return frozenset(name for name, there in offered.items() if there)

    @property
    def conserved_fields(self) -> tuple[str, ...]:
        """The conserved integrals that are a scalar field's integral (``tracer``)."""
        scalars = {f.name for f in self.fields if f.is_scalar}
        return tuple(c for c in self.conserved if c in scalars)

    def missing(self, requires: Iterable[str]) -> str | None:
        """``None`` when the profile offers every capability in ``requires``; else the skip
        reason, e.g. ``the shear_flow profile has no magnetic field``."""
        lacking = [CAPABILITIES[r] for r in requires if r not in self.capabilities]
        if not lacking:
            return None
        return f"the {self.name} profile has no {' and no '.join(lacking)}"

    def differences(self, channel_names: Iterable[str], spatial_dims: int) -> list[str]:
        """How data with ``channel_names`` (in channel order) on a grid of ``spatial_dims``
        dimensions differ from this profile's (empty when they fit): the dimensions, the
        channels missing or unexpected, or the channels' order."""
        channels = tuple(channel_names)
        out = []
        if spatial_dims != self.spatial_dims:
            out.append(f"the data are {spatial_dims}D, the profile {self.spatial_dims}D")
        missing = [c for c in self.channel_names if c not in channels]
        extra = [c for c in channels if c not in self.channel_names]
        if missing:
            out.append(f"missing channel(s) {', '.join(missing)}")
        if extra:
            out.append(f"channel(s) the profile does not know: {', '.join(extra)}")
        if not (missing or extra) and channels != self.channel_names:
            out.append(
                f"the channels are in another order ({', '.join(channels)}; the profile's: "
                f"{', '.join(self.channel_names)})"
            )
        return out

    def matches(self, dataset_name: str, channel_names: Iterable[str]) -> bool:
        """Whether data with this ``dataset_name`` or exactly these channels is this physics."""
        return dataset_name in self.dataset_names or tuple(channel_names) == self.channel_names


def validate_requirements(requires: Iterable[str], where: str) -> tuple[str, ...]:
    """``requires`` as a tuple, each a known capability; ``ConfigError`` naming ``where``."""
    requires = tuple(requires)
    unknown = [r for r in requires if r not in CAPABILITIES]
    if unknown:
        raise ConfigError(
            f"{where} requires unknown capabilit(ies) {unknown}; known: {', '.join(CAPABILITIES)}"
        )
    return requires


__all__ = [
    "AXES",
    "BUDGETS",
    "CAPABILITIES",
    "FIELD_KINDS",
    "GROUP_KINDS",
    "WELL_GROUPS",
    "FieldSpec",
    "Profile",
    "Spectrum",
    "validate_requirements",
]
