"""Whether two results documents can be compared number by number: the same data (file
checksums), window, trajectories, physcheck major version and the settings that change the
numbers. Torch-free."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: thresholds that define a number (not only its verdict): windows, blocks, ceilings
NUMBER_THRESHOLDS = (
    "vrmse_window_first",
    "vrmse_window_last",
    "skill_first",
    "skill_last",
    "dynamics_block",
    "stability_threshold",
    "predictability_threshold",
    "variance_floor",
)
#: settings that change the numbers
NUMBER_SETTINGS = ("split", "guide_axis", "starts", "dtype", "reference_dtype", "diagnostics")


def _major(document: Mapping[str, Any]) -> str:
    version = str(document.get("physcheck", {}).get("version", "?"))
    return version.split(".", 1)[0]


def _files(document: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    data = (document.get("provenance") or {}).get("data")
    if not data:
        return None
    return sorted((str(f.get("name")), str(f.get("sha256"))) for f in data.get("files", []))


def _window(document: Mapping[str, Any]) -> str:
    data = (document.get("provenance") or {}).get("data") or {}
    window = data.get("window") or {}
    label = window.get("label") or document.get("settings", {}).get("window")
    return str(label)


def _trajectories(document: Mapping[str, Any]) -> list[int] | str:
    data = (document.get("provenance") or {}).get("data") or {}
    listed = data.get("trajectories")
    if listed:
        return [int(t["index"]) for t in listed]
    return str(document.get("settings", {}).get("trajectories"))


def differences(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    """What makes ``new`` and its baseline ``old`` incomparable, one phrase each (empty when
    they compare)."""
    out: list[str] = []
    if _major(new) != _major(old):
        out.append(f"physcheck {_major(new)}.x against a baseline from {_major(old)}.x")
    files_new, files_old = _files(new), _files(old)
    if files_old is None:
        out.append("the baseline has no data provenance (made before physcheck 0.3)")
    elif files_new != files_old:
        names = sorted({n for n, _ in (files_new or [])} ^ {n for n, _ in files_old}) or [
            n for (n, s), (_, t) in zip(files_new or [], files_old, strict=False) if s != t
        ]
        out.append(f"other data (files {', '.join(names) or 'differ'})")
    if _window(new) != _window(old):
        out.append(f"window {_window(new)} against {_window(old)}")
    if _trajectories(new) != _trajectories(old):
        out.append(f"trajectories {_trajectories(new)} against {_trajectories(old)}")
    settings_new, settings_old = new.get("settings", {}), old.get("settings", {})
    for key in NUMBER_SETTINGS:
        if settings_new.get(key) != settings_old.get(key):
            out.append(f"setting {key} {settings_new.get(key)!r} against {settings_old.get(key)!r}")
    # the dataset profile decides which checks ran (a baseline made before profiles has none:
    # it ran the MHD profile's checks on the same files)
    profiles = (settings_new.get("profile"), settings_old.get("profile"))
    if None not in profiles and profiles[0] != profiles[1]:
        out.append(f"profile {profiles[0]!r} against {profiles[1]!r}")
    thresholds_new = settings_new.get("thresholds", {})
    thresholds_old = settings_old.get("thresholds", {})
    for key in NUMBER_THRESHOLDS:
        if thresholds_new.get(key) != thresholds_old.get(key):
            out.append(f"threshold {key} {thresholds_new.get(key)!r} against {thresholds_old.get(key)!r}")
    return out


__all__ = ["NUMBER_SETTINGS", "NUMBER_THRESHOLDS", "differences"]
