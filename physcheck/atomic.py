"""Atomic file writes: the one way physcheck writes a file a reader may see.

A file is written under a temporary name in its own folder (``.NAME.PID.tmp``, so the rename
stays on one file system) and moved into place only when it is complete; on any failure the
temporary file is removed. An ``OSError`` (or the ``RuntimeError`` h5py and torch raise for
a failed write) becomes one ``WriteError`` line naming the file and the reason.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from physcheck.errors import WriteError

#: what a failed write can raise (h5py and torch report a full disk as a ``RuntimeError``)
WRITE_FAILURES: tuple[type[Exception], ...] = (OSError, RuntimeError)


def temporary_path(path: str | Path) -> Path:
    """Where ``path`` is written before it is moved into place (same folder, hidden name)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_error(path: str | Path, exc: BaseException) -> WriteError:
    """The one-line error of a failed write of ``path``: the file, the reason, what to do."""
    if isinstance(exc, WriteError):
        return exc
    if not isinstance(exc, OSError):
        return WriteError(f"{path}: cannot be written ({exc}); free space or choose another folder")
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return WriteError(
        f"{path}: cannot be written ({reason}); free space or choose another folder",
        exc.errno,
        exc.strerror,
    )


class AtomicFile:
    """A file written at ``tmp`` and moved to ``path`` by ``commit``; ``abort`` (or a failed
    ``commit``) removes ``tmp``. For writes that span several calls (a file written frame by
    frame); ``atomic_write`` is the same for one block."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.tmp = temporary_path(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except WRITE_FAILURES as exc:
            raise write_error(self.path, exc) from None

    def failed(self, exc: BaseException) -> WriteError:
        """Remove the temporary file; the error to raise for ``exc``."""
        self.abort()
        return write_error(self.path, exc)

    def commit(self) -> Path:
        """Move the finished temporary file into place."""
        try:
            self.tmp.replace(self.path)
        except WRITE_FAILURES as exc:
            raise self.failed(exc) from None
        return self.path

    def abort(self) -> None:
        """Remove the temporary file, whatever state the write left it in."""
        with suppress(OSError):
            self.tmp.unlink(missing_ok=True)


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """The temporary path to write ``path`` at; moved into place when the block succeeds,
    removed when it fails (a failed write is one ``WriteError``; other errors pass through)."""
    target = AtomicFile(path)
    try:
        yield target.tmp
    except WRITE_FAILURES as exc:
        raise target.failed(exc) from None
    except BaseException:
        target.abort()
        raise
    target.commit()


__all__ = ["WRITE_FAILURES", "AtomicFile", "atomic_write", "temporary_path", "write_error"]
