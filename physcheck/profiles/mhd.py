"""The MHD profile: The Well's MHD_64 (and MHD_256) and physcheck's own MHD sets.

Isothermal compressible MHD in a periodic 3D box with a guide field: density (t0), magnetic
field and velocity (t1). div B = 0; the density is positive; mass, the mean field <B> and the
mean momentum are conserved; the symmetries are translations, the rotations about the guide
axis and reflections (B a polar vector with the guide field kept, see
``physcheck.diagnostics.symmetry``); the spectrum judged is the magnetic field's, in the plane
perpendicular to the guide field.
"""

from __future__ import annotations

from physcheck.profiles.profile import FieldSpec, Profile, Spectrum
from physcheck.profiles.symmetries import PERPENDICULAR, SymmetrySpec

#: MHD's group: the quarter turns about the guide axis, the reflections of the perpendicular
#: axes under both pseudo-vector rules (B polar: the guide field kept, judged; B a
#: pseudo-vector: the guide field reversed, reported) and shifts by 3 cells along each axis
MHD_SYMMETRIES = SymmetrySpec(
    "periodic box with a guide axis",
    reflections=(PERPENDICULAR,),
    rotations=True,
    rules=("polar", "pseudo"),
    shifts=(3,),
)

MHD = Profile(
    name="mhd",
    dataset_names=("MHD_64", "MHD_256", "smoke", "default", "mhd64-like"),
    spatial_dims=3,
    fields=(
        FieldSpec("density", "scalar"),
        FieldSpec("magnetic_field", "pseudovector"),
        FieldSpec("velocity", "vector"),
    ),
    divergence_free=("magnetic_field",),
    positive=("density",),
    conserved=("mass", "mean_magnetic_field", "mean_momentum"),
    symmetries=MHD_SYMMETRIES,
    guide_axis=True,
    spectra=(Spectrum("magnetic_field", "perpendicular"),),
    description="3D isothermal compressible MHD, periodic box, guide field (The Well's MHD_64)",
    default_set="default",
)

__all__ = ["MHD", "MHD_SYMMETRIES"]
