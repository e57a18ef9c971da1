"""Channel layout of a state: which channel position holds which physical field.

Configuration and checks refer to channels by *name* (The Well's flattened
``field_names``, e.g. ``magnetic_field_y``); this module maps names to positions
in the channels-last layout ``[..., X, Y, Z, C]``. Torch-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from physcheck.errors import LayoutError

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
    """Names of the channels of a state, in channel order, and the guide axis.

    ``guide_axis`` is the spatial axis (0 = x, 1 = y, 2 = z) of the mean magnetic
    field; "perpendicular" means the two other axes.
    """

    names: tuple[str, ...] = MHD_FIELDS
    guide_axis: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        if self.guide_axis not in (0, 1, 2):
            raise LayoutError(f"guide_axis must be 0, 1 or 2 (x, y, z), got {self.guide_axis!r}")
        if len(set(self.names)) != len(self.names):
            raise LayoutError(f"duplicate channel names in {self.names}")

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

    def vector(self, prefix: str) -> tuple[int, int, int]:
        """Positions of the x, y, z components of vector field ``prefix`` (e.g. ``velocity``)."""
        return tuple(self.index(f"{prefix}_{axis}") for axis in _AXES)  # type: ignore[return-value]

    @property
    def density(self) -> int:
        return self.index("density")

    @property
    def magnetic(self) -> tuple[int, int, int]:
        """Positions of B_x, B_y, B_z."""
        return self.vector("magnetic_field")

    @property
    def velocity(self) -> tuple[int, int, int]:
        """Positions of v_x, v_y, v_z."""
        return self.vector("velocity")

    @property
    def perpendicular_axes(self) -> tuple[int, int]:
        """The two spatial axes perpendicular to the guide axis, in increasing order."""
        return tuple(a for a in (0, 1, 2) if a != self.guide_axis)  # type: ignore[return-value]

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
