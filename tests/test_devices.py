"""Device resolution: auto, explicit, and one GPU per pytest-xdist worker."""

from __future__ import annotations

import pytest
import torch

from physcheck.suite import resolve_device


def test_auto_and_explicit_devices() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu")


def test_each_xdist_worker_gets_its_own_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    for worker, index in ((0, 0), (1, 1), (5, 1)):
        assert resolve_device("cuda", worker=worker) == torch.device(f"cuda:{index}")
        assert resolve_device("auto", worker=worker) == torch.device(f"cuda:{index}")
    assert resolve_device("cuda:3", worker=2) == torch.device("cuda:3")  # an explicit GPU is kept
    assert resolve_device("cuda") == torch.device("cuda")


def test_worker_index_comes_from_the_xdist_worker_id() -> None:
    from types import SimpleNamespace

    from physcheck.plugin.xdist import worker_index

    assert worker_index(SimpleNamespace(workerinput={"workerid": "gw3"})) == 3  # type: ignore[arg-type]
    assert worker_index(SimpleNamespace()) is None  # type: ignore[arg-type]
