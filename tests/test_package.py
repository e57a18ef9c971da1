"""The package and its pytest plugin load without importing torch; every package lists its
public names in ``__all__`` (lazy ones through ``physcheck.lazy``, typed for IDEs)."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch  # imported once here: in-process pytester runs must not re-import torch

import physcheck


def test_plugin_import_does_not_import_torch() -> None:
    code = "import sys, physcheck, physcheck.plugin; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_markers_registered(pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--markers")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.gpu*", "*@pytest.mark.physics*", "*@pytest.mark.walrus*"]
    )


def test_gpu_marked_test_skips_with_reason_without_cuda(pytester) -> None:
    pytester.makepyfile("import pytest\n@pytest.mark.gpu\ndef test_on_gpu():\n    assert True\n")
    result = pytester.runpytest("-rs")
    if torch.cuda.is_available():
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(skipped=1)
        result.stdout.fnmatch_lines(["*no CUDA device*"])


# -- public names: __all__, dir() and the one lazy mechanism ----------------------------------
PACKAGE = Path(physcheck.__file__).parent
PACKAGES = sorted(
    ".".join(("physcheck", *p.parent.relative_to(PACKAGE).parts))
    for p in PACKAGE.rglob("__init__.py")
    if "weights" not in p.parts
)


def type_checking_names(module: ModuleType) -> set[str]:
    """The names imported under ``if TYPE_CHECKING:`` at a module's top level."""
    tree = ast.parse(Path(str(module.__file__)).read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.ImportFrom):
                    names |= {alias.asname or alias.name for alias in item.names}
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_every_package_lists_names_that_resolve_and_dir_shows(name: str) -> None:
    package = importlib.import_module(name)
    assert isinstance(package.__all__, list) and package.__all__, f"{name} has no __all__"
    missing = [n for n in package.__all__ if not hasattr(package, n)]
    assert not missing, f"{name}.__all__ names that do not resolve: {missing}"
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize("name", PACKAGES)
def test_lazy_names_are_typed_for_ides_and_type_checkers(name: str) -> None:
    package = importlib.import_module(name)
    table = getattr(package, "_LAZY", None)
    if table is None:
        assert "__getattr__" not in vars(package), f"{name}: lazy names without physcheck.lazy"
        return
    assert type_checking_names(package) == set(table), f"{name}: TYPE_CHECKING imports != _LAZY"
    assert set(package.__all__) <= set(table) | set(vars(package))
    assert set(table) <= set(dir(package))


def test_no_module_defines_its_own_lazy_lookup() -> None:
    own = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "lazy.py" and re.search(r"^def __getattr__", path.read_text(), re.M)
    ]
    assert not own, f"use physcheck.lazy.lazy_attributes instead: {own}"


def test_every_assertion_helper_is_a_package_name() -> None:
    from physcheck.checks import assertions

    helpers = {n for n, v in vars(assertions).items() if n.startswith("assert_") and callable(v)}
    assert helpers <= set(physcheck.__all__)
    assert physcheck.strategies.__name__ == "physcheck.strategies"  # reachable, not starred
    assert "strategies" not in physcheck.__all__ and "strategies" in dir(physcheck)


def test_a_lazy_name_loads_on_first_access_only() -> None:
    code = (
        "import sys, physcheck; assert 'torch' not in sys.modules; "
        "assert 'rollout' in dir(physcheck) and 'torch' not in sys.modules; "
        "physcheck.rollout; assert 'torch' in sys.modules; "
        "assert 'rollout' in vars(physcheck)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
