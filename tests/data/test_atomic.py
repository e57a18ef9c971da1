"""The one atomic-write helper: a temporary file in the target folder, renamed into place on
success, removed on failure, and a failed write as one line naming the file and the reason."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from physcheck.atomic import AtomicFile, atomic_write
from physcheck.errors import PhyscheckError, WriteError
from physcheck.jsonio import write_json


def test_the_file_appears_only_when_the_block_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    with atomic_write(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.endswith(".tmp")
        tmp.write_text("done")
        assert not target.exists()
    assert target.read_text() == "done" and list(target.parent.iterdir()) == [target]


def test_a_failed_write_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.npz"
    with pytest.raises(WriteError) as info, atomic_write(target) as tmp:
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(info.value) == (
        f"{target}: cannot be written (no space left on the device); free space or choose "
        "another folder"
    )
    assert info.value.strerror == "No space left on device"
    assert isinstance(info.value, PhyscheckError) and isinstance(info.value, OSError)
    assert list(tmp_path.iterdir()) == []


def test_other_errors_pass_through_and_leave_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyError), atomic_write(tmp_path / "x") as tmp:
        tmp.write_text("partial")
        raise KeyError("a bug")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(WriteError, match="blocker/out/x.json: cannot be written"):
        write_json(tmp_path / "blocker" / "out" / "x.json", {"a": 1})


def test_a_write_spanning_calls_commits_or_aborts(tmp_path: Path) -> None:
    kept, dropped = AtomicFile(tmp_path / "kept"), AtomicFile(tmp_path / "dropped")
    kept.tmp.write_text("1")
    dropped.tmp.write_text("2")
    assert kept.commit().read_text() == "1"
    dropped.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]
