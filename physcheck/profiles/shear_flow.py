"""The shear_flow profile: The Well's ``shear_flow`` and physcheck's own shear-flow sets.

2D periodic incompressible Navier-Stokes with a passive tracer on ``[0, 1) x [-1, 1)``:
tracer and pressure (t0), velocity (t1). ``div u = 0``; the tracer's integral is conserved and
it obeys a maximum principle; unforced, the kinetic energy and the enstrophy only decrease; the
pressure's mean is 0 (the gauge ``int p = 0``). The spectra are the isotropic ones of the
velocity and the tracer. Judged: ``solenoidality`` (div u), ``bounds`` (the tracer's maximum
principle) and ``budgets`` (the tracer's integral, the kinetic energy and the enstrophy). Its symmetries (periodic translations and the reflections
``x -> -x``, ``y -> -y``) are not yet judged: physcheck's symmetry group is the 3D one of a box
with a guide axis, so the equivariance check skips with this profile's reason.
"""

from __future__ import annotations

from physcheck.profiles.profile import FieldSpec, Profile, Spectrum

SHEAR_FLOW = Profile(
    name="shear_flow",
    dataset_names=("shear_flow", "shear-flow-smoke", "shear-flow", "shear-flow-like"),
    spatial_dims=2,
    fields=(
        FieldSpec("tracer", "scalar"),
        FieldSpec("pressure", "scalar"),
        FieldSpec("velocity", "vector"),
    ),
    divergence_free=("velocity",),
    bounded=("tracer",),
    conserved=("tracer",),
    non_increasing=("kinetic_energy", "enstrophy"),
    spectra=(Spectrum("velocity", "isotropic"), Spectrum("tracer", "isotropic")),
    description=(
        "2D periodic incompressible Navier-Stokes with a passive tracer (The Well's shear_flow)"
    ),
    default_set="shear-flow",
    notes=(
        "the pressure is stored in the gauge int p = 0",
    ),
)

__all__ = ["SHEAR_FLOW"]
