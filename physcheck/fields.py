"""Channel layout of a state: which channel position holds which physical field.

Configuration and checks refer to channels by *name* (The Well's flattened
``field_names``, e.g. ``magnetic_field_y``); this module maps names to positions
in the channels-last layout ``[..., *S, C]`` (S the 1 to 3 spatial axes; ``[..., X, Y, Z, C]``
in 3D). A run's layout comes from its dataset profile (``FieldLayout.of``). Torch-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from physcheck.errors import LayoutError

if TYPE_CHECKING:
    from physcheck.profiles.profile import Profile

#: MHD_64 channel order as The Well flattens it (t0 density, t1 magnetic field, t1 velocity).
MHD_FIELDS: tuple[str, ...] = (
    "density",
    "magnetic_field_x",
    "magnetic_field_y",
    "magnetic_field_z",
    "velocity_x",
    "velocity_y",
    "velocity_z",
)

_AXES = ("x", "y", "z")
_SHORT_PREFIX = {"density": "rho", "magnetic_field": "B", "velocity": "v"}


@dataclass(frozen=True)
class FieldLayout:
    """Names of the channels of a state, in channel order, the number of spatial dimensions
    and the guide axis.

    ``spatial_dims``: 1, 2 or 3 (a state is ``[..., *S, C]`` with ``len(S) = spatial_dims``).
    ``guide_axis`` is the spatial axis (0 = x, 1 = y, 2 = z) of the mean magnetic field;
    "perpendicular" means the two other axes. ``None``: the physics has no guide field
    (``perpendicular_axes`` and the basins of a perpendicular field then raise
    ``LayoutError``). ``solenoidal``: the vector field whose divergence is 0 (MHD's magnetic
    field, an incompressible flow's velocity; ``None``: none), what div diagnostics measure.
    """

    names: tuple[str, ...] = MHD_FIELDS
    guide_axis: int | None = 0
    spatial_dims: int = 3
    solenoidal: str | None = "magnetic_field"

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        if self.spatial_dims not in (1, 2, 3):
            raise LayoutError(f"spatial_dims must be 1, 2 or 3, got {self.spatial_dims!r}")
        if self.guide_axis is not None and self.guide_axis not in range(self.spatial_dims):
            axes = ", ".join(str(a) for a in range(self.spatial_dims))
            raise LayoutError(
                f"guide_axis must be one of {axes} ({', '.join(_AXES[: self.spatial_dims])}) "
                f"or None, got {self.guide_axis!r}"
            )
        if len(set(self.names)) != len(self.names):
            raise LayoutError(f"duplicate channel names in {self.names}")

    @classmethod
    def of(cls, profile: Profile, guide_axis: int = 0) -> FieldLayout:
        """The layout of a profile's data: its channel names and spatial dimensions, and
        ``guide_axis`` where the profile has a guide field (else ``None``)."""
        return cls(
            profile.channel_names,
            guide_axis=guide_axis if profile.guide_axis else None,
            spatial_dims=profile.spatial_dims,
            solenoidal=profile.divergence_free[0] if profile.divergence_free else None,
        )

    @property
    def has_solenoidal(self) -> bool:
        """Whether the state has every component of its divergence-free field."""
        return self.solenoidal is not None and self.has_vector(self.solenoidal)

    @property
    def solenoidal_symbol(self) -> str:
        """How messages write the divergence-free field: ``B``, ``u``, or its name."""
        return {"magnetic_field": "B", "velocity": "u"}.get(self.solenoidal or "", self.solenoidal or "?")

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        """The dims of the spatial axes of a channels-last state ``[..., *S, C]``
        (``(-4, -3, -2)`` in 3D)."""
        return tuple(range(-1 - self.spatial_dims, -1))

    def has(self, name: str) -> bool:
        """Whether the state has a channel ``name``."""
        return name in self.names

    def has_vector(self, prefix: str) -> bool:
        """Whether the state has every component of vector field ``prefix``."""
        return all(self.has(f"{prefix}_{axis}") for axis in _AXES[: self.spatial_dims])

    @property
    def has_guide_field(self) -> bool:
        """A 3D magnetic field along a guide axis: what the perpendicular spectrum, the
        perpendicular symmetry and the By/Bz basins need."""
        return (
            self.guide_axis is not None
            and self.spatial_dims == 3
            and self.has_vector("magnetic_field")
        )

    @property
    def n_channels(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of channel ``name``; a clear error listing the known names otherwise."""
        try:
            return self.names.index(name)
        except ValueError:
            raise LayoutError(
                f"no channel named {name!r}; this state's channels are {list(self.names)}"
            ) from None

    def vector(self, prefix: str) -> tuple[int, ...]:
        """Positions of the x, y(, z) components of vector field ``prefix`` (e.g.
        ``velocity``), one per spatial dimension."""
        return tuple(self.index(f"{prefix}_{axis}") for axis in _AXES[: self.spatial_dims])

    @property
    def density(self) -> int:
        return self.index("density")

    @property
    def magnetic(self) -> tuple[int, ...]:
        """Positions of B_x, B_y(, B_z)."""
        return self.vector("magnetic_field")

    @property
    def velocity(self) -> tuple[int, ...]:
        """Positions of v_x, v_y(, v_z)."""
        return self.vector("velocity")

    @property
    def guide(self) -> int:
        """The guide axis; ``LayoutError`` for a layout without one."""
        if self.guide_axis is None:
            raise LayoutError("this layout has no guide axis (its dataset has no guide field)")
        return self.guide_axis

    @property
    def perpendicular_axes(self) -> tuple[int, int]:
        """The two spatial axes perpendicular to the guide axis, in increasing order (3D
        with a guide axis only: ``LayoutError`` otherwise)."""
        if self.guide_axis is None or self.spatial_dims != 3:
            raise LayoutError(
                f"no plane perpendicular to a guide field: this layout is {self.spatial_dims}D"
                + (" without a guide axis" if self.guide_axis is None else "")
            )
        first, second = (a for a in (0, 1, 2) if a != self.guide_axis)
        return first, second

    @property
    def perpendicular_magnetic(self) -> tuple[int, int]:
        """Channel positions of the two perpendicular magnetic components (B_y, B_z for guide x)."""
        b = self.magnetic
        first, second = self.perpendicular_axes
        return (b[first], b[second])

    def short_name(self, channel: int | str) -> str:
        """Short physical label of a channel: ``rho``, ``Bx`` ... ``vz``; the full name otherwise."""
        name = self.names[channel] if isinstance(channel, int) else channel
        for prefix, short in _SHORT_PREFIX.items():
            if name == prefix:
                return short
            for axis in _AXES:
                if name == f"{prefix}_{axis}":
                    return f"{short}{axis}"
        return name

    @property
    def short_names(self) -> tuple[str, ...]:
        return tuple(self.short_name(i) for i in range(self.n_channels))


#: The MHD_64 layout with the guide field along x.
MHD_LAYOUT = FieldLayout()
