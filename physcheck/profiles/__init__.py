"""Dataset profiles: the fields, constraints, symmetries and spectra of one physics, and the
capabilities checks need from it (torch-free). ``MHD``, ``SHEAR_FLOW`` and the structural
profiles of The Well's datasets (``physcheck.profiles.structural``) are built in;
``register_profile`` adds another, ``profile_for`` finds a run's, and data no profile knows are
judged under the generic profile built from their own metadata (``generic_profile``)."""

from __future__ import annotations

from physcheck.profiles.generic import GENERIC, attainable, generic_profile, would_add
from physcheck.profiles.mhd import MHD
from physcheck.profiles.profile import CAPABILITIES, FieldSpec, Profile, Spectrum
from physcheck.profiles.registry import (
    profile_for,
    profile_named,
    profile_names,
    register_profile,
    unregister_profile,
)
from physcheck.profiles.shear_flow import SHEAR_FLOW
from physcheck.profiles.structural import STRUCTURAL
from physcheck.profiles.symmetries import SymmetrySpec

__all__ = [
    "CAPABILITIES",
    "GENERIC",
    "MHD",
    "SHEAR_FLOW",
    "STRUCTURAL",
    "FieldSpec",
    "Profile",
    "Spectrum",
    "SymmetrySpec",
    "attainable",
    "generic_profile",
    "profile_for",
    "profile_named",
    "profile_names",
    "register_profile",
    "unregister_profile",
    "would_add",
]
