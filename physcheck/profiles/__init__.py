"""Dataset profiles: the fields, constraints, symmetries and spectra of one physics, and the
capabilities checks need from it (torch-free). ``MHD`` and ``SHEAR_FLOW`` are built in;
``register_profile`` adds another, ``profile_for`` finds a run's."""

from __future__ import annotations

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
from physcheck.profiles.symmetries import SymmetrySpec

__all__ = [
    "CAPABILITIES",
    "MHD",
    "SHEAR_FLOW",
    "FieldSpec",
    "Profile",
    "Spectrum",
    "SymmetrySpec",
    "profile_for",
    "profile_named",
    "profile_names",
    "register_profile",
    "unregister_profile",
]
