"""The SHA-256 checksums a manifest records: of a data file (local, or remote and then read
whole) and of a copy's ``stats.yaml``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from physcheck.data.checksums import file_sha256
from physcheck.data.remote import RemoteFile

_CHUNK = 8 << 20


def sha256_of(path: Path | RemoteFile) -> str:
    """SHA-256 of a data file's bytes (a remote file is downloaded to hash it)."""
    if isinstance(path, Path):
        return file_sha256(path)
    digest = hashlib.sha256()  # a remote file is read whole: a download
    with path.open() as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stats_sha256(stats: Path | str) -> str:
    """SHA-256 of a copy's ``stats.yaml`` (a local path or a URL)."""
    if isinstance(stats, Path):
        return file_sha256(stats)
    from physcheck.data.remote import read_text

    return hashlib.sha256(read_text(stats).encode()).hexdigest()


__all__ = ["sha256_of", "stats_sha256"]
