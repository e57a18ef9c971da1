"""Exports that cannot be written: an unwritable target, a disk too small for the export and
a disk that fills up midway are each one usage line naming the file and the reason, and no
temporary file is left behind."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

from tests.reliability.test_catalogue import assert_usage_error, run

EXPORT = ["--physcheck-model", "p=persistence", "--physcheck-no-cache", "--physcheck-checks", "finite"]


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_an_unwritable_target_is_one_line_and_leaves_no_temporary_file(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "blocker").write_text("a regular file, not a folder")
    result = run(pytester, *EXPORT, "--physcheck-export", "blocker/out")
    assert_usage_error(result, "blocker/out/p.hdf5: cannot be written")
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert not leftovers(pytester.path)


def test_a_disk_without_room_refuses_before_rolling_out(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = shutil.disk_usage(pytester.path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage._replace(free=1024))
    result = run(pytester, *EXPORT, "--physcheck-export", "out")
    assert_usage_error(result, "out/p.hdf5: cannot be written: it needs about", "1.0 KiB free")
    assert "rolling out" not in result.stdout.str() + result.stderr.str()
    assert not (pytester.path / "out" / "p.hdf5").exists() and not leftovers(pytester.path)


def full_disk(*_: Any, **__: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("fmt", ["hdf5", "npz", "pt"])
def test_a_disk_that_fills_up_midway_is_one_line_and_leaves_no_temporary_file(
    fmt: str, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fmt == "hdf5":  # the second frame's write fails
        calls = {"n": 0}
        original = h5py.Dataset.__setitem__

        def write(self: Any, key: Any, value: Any) -> None:
            calls["n"] += 1
            if calls["n"] > 1:
                full_disk()
            original(self, key, value)

        monkeypatch.setattr(h5py.Dataset, "__setitem__", write)
    elif fmt == "npz":  # some bytes reach the file, then the disk is full

        def savez(handle: Any, **_: Any) -> None:
            handle.write(b"PK" * 1000)
            full_disk()

        monkeypatch.setattr(np, "savez", savez)
    else:
        import torch

        def save(obj: Any, target: Any) -> None:
            Path(target).write_bytes(b"\0" * 1000)
            raise RuntimeError("[enforce fail at inline_container.cc:603] . PytorchStreamWriter failed writing file data/0: file write failed")

        monkeypatch.setattr(torch, "save", save)
    result = run(
        pytester, *EXPORT, "--physcheck-export", "out", "--physcheck-export-format", fmt
    )
    reason = "no space left on the device" if fmt != "pt" else "file write failed"
    assert_usage_error(result, f"out/p.{fmt}: cannot be written", reason)
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert not (pytester.path / "out" / f"p.{fmt}").exists() and not leftovers(pytester.path)
