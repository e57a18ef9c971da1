"""Device resolution: auto, explicit, and one GPU per pytest-xdist worker."""

from __future__ import annotations

import pytest
import torch

from physcheck.session import resolve_device


def test_auto_and_explicit_devices() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu")


def test_each_xdist_worker_gets_its_own_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    for worker, index in (("gw0", 0), ("gw1", 1), ("gw5", 1)):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        assert resolve_device("cuda") == torch.device(f"cuda:{index}")
        assert resolve_device("auto") == torch.device(f"cuda:{index}")
    assert resolve_device("cuda:3") == torch.device("cuda:3")  # an explicit GPU is kept
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert resolve_device("cuda") == torch.device("cuda")
