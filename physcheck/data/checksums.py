"""Checksums of data files, computed once per file and remembered by path, size and mtime.

``file_sha256(path)`` reads a local file once and stores its SHA-256 in the per-user cache
(``<cache>/checksums/``, keyed by the absolute path, the size and the modification time in
nanoseconds), so a later run, or a ``physcheck data verify``, does not read it again until the
file changes. Nothing here imports torch.

The cache directory's place and tag come from ``physcheck.cachedir``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from physcheck.cachedir import mark_cache_dir, user_cache_root
from physcheck.jsonio import write_text_atomic

_CHUNK = 8 << 20


def _memo_path(path: Path, size: int, mtime_ns: int) -> Path:
    key = hashlib.sha256(f"{path}\0{size}\0{mtime_ns}".encode()).hexdigest()[:32]
    return user_cache_root() / "checksums" / f"{key}.json"


def sha256_of(path: Path) -> str:
    """The SHA-256 (hex) of the bytes of a local file, read in 8 MiB chunks, not remembered."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """The SHA-256 (hex) of a local file's bytes, read once and remembered by (absolute path,
    size, mtime): a file that changes is read again. ``OSError`` if it cannot be read."""
    path = Path(path).resolve()
    stat = path.stat()
    memo = _memo_path(path, stat.st_size, stat.st_mtime_ns)
    try:
        recorded = json.loads(memo.read_text())
        if isinstance(recorded, dict) and isinstance(recorded.get("sha256"), str):
            return str(recorded["sha256"])
    except (OSError, ValueError):
        pass
    value = sha256_of(path)
    try:
        mark_cache_dir(memo.parent.parent)
        write_text_atomic(
            memo, json.dumps({"path": str(path), "size": stat.st_size, "sha256": value})
        )
    except OSError:  # a cache that cannot be written is only slower
        pass
    return value


__all__ = ["file_sha256", "sha256_of"]
