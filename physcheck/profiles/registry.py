"""The known dataset profiles, and how a run finds its own: named with ``--physcheck-profile``
(setting ``profile``), else from the data's ``dataset_name`` attribute, else from its channel
names, else the generic profile built from the data's own metadata (torch-free)."""

from __future__ import annotations

from collections.abc import Iterable

from physcheck.errors import ConfigError, DataError
from physcheck.profiles.generic import GENERIC
from physcheck.profiles.mhd import MHD
from physcheck.profiles.profile import Profile
from physcheck.profiles.shear_flow import SHEAR_FLOW
from physcheck.profiles.structural import STRUCTURAL

#: the profiles physcheck ships (never unregistered): MHD, shear_flow and the structural
#: profiles of The Well's datasets
BUILT_IN: dict[str, Profile] = {p.name: p for p in (MHD, SHEAR_FLOW, *STRUCTURAL)}
_PROFILES: dict[str, Profile] = dict(BUILT_IN)


def register_profile(profile: Profile, *, replace: bool = False) -> Profile:
    """Add ``profile`` to the known ones (``replace=True`` to redefine a name)."""
    if profile.name == GENERIC:
        raise ConfigError(f"the profile name {GENERIC!r} is the generic profile's; choose another")
    if profile.name in _PROFILES and not replace:
        raise ConfigError(
            f"a profile named {profile.name!r} exists already; pass replace=True to redefine it"
        )
    _PROFILES[profile.name] = profile
    return profile


def unregister_profile(name: str) -> None:
    """Forget profile ``name`` (tests that register a toy profile clean up with this)."""
    if name not in BUILT_IN:
        _PROFILES.pop(name, None)


def profile_names() -> tuple[str, ...]:
    """The registered profiles' names (and ``generic``, built from the data)."""
    return (*_PROFILES, GENERIC)


def profile_named(name: str) -> Profile:
    """The profile called ``name``; ``ConfigError`` listing the known ones otherwise (and for
    ``generic``, which only data can build: ``profile_for``)."""
    if name == GENERIC:
        raise ConfigError(
            f"the {GENERIC} profile is built from a data file's own metadata; "
            "physcheck.profiles.profile_for builds it for the data"
        )
    try:
        return _PROFILES[name]
    except KeyError:
        raise ConfigError(
            f"unknown profile {name!r}; known profiles: {', '.join(profile_names())}"
        ) from None


def profile_for(
    dataset_name: str,
    channel_names: Iterable[str],
    *,
    named: str | None = None,
    generic: Profile | None = None,
) -> Profile:
    """The profile of data called ``dataset_name`` with ``channel_names``: ``named`` when
    given (``generic``: the ``generic`` profile), else the profile listing the dataset name,
    else the one whose channels are exactly these, else ``generic`` (the data's generic
    profile, ``physcheck.profiles.generic_profile``); ``DataError`` saying how to name one
    where there is none."""
    if named == GENERIC and generic is not None:
        return generic
    if named:
        return profile_named(named)
    channels = tuple(channel_names)
    for profile in _PROFILES.values():
        if dataset_name in profile.dataset_names:
            return profile
    for profile in _PROFILES.values():
        if channels == profile.channel_names:
            return profile
    if generic is not None:
        return generic
    raise DataError(
        f"no physcheck profile knows data set {dataset_name!r} with channels {list(channels)}; "
        f"name one with --physcheck-profile ({', '.join(_PROFILES)}) or register your own "
        "(physcheck.profiles.register_profile)"
    )


__all__ = [
    "profile_for",
    "profile_named",
    "profile_names",
    "register_profile",
    "unregister_profile",
]
