"""A disk cache of rollout records that cannot run code.

An entry is a ``safetensors`` file (tensors and a JSON string of metadata; nothing in it is
executed when it is read) named by the SHA-256 of a canonical JSON key. The key covers
everything that decides the numbers (the model's code and weights, the data, the window,
the settings, physcheck's and torch's versions); the caller builds it. Reading validates the
structure against what a record must hold: anything unexpected (a damaged file, a foreign
file, a field of the wrong shape) is a miss, with a warning, and the entry is recomputed and
rewritten. Writes are atomic (temporary file and rename) under a file lock, so parallel
pytest-xdist workers share the cache safely.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from filelock import FileLock

from physcheck.atomic import atomic_write
from physcheck.cachedir import mark_cache_dir

#: bump when the layout of an entry changes (older entries then miss)
FORMAT = 2


class CacheWarning(UserWarning):
    """A cache entry could not be used and is recomputed."""


def cache_key(parts: Mapping[str, Any]) -> str:
    """A 32-hex-digit key for a JSON-able description of everything that decides a record."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


class RecordCache:
    """``get``/``put`` of records as ``{name: tensor}`` plus JSON metadata under ``directory``.

    ``put(key, tensors, meta)`` writes an entry; ``get(key, expect)`` returns ``(tensors,
    meta)`` or ``None``. ``expect`` maps each required tensor name to its number of
    dimensions (``None``: any); an optional tensor may be absent.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.safetensors"

    def lock(self, key: str) -> FileLock:
        mark_cache_dir(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.directory / f"{key}.lock"))

    def get(
        self, key: str, expect: Mapping[str, int | None]
    ) -> tuple[dict[str, torch.Tensor], dict[str, Any]] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            from safetensors import safe_open

            with safe_open(str(path), framework="pt", device="cpu") as f:
                raw_meta = (f.metadata() or {}).get("physcheck")
                tensors = {name: f.get_tensor(name) for name in f.keys()}  # noqa: SIM118
            meta = json.loads(raw_meta) if raw_meta else None
            problem = _validate(tensors, meta, expect)
        except Exception as exc:  # unreadable: a damaged or foreign file
            problem = f"unreadable ({type(exc).__name__}: {exc})"
            tensors, meta = {}, None
        if problem is not None or meta is None:
            warnings.warn(
                f"physcheck cache entry {path.name} is not a valid record ({problem}); "
                "it is recomputed and rewritten",
                CacheWarning,
                stacklevel=2,
            )
            return None
        return tensors, meta

    def put(self, key: str, tensors: Mapping[str, torch.Tensor], meta: Mapping[str, Any]) -> None:
        from safetensors.torch import save_file

        mark_cache_dir(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {name: t.detach().to("cpu").contiguous() for name, t in tensors.items()}
        document = json.dumps({"format": FORMAT, **meta}, sort_keys=True)
        with atomic_write(self._path(key)) as tmp:
            save_file(payload, str(tmp), metadata={"physcheck": document})


def _validate(
    tensors: Mapping[str, torch.Tensor],
    meta: Mapping[str, Any] | None,
    expect: Mapping[str, int | None],
) -> str | None:
    """``None`` when the entry has the expected structure, else what is wrong."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return f"format {meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT}"
    optional = set(meta.get("optional", []))
    for name, ndim in expect.items():
        if name not in tensors:
            if name in optional:
                continue
            return f"missing tensor {name!r}"
        if ndim is not None and tensors[name].ndim != ndim:
            return f"tensor {name!r} has {tensors[name].ndim} dimensions, expected {ndim}"
    unexpected = sorted(set(tensors) - set(expect))
    if unexpected:
        return f"unexpected tensors {unexpected}"
    return None


__all__ = ["CacheWarning", "FORMAT", "RecordCache", "cache_key"]
