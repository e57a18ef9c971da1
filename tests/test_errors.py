"""Every exception physcheck raises on purpose derives from ``PhyscheckError`` (and still from
the builtin it refines); test-failure classes stay ``AssertionError``s."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import physcheck
from physcheck.errors import (
    ArgumentError,
    MissingFileError,
    PhyscheckError,
    SimulationError,
    UnknownNameError,
    WriteError,
)

PACKAGE = Path(physcheck.__file__).parent
#: modules that need an optional extra (or a pytest plugin context) to import
OPTIONAL = {"physcheck.strategies", "physcheck.demo_training"}
#: raises of a builtin exception that never reach a user: (module path, exception)
INTERNAL_RAISES = {
    ("config/saved_spec.py", "ValueError"),  # index_ranges: always turned into a ConfigError/ModelSpecError
    ("records/builder.py", "KeyError"),  # StreamedReference: a frame the engine no longer holds
    ("checks/assertions.py", "AssertionError"),  # a failing assert_<check>: a test failure
    ("data/network.py", "AssertionError"),  # unreachable
}
BUILTIN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if inspect.isclass(value) and issubclass(value, BaseException)
} - {"SystemExit", "KeyboardInterrupt", "AttributeError", "StopIteration"}


def physcheck_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages([str(PACKAGE)], "physcheck.")]
    return sorted(n for n in names if n not in OPTIONAL and not n.endswith("__main__"))


def test_no_user_reachable_raise_of_a_builtin_exception() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else None
                if name in BUILTIN_ERRORS and (relative, name) not in INTERNAL_RAISES:
                    found.append(f"{relative}:{node.lineno}: raise {name}")
    assert not found, "raise a PhyscheckError subclass instead:\n" + "\n".join(found)


def test_every_error_class_of_physcheck_derives_from_physcheck_error() -> None:
    classes = set()
    for name in physcheck_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__.startswith("physcheck")
                and not issubclass(value, (Warning, AssertionError))
            ):
                classes.add(value)
    assert {c.__name__ for c in classes} >= {"CFLError", "ConfigError", "WalrusUnavailable"}
    strays = sorted(c.__qualname__ for c in classes if not issubclass(c, PhyscheckError))
    assert not strays, f"not PhyscheckError subclasses: {strays}"


def test_test_failure_classes_stay_assertion_errors() -> None:
    from physcheck.plugin.items import PhysicsCheckFailed, SnapshotMismatch

    for cls in (PhysicsCheckFailed, SnapshotMismatch):
        assert issubclass(cls, AssertionError) and not issubclass(cls, PhyscheckError)


def test_the_solvers_cfl_error_is_a_simulation_error() -> None:
    from physcheck.sim.solver import CFLError

    assert issubclass(CFLError, SimulationError) and issubclass(CFLError, RuntimeError)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ArgumentError, ValueError),
        (UnknownNameError, KeyError),
        (MissingFileError, FileNotFoundError),
        (WriteError, OSError),
    ],
)
def test_new_errors_keep_their_builtin_base(cls: type[Exception], builtin: type[Exception]) -> None:
    assert issubclass(cls, PhyscheckError) and issubclass(cls, builtin)


def test_an_unknown_name_reads_as_its_message_not_a_quoted_key() -> None:
    assert str(UnknownNameError("smoke has no 'train' split")) == "smoke has no 'train' split"


def test_a_write_error_is_one_line_with_the_systems_reason() -> None:
    error = WriteError("out/p.npz: cannot be written (no space)", 28, "No space left on device")
    assert str(error) == "out/p.npz: cannot be written (no space)"
    assert (error.errno, error.strerror) == (28, "No space left on device")
