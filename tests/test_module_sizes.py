"""Every module of physcheck is short (at most 400 lines), and the packages split into one
module per job import none of each other's private names (read with ``ast``, nothing
imported)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import physcheck

PACKAGE = Path(physcheck.__file__).parent
LIMIT = 400
#: modules split into one module per job: none reaches into another's private names
SPLIT = [
    "engine",
    "checks/measures",
    "data/manifest",
    "data/well",
    "data/remote.py",
    "data/network.py",
    "report/figures",
    "sim/solver",
]


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text().splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 100  # the walk found the package
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}


def split_modules() -> list[Path]:
    paths: list[Path] = []
    for entry in SPLIT:
        target = PACKAGE / entry
        paths += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return paths


@pytest.mark.parametrize("path", split_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_split_modules_import_no_private_names_nor_reach_into_private_attributes(
    path: Path,
) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            assert not private, f"{path.name} imports {private} from {node.module}"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            assert isinstance(owner, ast.Name) and owner.id == "self", (
                f"{path.name}:{node.lineno} reads {node.attr} of another object"
            )
