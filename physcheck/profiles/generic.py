"""The generic profile: what physcheck knows of data no profile describes, read from the data
file's own metadata (torch-free).

A Well file says its spatial dimensions (and their names), its fields with their tensor order
(the ``t0``/``t1``/``t2`` groups) and its boundary conditions; it does not say which physics
keeps which constraint. The generic profile therefore lists the fields and declares nothing:
the checks every physics has (``finite``, ``vrmse``, ``skill``, ``dynamics``,
``channel_variance``, ``basin_determinism``, ``precision``) judge the data, the physics
checks skip with its reason, and ``would_add`` names those a dataset-specific profile
(``physcheck.profiles.register_profile``) could add for these fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from physcheck.profiles.profile import AXES, GROUP_KINDS, FieldSpec, Profile

#: the generic profile's name (``--physcheck-profile generic`` asks for it by name)
GENERIC = "generic"


def generic_profile(
    dataset_name: str,
    fields: Iterable[tuple[str, str]],
    axes: Iterable[str],
) -> Profile:
    """The generic profile of data called ``dataset_name`` with ``fields`` (``(name, Well
    group)`` in channel order: ``("density", "t0_fields")``) on spatial ``axes`` (``x``, ``y``
    or e.g. ``theta``, ``phi``): the fields with their kinds, no constraint, no symmetry, no
    spectrum."""
    axes = tuple(axes)
    specs = tuple(FieldSpec(name, GROUP_KINDS[group], group) for name, group in fields)
    return Profile(
        name=GENERIC,
        dataset_names=(dataset_name,),
        spatial_dims=len(axes),
        fields=specs,
        axes=axes if axes != AXES[: len(axes)] else (),
        description=(
            f"generic: the fields of {dataset_name!r} from its own metadata, no physics "
            "constraint declared"
        ),
        generic=True,
    )


def attainable(profile: Profile) -> frozenset[str]:
    """The capabilities a dataset-specific profile of ``profile``'s fields could declare: a
    divergence-free field where there is a vector, positive, bounded and conserved fields where
    there is a scalar, a spectrum and a symmetry group for any field, the kinetic energy from a
    density and a velocity, the magnetic field and its guide axis from a 3D magnetic field."""
    vectors = any(f.is_vector for f in profile.fields)
    scalars = any(f.is_scalar for f in profile.fields)
    magnetic = profile.has_field("magnetic_field", "vector", "pseudovector")
    offered = {
        "divergence_free": vectors,
        "spectrum": bool(profile.fields),
        "guide_axis": magnetic and profile.spatial_dims == 3,
        "magnetic_field": magnetic,
        "kinetic_energy": profile.has_field("density", "scalar")
        and profile.has_field("velocity", "vector"),
        "symmetries": bool(profile.fields),
        "positive": scalars,
        "bounded": scalars,
        "budgets": scalars or profile.has_field("velocity", "vector"),
    }
    return frozenset(name for name, there in offered.items() if there)


def would_add(profile: Profile, checks: Mapping[str, Iterable[str]]) -> list[str]:
    """The checks (``name -> requires``, in order) that ``profile`` skips and a profile of the
    same fields could serve: what registering a dataset-specific profile would add."""
    reach = attainable(profile)
    out = []
    for name, requires in checks.items():
        needs = set(requires)
        if needs and not needs <= profile.capabilities and needs <= reach:
            out.append(name)
    return out


__all__ = ["GENERIC", "attainable", "generic_profile", "would_add"]
