"""The shear_flow profile: The Well's ``shear_flow`` and physcheck's own shear-flow sets.

2D periodic incompressible Navier-Stokes with a passive tracer on ``[0, 1) x [-1, 1)``:
tracer and pressure (t0), velocity (t1). ``div u = 0``; the tracer's integral is conserved and
it obeys a maximum principle; unforced, the kinetic energy and the enstrophy only decrease; the
pressure's mean is 0 (the gauge ``int p = 0``). The spectra are the isotropic ones of the
velocity and the tracer. Judged: ``solenoidality`` (div u), ``bounds`` (the tracer's maximum
principle) and ``budgets`` (the tracer's integral, the kinetic energy and the enstrophy). The
symmetry group (``SHEAR_FLOW_SYMMETRIES``, judged by ``equivariance``): periodic shifts by 3
cells along x and y, the reflections ``x -> -x`` (``u_x -> -u_x``), ``y -> -y``
(``u_y -> -u_y``) and both at once (the half turn); no quarter turns, the box is not square.
The pressure is a scalar, moved only; the tracer, which the card starts equal to the shear in
u_x, changes sign with x -> -x (its equation is linear in it), so that every transform keeps
their correlation and with it the data's distribution.
"""

from __future__ import annotations

from physcheck.profiles.profile import FieldSpec, Profile, Spectrum
from physcheck.profiles.symmetries import SymmetrySpec

#: the periodic 1 x 2 box's group (see the module docstring)
SHEAR_FLOW_SYMMETRIES = SymmetrySpec(
    "periodic 1 x 2 box: shifts, x -> -x, y -> -y and both",
    reflections=("x", "y", "xy"),
    shifts=(3,),
    odd_scalars=(("tracer", "x"),),
)

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
    symmetries=SHEAR_FLOW_SYMMETRIES,
    spectra=(Spectrum("velocity", "isotropic"), Spectrum("tracer", "isotropic")),
    description=(
        "2D periodic incompressible Navier-Stokes with a passive tracer (The Well's shear_flow)"
    ),
    default_set="shear-flow",
    notes=(
        "the pressure is stored in the gauge int p = 0",
    ),
)

__all__ = ["SHEAR_FLOW", "SHEAR_FLOW_SYMMETRIES"]
