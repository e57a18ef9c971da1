"""Network failures of remote data: what kind of failure an exception is (refused, host name
not resolved, stalled, dropped mid-response, an HTTP status), one ``DataError`` line for it
with the URL's credentials removed, and requests (and a remote file's reads) tried again
``RETRIES`` more times where it stalled, dropped or met a server error (5xx)."""

from __future__ import annotations

import asyncio
import errno
import io
import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

from physcheck.errors import DataError
from physcheck.formatting import redact_url

#: further tries of a request that stalled, dropped or met a server error (5xx)
RETRIES = 2

T = TypeVar("T")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status >= 400 and type(exc).__name__.endswith("ResponseError"):
        return status
    return None


def failure(exc: BaseException) -> tuple[str, bool] | None:
    """What kind of network failure ``exc`` (or an exception it was raised from) is, as
    ``(reason, worth retrying)``; ``None`` when it is none (a plain missing file)."""
    chain = _chain(exc)
    names = {c.__name__ for e in chain for c in type(e).__mro__}
    statuses = [s for s in (_status(e) for e in chain) if s is not None]
    if isinstance(exc, FileNotFoundError):
        if statuses and all(s in (404, 410) for s in statuses):
            return None  # the server says the file is missing
        if not statuses and len(chain) == 1:
            return None  # a missing file, raised without a network cause
    for e in chain:
        status = _status(e)
        if status is not None:
            message = getattr(e, "message", "") or ""
            return f"the server answered HTTP {status}{f' {message}' if message else ''}", status >= 500
    if "ClientConnectorDNSError" in names or any(isinstance(e, socket.gaierror) for e in chain):
        return "the host name did not resolve (DNS): check the URL's host and the network", False
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or any(
        getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain
    ):
        return "the connection was refused: nothing listens at that host and port", False
    timeouts = ("ServerTimeoutError", "ConnectionTimeoutError", "SocketTimeoutError", "FSTimeoutError")
    if names & set(timeouts) or any(isinstance(e, (TimeoutError, asyncio.TimeoutError)) for e in chain):
        return "the server stalled (no answer within the timeout)", True
    dropped = (
        "ClientPayloadError",
        "ServerDisconnectedError",
        "ContentLengthError",
        "IncompleteRead",
        "ProtocolError",
    )
    if names & set(dropped) or any(
        isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError))
        for e in chain
    ):
        return "the connection dropped mid-response (the server closed it early)", True
    if "ClientConnectionError" in names or "ClientOSError" in names:
        return f"the connection failed ({chain[0]})", True
    return None


def network_error(url: str, exc: BaseException, timeout: float, tries: int) -> DataError:
    """One line for a failed remote request (credentials removed from the URL)."""
    kind = failure(exc)
    reason = kind[0] if kind is not None else f"{type(exc).__name__}: {exc}"
    if kind is not None and "stalled" in reason:
        reason = f"the server stalled (no answer within {timeout:g} s, --physcheck-timeout)"
    attempts = f" after {tries} tries" if tries > 1 else ""
    return DataError(f"{redact_url(url)}: cannot be read{attempts}: {reason}")


def retrying(url: str, timeout: float, call: Callable[[], T]) -> T:
    """``call()``, tried again (``RETRIES`` times, after a short pause) where it stalled,
    dropped or met a server error; a network failure that remains is one ``DataError``.
    Exceptions that are no network failure (a missing file) pass through."""
    for attempt in range(RETRIES + 1):
        try:
            return call()
        except DataError:
            raise
        except Exception as exc:
            kind = failure(exc)
            if kind is None:
                raise
            if not kind[1] or attempt == RETRIES:
                raise network_error(url, exc, timeout, attempt + 1) from None
        time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


class GuardedFile(io.RawIOBase):
    """An fsspec file whose reads are retried and whose network failures are ``DataError``."""

    def __init__(self, inner: Any, url: str, timeout: float) -> None:
        super().__init__()
        self._inner = inner
        self._url = url
        self._timeout = timeout

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._inner.seek(offset, whence))

    def tell(self) -> int:
        return int(self._inner.tell())

    def read(self, size: int = -1) -> bytes:
        where = self._inner.tell()

        def once() -> bytes:
            self._inner.seek(where)
            return bytes(self._inner.read(size))

        return retrying(self._url, self._timeout, once)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


__all__ = ["RETRIES", "GuardedFile", "failure", "network_error", "retrying"]
