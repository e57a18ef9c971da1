"""Networks fail: a stalling server, a connection dropped mid-response, a refused port, a host
name that does not resolve and HTTP errors are each one ``DataError`` line that says which
failure it was (never minutes of silence or a traceback); ``file://`` URLs are local paths; a
remote file's identity sees changed content of the same size."""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip(
    "aiohttp", reason="fsspec's http protocol needs aiohttp (the test extra has it)"
)

from physcheck.data import open_dataset  # noqa: E402
from physcheck.data.remote import RemoteFile, find_remote_files  # noqa: E402
from physcheck.datasets import dataset_dir  # noqa: E402
from physcheck.errors import DataError  # noqa: E402
from tests.data.test_remote import RangeHandler  # noqa: E402
from tests.reliability.test_catalogue import FAST as FAST_ARGS  # noqa: E402
from tests.reliability.test_catalogue import assert_usage_error, run  # noqa: E402

TIMEOUT = 2.0


def serve(root: Path, handler: type[http.server.BaseHTTPRequestHandler]) -> tuple[str, http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: handler(*a, directory=str(root), **k)  # type: ignore[call-arg]
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(
        dataset_dir("smoke"),
        root / "smoke",
        ignore=shutil.ignore_patterns("train", "valid", "*.lock"),
    )
    return root


RELEASE = threading.Event()


class StallingHandler(RangeHandler):
    """Accepts the connection, then says nothing for much longer than the timeout."""

    def do_GET(self) -> None:
        RELEASE.wait(30)

    do_HEAD = do_GET


class DroppingHandler(RangeHandler):
    """Lists and answers HEAD like a good server, but closes each file body halfway."""

    def do_GET(self) -> None:
        if "Range" not in self.headers and not self.path.endswith(".hdf5"):
            super().do_GET()
            return
        path = Path(self.translate_path(self.path))
        size = path.stat().st_size
        self.send_response(206 if "Range" in self.headers else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Range", f"bytes 0-{size - 1}/{size}")
        self.end_headers()
        self.wfile.write(path.read_bytes()[: size // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


class ForbiddenHandler(RangeHandler):
    def do_GET(self) -> None:
        self.send_error(403, "Forbidden")

    do_HEAD = do_GET


@pytest.fixture()
def stalling(www: Path) -> Iterator[str]:
    RELEASE.clear()
    url, server = serve(www, StallingHandler)
    yield url
    RELEASE.set()
    server.shutdown()


def test_a_stalling_server_is_one_line_within_the_timeout(stalling: str) -> None:
    started = time.monotonic()
    with pytest.raises(DataError, match=r"stalled \(no answer within 2 s") as caught:
        open_dataset(f"{stalling}/smoke", timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    assert "\n" not in str(caught.value) and "after 3 tries" in str(caught.value)
    assert elapsed < TIMEOUT * 3 + 6, elapsed  # three tries, not fsspec's 5 minutes


def test_a_connection_dropped_mid_response_is_one_line(www: Path) -> None:
    url, server = serve(www, DroppingHandler)
    try:
        with pytest.raises(DataError, match="dropped mid-response") as caught:
            open_dataset(f"{url}/smoke", timeout=TIMEOUT)
        assert "\n" not in str(caught.value) and "smoke_Ma" in str(caught.value)
    finally:
        server.shutdown()


def test_a_dropped_connection_under_pytest_is_a_usage_error(
    www: Path, pytester: pytest.Pytester
) -> None:
    url, server = serve(www, DroppingHandler)
    try:
        result = run(
            pytester,
            "--physcheck-model",
            "demo=demo",
            "--physcheck-data",
            f"{url}/smoke",
            "--physcheck-no-cache",
            "--physcheck-timeout",
            "2",
        )
    finally:
        server.shutdown()
    assert_usage_error(result, "cannot be read after 3 tries", "dropped mid-response")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_port_is_one_line_saying_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/smoke"
    with pytest.raises(DataError, match="connection was refused") as caught:
        open_dataset(url, timeout=TIMEOUT)
    assert "no .hdf5 files" not in str(caught.value)
    assert str(caught.value).startswith(url)


def test_an_unresolvable_host_is_one_line_saying_so() -> None:
    with pytest.raises(DataError, match=r"host name did not resolve \(DNS\)") as caught:
        open_dataset("http://nonexistent.invalid/smoke", timeout=TIMEOUT)
    assert "no .hdf5 files" not in str(caught.value)


def test_an_http_error_names_the_status_and_the_url_without_credentials(www: Path) -> None:
    url, server = serve(www, ForbiddenHandler)
    try:
        secret = url.replace("http://", "http://reader:hunter2@") + "/smoke"
        with pytest.raises(DataError, match="HTTP 403") as caught:
            open_dataset(secret, timeout=TIMEOUT)
    finally:
        server.shutdown()
    assert "hunter2" not in str(caught.value) and "127.0.0.1" in str(caught.value)


# -- file:// --------------------------------------------------------------------------------------
def test_a_file_url_is_a_local_path(www: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not where the data are: a relative reading would fail
    local = www / "smoke"
    data = open_dataset(f"file://{local}")
    assert data.n_trajectories == open_dataset(local).n_trajectories
    assert all(isinstance(f, Path) for f in data.files)


def test_a_file_url_works_as_data_and_as_predictions(www: Path, pytester: pytest.Pytester) -> None:
    local = www / "smoke"
    exported = run(
        pytester,
        "--physcheck-model",
        "demo=demo",
        "--physcheck-data",
        f"file://{local}",
        "--physcheck-checks",
        "finite",
        "--physcheck-window",
        "3:3:6",
        "--physcheck-no-cache",
        "--physcheck-export",
        f"file://{pytester.path / 'out'}",
    )
    assert exported.ret in (0, pytest.ExitCode.NO_TESTS_COLLECTED), exported.stderr.str()
    assert "file:" not in exported.stdout.str().split("exported demo: ", 1)[1].split()[0]
    written = pytester.path / "out" / "demo.hdf5"
    assert written.is_file()
    gated = run(
        pytester,
        "--physcheck-predictions",
        f"demo=file://{written}",
        "--physcheck-data",
        f"file://{local}",
        "--physcheck-checks",
        "finite",
        "--physcheck-window",
        "3:3:6",
        "--physcheck-no-cache",
    )
    assert gated.ret == 0, gated.stdout.str() + gated.stderr.str()


# -- identity -------------------------------------------------------------------------------------
def test_changed_content_of_the_same_size_changes_the_identity(www: Path) -> None:
    root = www / "ident"
    root.mkdir(exist_ok=True)
    target = root / "one.hdf5"
    body = bytearray(b"x" * (300 << 10))
    target.write_bytes(bytes(body))
    url, server = serve(www, RangeHandler)  # http.server sends no ETag
    try:
        (first,), _ = find_remote_files(f"{url}/ident/one.hdf5", None, timeout=TIMEOUT)
        assert not first.etag
        before = first.identity()
        body[len(body) // 2] ^= 0xFF  # a byte of the middle block, same size
        target.write_bytes(bytes(body))
        (second,), _ = find_remote_files(f"{url}/ident/one.hdf5", None, timeout=TIMEOUT)
        after = second.identity()
    finally:
        server.shutdown()
    assert first.size == second.size
    assert before != after


def test_an_etag_is_the_identity_where_the_server_gives_one() -> None:
    a = RemoteFile("http://host/d/one.hdf5", 10, etag='"v1"')
    b = RemoteFile("http://host/d/one.hdf5", 10, etag='"v2"')
    assert a.identity() != b.identity() and a.identity()[-1] == 'etag:"v1"'


def test_the_timeout_setting_is_a_positive_number_of_seconds() -> None:
    from physcheck.config import build_settings
    from physcheck.errors import ConfigError

    assert build_settings({}, {}).timeout == 60.0
    assert build_settings({"timeout": 5}, {}).timeout == 5.0
    assert build_settings({"timeout": 5}, {"timeout": "2.5"}).timeout == 2.5
    for bad in ("0", "-1", "soon"):
        with pytest.raises(ConfigError, match="timeout"):
            build_settings({}, {"timeout": bad})


DROP_NOW = threading.Event()


class LaterDroppingHandler(DroppingHandler):
    """A good server until ``DROP_NOW`` is set, then one that drops every file body halfway:
    the data opens and is checked, and the connection drops while the items read frames."""

    def do_GET(self) -> None:
        if DROP_NOW.is_set():
            super().do_GET()
        else:
            RangeHandler.do_GET(self)

    def do_HEAD(self) -> None:
        RangeHandler.do_HEAD(self)


class DropAfterCollection:
    """A pytest plugin that cuts the connection once the session has opened the data."""

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        DROP_NOW.set()


def test_a_connection_dropped_while_items_read_frames_fails_them_in_one_line(
    www: Path, pytester: pytest.Pytester
) -> None:
    DROP_NOW.clear()
    url, server = serve(www, LaterDroppingHandler)
    try:
        result = pytester.runpytest(
            *FAST_ARGS,
            "--physcheck-model",
            "oracle=reference",
            "--physcheck-data",
            f"{url}/smoke",
            "--physcheck-no-cache",
            "--physcheck-timeout",
            "2",
            "--physcheck-checks",
            "finite",
            plugins=[DropAfterCollection()],
        )
    finally:
        DROP_NOW.clear()
        server.shutdown()
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, out[-3000:]
    assert "INTERNALERROR" not in out and "Traceback" not in out, out[-3000:]
    assert "cannot be read after 3 tries: the connection dropped mid-response" in out, out[-3000:]



def test_each_cloud_client_gets_the_timeout_in_its_own_form(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from physcheck.data import remote

    http = remote._storage_options("https", 7.0)["client_kwargs"]["timeout"]
    assert (http.connect, http.sock_read, http.total) == (7.0, 7.0, None)
    assert remote._storage_options("s3", 7.0) == {
        "config_kwargs": {"connect_timeout": 7.0, "read_timeout": 7.0}
    }
    gcs = remote._storage_options("gs", 7.0)
    assert gcs["requests_timeout"] == 7.0 and gcs["session_kwargs"]["timeout"].sock_read == 7.0
    # huggingface_hub reads its constants at each request: set them, and the environment for
    # an import that comes later
    constants = types.ModuleType("huggingface_hub.constants")
    monkeypatch.setitem(sys.modules, "huggingface_hub.constants", constants)
    for variable in remote.HF_TIMEOUT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(remote, "_USER_HF_TIMEOUTS", {"HF_HUB_ETAG_TIMEOUT": "3"})
    assert remote._storage_options("hf", 7.0) == {}
    assert constants.HF_HUB_DOWNLOAD_TIMEOUT == 7.0  # type: ignore[attr-defined]
    assert constants.HF_HUB_ETAG_TIMEOUT == 3.0  # the user's own setting wins  # type: ignore[attr-defined]
    import os

    assert os.environ["HF_HUB_DOWNLOAD_TIMEOUT"] == "7"
    assert remote._storage_options("abfs", 7.0) == {}
