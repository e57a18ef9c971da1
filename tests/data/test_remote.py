"""Datasets behind fsspec URLs: a local HTTP server (with byte ranges, as object stores and
Hugging Face serve them) gives the same frames, statistics and check results as the local
files, and only the needed bytes travel."""

from __future__ import annotations

import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

pytest.importorskip(
    "aiohttp", reason="fsspec's http protocol needs aiohttp (the test extra has it)"
)

from physcheck.config import build_settings  # noqa: E402
from physcheck.data import EARLY, open_dataset  # noqa: E402
from physcheck.data.remote import RemoteFile  # noqa: E402
from physcheck.datasets import dataset_dir  # noqa: E402
from physcheck.errors import DataError  # noqa: E402
from physcheck.suite import Suite  # noqa: E402


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """``http.server`` plus single byte ranges (``Range: bytes=a-b``) and a byte counter."""

    served: list[int] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        handle = path.open("rb")
        handle.seek(start)
        body = handle.read(end - start + 1)
        handle.close()
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.served.append(len(body))
        import io

        return io.BytesIO(body)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("www")
    local = root / "smoke"
    shutil.copytree(
        dataset_dir("smoke"), local, ignore=shutil.ignore_patterns("train", "valid", "*.lock")
    )
    handler = lambda *a, **k: RangeHandler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/smoke", local
    server.shutdown()


def test_a_served_dataset_reads_like_the_local_one(served: tuple[str, Path]) -> None:
    url, local = served
    remote, here = open_dataset(url), open_dataset(local)
    assert all(isinstance(f, RemoteFile) for f in remote.files)
    assert [f.name for f in remote.files] == [f.name for f in here.files]
    assert remote.n_trajectories == here.n_trajectories and remote.parameters == here.parameters
    assert remote.stats == here.stats
    assert remote.solver_attributes(1) == here.solver_attributes(1)
    RangeHandler.served.clear()
    h_remote, t_remote = remote.read_window(1, EARLY, 3)
    h_here, t_here = here.read_window(1, EARLY, 3)
    assert torch.equal(h_remote, h_here) and torch.equal(t_remote, t_here)
    file_size = local.joinpath("data", "test", here.files[0].name).stat().st_size
    assert sum(RangeHandler.served) < file_size  # a window, not the file


def test_the_suite_gives_identical_results_from_http(served: tuple[str, Path]) -> None:
    url, local = served

    def results(data: str) -> list[dict[str, object]]:
        values = {
            "models": ["demo=demo"],
            "window": "3:12",
            "trajectories": "0,1",
            "perturbations": 1,
            "data": data,
        }
        suite = Suite(build_settings({"cache": False}, values))
        return [r.to_dict() for r in suite.results("demo")]

    assert results(url) == results(str(local))


def test_a_split_dir_and_a_single_file_url_work(served: tuple[str, Path]) -> None:
    url, _ = served
    assert open_dataset(f"{url}/data/test").n_trajectories == 2
    single = open_dataset(f"{url}/data/test/smoke_Ma_0.7_Ms_0.5.hdf5")
    assert single.n_trajectories == 2 and single.stats_path is not None


def test_a_missing_remote_path_is_one_clear_error(served: tuple[str, Path]) -> None:
    url, _ = served
    with pytest.raises(DataError, match="no such remote file"):
        open_dataset(f"{url}/data/test/nothing.hdf5")
    with pytest.raises(DataError, match=r"no \.hdf5 files"):
        open_dataset(f"{url}/nowhere")


def test_credentials_in_a_data_url_never_reach_an_output(
    served: tuple[str, Path], pytester: pytest.Pytester
) -> None:
    url, _ = served
    secret_url = url.replace("http://", "http://reader:hunter2@")
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--physcheck-model",
        "demo=demo",
        "--physcheck-data",
        secret_url,
        "--physcheck-window",
        "3:3:2",
        "--physcheck-trajectories",
        "0",
        "--physcheck-checks",
        "finite",
        "--physcheck-no-snapshot",
        "--physcheck-no-cache",
        "--physcheck-json",
        "out.json",
        "--junitxml",
        "out.xml",
    )
    assert result.ret == 0, result.stdout.str()
    outputs = {
        "terminal": result.stdout.str() + result.stderr.str(),
        "json": (pytester.path / "out.json").read_text(),
        "junit": (pytester.path / "out.xml").read_text(),
    }
    assert "127.0.0.1" in outputs["json"]  # the source is named ...
    for name, text in outputs.items():
        assert "hunter2" not in text, name  # ... without its password
