"""A disk cache of rollout records, keyed by everything that determines them.

Entries are ``torch.save`` files named by the SHA-256 of a canonical JSON key (model hash,
data hash, window, trajectories, variant, diagnostic settings, versions). Writes are atomic
(temp file + rename) under a file lock, so parallel pytest-xdist workers share it safely.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch
from filelock import FileLock


def cache_key(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


class RecordCache:
    """``get``/``put`` of picklable-by-torch states under ``directory``."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.pt"

    def lock(self, key: str) -> FileLock:
        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.directory / f"{key}.lock"))

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
            return state
        except Exception:  # a damaged entry is a miss, and is rewritten
            return None

    def put(self, key: str, state: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        torch.save(state, tmp)
        tmp.replace(path)
