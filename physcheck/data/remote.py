"""Well datasets behind fsspec URLs (``hf://datasets/polymathic-ai/MHD_64``, ``s3://...``,
``https://...``): list a split's files and read only the frames a window needs, through
fsspec's block cache, as The Well's own loader does.

A :class:`RemoteFile` stands where a local ``Path`` would: it has ``name``, ``suffix`` and an
identity for cache keys, and ``open()`` gives the seekable file object h5py reads. fsspec's
protocols need their own packages (``aiohttp`` for http(s), ``huggingface_hub`` for hf,
``s3fs`` for s3); a missing one is named in the error. ``file://PATH`` is a local path.

Identity (what a cached verdict is keyed on), per file:

- the server's ETag where it gives one: a changed ETag is a changed file (the server
  promises that);
- otherwise the size, the modification time where the protocol reports one, and a SHA-256 of
  three sampled 64 KiB blocks (the first, the middle and the last, read with range requests).
  This catches a re-written file of any size whose sampled blocks changed; a change confined
  to the unsampled bytes of a same-size file on a server that gives neither an ETag nor a
  modification time is not seen (serve such data with ETags, or run with
  ``--physcheck-no-cache``).

Networks fail: every request has connect and read timeouts (``--physcheck-timeout``, default
60 s), a stalled or dropped request is tried ``RETRIES`` more times, and what still fails is
one ``DataError`` line saying which failure it was (connection refused, host name not
resolved, stalled, connection dropped mid-response, or the HTTP status), with the URL's
credentials removed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Any
from urllib.parse import urlsplit

from physcheck.data.network import RETRIES as RETRIES
from physcheck.data.network import GuardedFile, failure, network_error, retrying
from physcheck.errors import DataError
from physcheck.formatting import redact_url

#: bytes fetched per request: an HDF5 chunk read touches a few of them
BLOCK_SIZE = 1 << 20
HDF5_SUFFIXES = (".hdf5", ".h5", ".hdf")
#: seconds a connection or a read may take (``--physcheck-timeout``)
DEFAULT_TIMEOUT = 60.0
#: bytes of each block sampled for the identity of a file without an ETag
SAMPLE_BYTES = 64 << 10


def local_path(path: str) -> str:
    """``file:///abs/path`` (or ``file://localhost/abs/path``) -> ``/abs/path``; anything
    else unchanged."""
    if not path.startswith("file://"):
        return path
    rest = path[len("file://") :]
    if rest.startswith("localhost/"):
        rest = rest[len("localhost") :]
    return rest


def is_remote(path: object) -> bool:
    """Whether ``path`` is a URL that fsspec should open (``file://`` and plain paths are local)."""
    return isinstance(path, str) and "://" in path and not path.startswith("file://")


def _storage_options(protocol: str, timeout: float) -> dict[str, Any]:
    """Connect and read timeouts in the form each protocol's client takes them (http(s):
    aiohttp's ``ClientTimeout``; s3: botocore's ``connect_timeout``/``read_timeout``; gs/gcs:
    gcsfs's ``requests_timeout`` and its aiohttp session's ``ClientTimeout``; hf:
    huggingface_hub's download and ETag timeouts, which it reads from its constants at each
    request). Other protocols keep their client's own."""
    if protocol in ("hf",):
        _hugging_face_timeouts(timeout)
        return {}
    if protocol in ("s3", "s3a"):
        return {"config_kwargs": {"connect_timeout": timeout, "read_timeout": timeout}}
    if protocol not in ("http", "https", "gs", "gcs"):
        return {}
    try:
        import aiohttp
    except ImportError:
        return {}
    client_timeout = aiohttp.ClientTimeout(
        total=None, connect=timeout, sock_connect=timeout, sock_read=timeout
    )
    if protocol in ("gs", "gcs"):
        return {"requests_timeout": timeout, "session_kwargs": {"timeout": client_timeout}}
    return {"client_kwargs": {"timeout": client_timeout}}


#: huggingface_hub's environment variables for its timeouts (seconds); a user's own values
#: (set before physcheck was imported) win over ``--physcheck-timeout``
HF_TIMEOUT_VARIABLES = ("HF_HUB_DOWNLOAD_TIMEOUT", "HF_HUB_ETAG_TIMEOUT")
_USER_HF_TIMEOUTS = {v: os.environ[v] for v in HF_TIMEOUT_VARIABLES if os.environ.get(v)}


def _hugging_face_timeouts(timeout: float) -> None:
    """Give huggingface_hub ``timeout`` for its downloads and ETag requests: as environment
    variables (read when it is imported) and in its constants (read at each request) where
    it is imported already."""
    constants = sys.modules.get("huggingface_hub.constants")
    for variable in HF_TIMEOUT_VARIABLES:
        value = _USER_HF_TIMEOUTS.get(variable, f"{timeout:g}")
        os.environ[variable] = value
        if constants is not None:
            setattr(constants, variable, float(value))


def _filesystem(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec comes with the_well
        raise DataError(f"{redact_url(url)}: remote data needs fsspec (pip install fsspec)") from None
    protocol = url.split("://", 1)[0].lower()
    try:
        return fsspec.core.url_to_fs(url, **_storage_options(protocol, timeout))  # type: ignore[no-any-return]
    except (ImportError, ValueError, TypeError) as exc:
        raise DataError(
            f"{redact_url(url)}: fsspec cannot open this protocol here ({exc}); install its "
            "package (aiohttp for http(s), huggingface_hub for hf://, s3fs for s3://)"
        ) from None


@dataclass(frozen=True)
class RemoteFile:
    """One remote HDF5 file: ``url``, ``size`` in bytes, ``etag`` and ``modified`` (``''``
    where the server gives none) and the ``timeout`` of its requests."""

    url: str
    size: int
    etag: str = ""
    modified: str = ""
    timeout: float = field(default=DEFAULT_TIMEOUT, compare=False)

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name
        return name[name.rfind(".") :] if "." in name else ""

    def open(self) -> IO[bytes]:
        """A seekable binary file object with a block cache (what ``h5py.File`` reads)."""
        fs, path = _filesystem(self.url, self.timeout)

        def opened() -> Any:
            return fs.open(path, "rb", block_size=BLOCK_SIZE, cache_type="blockcache")

        try:
            inner = retrying(self.url, self.timeout, opened)
        except (OSError, ValueError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"{redact_url(self.url)}: cannot be opened ({exc})") from None
        return GuardedFile(inner, self.url, self.timeout)  # type: ignore[return-value]

    @cached_property
    def _sampled(self) -> str:
        """SHA-256 of the first, middle and last ``SAMPLE_BYTES`` (range reads)."""
        fs, path = _filesystem(self.url, self.timeout)
        digest = hashlib.sha256()
        starts = sorted({0, max(0, self.size // 2 - SAMPLE_BYTES // 2), max(0, self.size - SAMPLE_BYTES)})
        for start in starts:
            end = min(self.size, start + SAMPLE_BYTES)

            def block(start: int = start, end: int = end) -> bytes:
                return bytes(fs.cat_file(path, start=start, end=end))

            digest.update(retrying(self.url, self.timeout, block))
        return digest.hexdigest()

    @property
    def version(self) -> str:
        """The ETag, else the modification time (``''`` where the server gives neither)."""
        return self.etag or self.modified

    def identity(self) -> list[Any]:
        """The ETag where the server gives one, else size, modification time and a hash of
        sampled blocks (see the module's docstring for what this guarantees)."""
        if self.etag:
            return [self.name, self.size, f"etag:{self.etag}"]
        return [self.name, self.size, self.modified, f"sha256:{self._sampled}"]

    def __str__(self) -> str:
        return redact_url(self.url)


def _join(url: str, name: str) -> str:
    return url.rstrip("/") + "/" + name


def _info(fs: Any, path: str, url: str, timeout: float) -> dict[str, Any] | None:
    """``fs.info``, ``None`` for a missing file; a network failure is a ``DataError``."""
    try:
        return dict(retrying(url, timeout, lambda: fs.info(path)))
    except (FileNotFoundError, OSError):
        return None


def _remote_file(url: str, info: dict[str, Any], timeout: float) -> RemoteFile:
    etag = info.get("ETag") or info.get("etag") or ""
    modified = info.get("mtime") or info.get("last_modified") or info.get("LastModified") or ""
    return RemoteFile(url, int(info.get("size") or 0), str(etag), str(modified), timeout)


def find_remote_files(
    url: str, split: str | None, *, timeout: float = DEFAULT_TIMEOUT
) -> tuple[list[RemoteFile], str | None]:
    """The HDF5 files of a remote dataset dir (``data/<split>/``), split dir or single file,
    and the URL of the ``stats.yaml`` beside the splits (``None`` if there is none)."""
    fs, path = _filesystem(url, timeout)
    protocol = url.split("://", 1)[0]

    def url_of(p: str) -> str:
        return (
            p
            if "://" in p
            else f"{protocol}://{p.lstrip('/')}"
            if protocol not in ("http", "https")
            else p
        )

    def exists(target: str) -> bool:
        if urlsplit(target).netloc != urlsplit(url).netloc:  # above the server's root
            return False
        return _info(fs, _filesystem(target, timeout)[1], target, timeout) is not None

    base = url.rstrip("/")
    if base.endswith(HDF5_SUFFIXES):
        info = _info(fs, path, url, timeout)
        if info is None:
            raise DataError(f"no such remote file: {redact_url(url)}")
        stats = base.rsplit("/", 3)[0] + "/stats.yaml"
        return [_remote_file(base, info, timeout)], stats if exists(stats) else None
    split_url = _join(_join(base, "data"), split or "test")
    files = _hdf5_files(fs, split_url, url_of, timeout)
    if files:  # a dataset dir: stats.yaml beside data/
        stats = _join(base, "stats.yaml")
    else:  # a split dir: stats.yaml two levels up
        files = _hdf5_files(fs, base, url_of, timeout)
        stats = _join(base.rsplit("/", 2)[0], "stats.yaml")
    if not files:
        raise DataError(
            f"{redact_url(url)}: no .hdf5 files in {redact_url(split_url)} or {redact_url(base)} "
            "(give a Well dataset dir with data/<split>/, a split dir or one .hdf5 file)"
        )
    return files, stats if exists(stats) else None


def _hdf5_files(fs: Any, listing: str, url_of: Any, timeout: float) -> list[RemoteFile]:
    """The HDF5 files directly in ``listing`` (none if it does not exist); a network failure
    is a ``DataError``."""
    target = _filesystem(listing, timeout)[1]
    try:
        entries = [dict(e) for e in retrying(listing, timeout, lambda: fs.ls(target, detail=True))]
    except (FileNotFoundError, OSError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        return []
    files = []
    for entry in entries:
        name = str(entry["name"]).rstrip("/")
        if entry.get("type") == "directory" or not name.endswith(HDF5_SUFFIXES):
            continue
        info = entry if entry.get("size") else _info(fs, name, url_of(name), timeout) or entry
        files.append(_remote_file(url_of(name), info, timeout))
    return sorted(files, key=lambda f: f.name)


def read_text(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """A small remote text file (``stats.yaml``)."""
    fs, path = _filesystem(url, timeout)

    def read() -> str:
        with fs.open(path, "rb") as fh:
            return bytes(fh.read()).decode()

    try:
        return retrying(url, timeout, read)
    except (OSError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{redact_url(url)}: cannot be read ({exc})") from None


__all__ = [
    "DEFAULT_TIMEOUT",
    "RemoteFile",
    "failure",
    "find_remote_files",
    "is_remote",
    "local_path",
    "network_error",
    "read_text",
]
