"""Loading a manifest: the shipped ones by name (or a ``dataset_name`` or alias they list), one
from a JSON file, or the shipped manifest of the data's own ``dataset_name``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from physcheck.data.manifest.building import attr_text
from physcheck.data.manifest.copies import locate_copy
from physcheck.data.manifest.schema import check_manifest
from physcheck.data.remote import RemoteFile
from physcheck.errors import DataError

#: where the shipped manifests live (package data), one ``NAME.json`` each
SHIPPED = Path(__file__).resolve().parents[2] / "manifests" / "datasets"


def shipped_manifests() -> dict[str, Path]:
    """The manifests shipped with physcheck, by name."""
    return {p.stem: p for p in sorted(SHIPPED.glob("*.json"))}


def _normal(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _read(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text())
    except OSError as exc:
        raise DataError(f"{path}: cannot read the manifest ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise DataError(f"{path}: not a JSON manifest ({exc})") from None
    check_manifest(body, str(path))
    return dict(body)


def load_manifest(name_or_path: str | Path) -> dict[str, Any]:
    """A manifest by shipped name (``mhd64``, ``smoke``, ``default``, ``mhd64-like``; also a
    ``dataset_name`` or alias it lists, e.g. ``MHD_64``) or by the path of a JSON file."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".json" or path.is_file() or "/" in text:
        if not path.is_file():
            raise DataError(f"no such manifest file: {path}")
        return _read(path)
    shipped = shipped_manifests()
    if text in shipped:
        return _read(shipped[text])
    for candidate in shipped.values():
        body = _read(candidate)
        names = [candidate.stem, str(body.get("dataset_name") or ""), *body.get("aliases", [])]
        if _normal(text) in {_normal(str(n)) for n in names if n}:
            return body
    raise DataError(
        f"unknown manifest {text!r}: give a JSON file or one of {', '.join(sorted(shipped))}"
    )


def dataset_name_of(path: str | Path, splits: Sequence[str] | None = None) -> str | None:
    """The ``dataset_name`` attribute of a copy's first readable file (``None`` if none says)."""
    import h5py

    for source in locate_copy(path, splits).files.values():
        try:
            opened: Any = source.open() if isinstance(source, RemoteFile) else source
            with h5py.File(opened, "r") as handle:
                if "dataset_name" in handle.attrs:
                    return attr_text(handle.attrs["dataset_name"])
        except (OSError, DataError):
            continue
    return None


def manifest_for(
    path: str | Path, name_or_path: str | None, splits: Sequence[str] | None = None
) -> dict[str, Any]:
    """``load_manifest(name_or_path)``; without one (or ``auto``), the shipped manifest of the
    data's ``dataset_name``."""
    if name_or_path and name_or_path != "auto":
        return load_manifest(name_or_path)
    name = dataset_name_of(path, splits)
    if name is None:
        raise DataError(f"{path}: no readable file says its dataset_name; give a manifest")
    try:
        return load_manifest(name)
    except DataError:
        raise DataError(
            f"{path}: no shipped manifest for dataset_name {name!r} (shipped: "
            f"{', '.join(shipped_manifests())}); give one with --manifest"
        ) from None


__all__ = ["SHIPPED", "dataset_name_of", "load_manifest", "manifest_for", "shipped_manifests"]
