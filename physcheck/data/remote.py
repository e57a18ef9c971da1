"""Well datasets behind fsspec URLs (``hf://datasets/polymathic-ai/MHD_64``, ``s3://...``,
``https://...``): list a split's files and read only the frames a window needs, through
fsspec's block cache, as The Well's own loader does.

A :class:`RemoteFile` stands where a local ``Path`` would: it has ``name``, ``suffix`` and an
identity for cache keys (size and ETag or modification time), and ``open()`` gives the
seekable file object h5py reads. fsspec's protocols need their own packages (``aiohttp`` for
http(s), ``huggingface_hub`` for hf, ``s3fs`` for s3); a missing one is named in the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from physcheck.errors import DataError

#: bytes fetched per request: an HDF5 chunk read touches a few of them
BLOCK_SIZE = 1 << 20
HDF5_SUFFIXES = (".hdf5", ".h5", ".hdf")


def is_remote(path: object) -> bool:
    """Whether ``path`` is a URL that fsspec should open (``file://`` and plain paths are local)."""
    return isinstance(path, str) and "://" in path and not path.startswith("file://")


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec comes with the_well
        raise DataError(f"{url}: remote data needs fsspec (pip install fsspec)") from None
    try:
        return fsspec.core.url_to_fs(url)  # type: ignore[no-any-return]
    except (ImportError, ValueError) as exc:
        raise DataError(
            f"{url}: fsspec cannot open this protocol here ({exc}); install its package "
            "(aiohttp for http(s), huggingface_hub for hf://, s3fs for s3://)"
        ) from None


@dataclass(frozen=True)
class RemoteFile:
    """One remote HDF5 file: ``url``, ``size`` in bytes, ``version`` (ETag or mtime, '' if the
    server gives none)."""

    url: str
    size: int
    version: str = ""

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name
        return name[name.rfind(".") :] if "." in name else ""

    def open(self) -> IO[bytes]:
        """A seekable binary file object with a block cache (what ``h5py.File`` reads)."""
        fs, path = _filesystem(self.url)
        try:
            return fs.open(path, "rb", block_size=BLOCK_SIZE, cache_type="blockcache")  # type: ignore[no-any-return]
        except (OSError, ValueError) as exc:
            raise DataError(f"{self.url}: cannot be opened ({exc})") from None

    def identity(self) -> list[Any]:
        return [self.name, self.size, self.version]

    def __str__(self) -> str:
        return self.url


def _join(url: str, name: str) -> str:
    return url.rstrip("/") + "/" + name


def _info(fs: Any, path: str) -> dict[str, Any] | None:
    try:
        return dict(fs.info(path))
    except (FileNotFoundError, OSError):
        return None


def _remote_file(fs: Any, url: str, info: dict[str, Any]) -> RemoteFile:
    version = info.get("ETag") or info.get("etag") or info.get("mtime") or info.get("last_modified")
    return RemoteFile(url, int(info.get("size") or 0), str(version or ""))


def find_remote_files(url: str, split: str | None) -> tuple[list[RemoteFile], str | None]:
    """The HDF5 files of a remote dataset dir (``data/<split>/``), split dir or single file,
    and the URL of the ``stats.yaml`` beside the splits (``None`` if there is none)."""
    fs, path = _filesystem(url)
    protocol = url.split("://", 1)[0]

    def url_of(p: str) -> str:
        return (
            p
            if "://" in p
            else f"{protocol}://{p.lstrip('/')}"
            if protocol not in ("http", "https")
            else p
        )

    base = url.rstrip("/")
    if base.endswith(HDF5_SUFFIXES):
        info = _info(fs, path)
        if info is None:
            raise DataError(f"no such remote file: {url}")
        stats = base.rsplit("/", 3)[0] + "/stats.yaml"
        return [_remote_file(fs, base, info)], stats if _info(fs, _filesystem(stats)[1]) else None
    split_url = _join(_join(base, "data"), split or "test")
    files = _hdf5_files(fs, split_url, url_of)
    if files:  # a dataset dir: stats.yaml beside data/
        stats = _join(base, "stats.yaml")
    else:  # a split dir: stats.yaml two levels up
        files = _hdf5_files(fs, base, url_of)
        stats = _join(base.rsplit("/", 2)[0], "stats.yaml")
    if not files:
        raise DataError(
            f"{url}: no .hdf5 files in {split_url} or {base} (give a Well dataset dir with "
            "data/<split>/, a split dir or one .hdf5 file)"
        )
    return files, stats if _info(fs, _filesystem(stats)[1]) is not None else None


def _hdf5_files(fs: Any, listing: str, url_of: Any) -> list[RemoteFile]:
    """The HDF5 files directly in ``listing`` (none if it cannot be listed)."""
    try:
        entries = [dict(e) for e in fs.ls(_filesystem(listing)[1], detail=True)]
    except (FileNotFoundError, OSError, ValueError):
        return []
    files = []
    for entry in entries:
        name = str(entry["name"]).rstrip("/")
        if entry.get("type") == "directory" or not name.endswith(HDF5_SUFFIXES):
            continue
        info = entry if entry.get("size") else _info(fs, name) or entry
        files.append(_remote_file(fs, url_of(name), info))
    return sorted(files, key=lambda f: f.name)


def read_text(url: str) -> str:
    """A small remote text file (``stats.yaml``)."""
    fs, path = _filesystem(url)
    try:
        with fs.open(path, "rb") as fh:
            return bytes(fh.read()).decode()
    except (OSError, ValueError) as exc:
        raise DataError(f"{url}: cannot be read ({exc})") from None


__all__ = ["RemoteFile", "find_remote_files", "is_remote", "read_text"]
