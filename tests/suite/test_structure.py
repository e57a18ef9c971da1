"""The suite's modules: each short, none importing another's private names, no import cycle
among them (read from their source with ``ast``, nothing imported)."""

from __future__ import annotations

import ast
from pathlib import Path

import physcheck
import physcheck.suite

PACKAGE = Path(physcheck.__file__).parent
SUITE = Path(physcheck.suite.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names imported from it)`` of each import statement in ``path``."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


def test_no_suite_module_is_over_400_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in SUITE.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_no_suite_module_imports_private_names_or_reaches_into_private_attributes() -> None:
    for path in SUITE.glob("*.py"):
        for module, names in imports(path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.name} imports {private} from {module}"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                assert isinstance(owner, ast.Name) and owner.id == "self", (
                    f"{path.name}:{node.lineno} reads {node.attr} of another object"
                )


def test_nothing_imports_the_suites_private_names() -> None:
    for path in PACKAGE.rglob("*.py"):
        for module, names in imports(path):
            if module.startswith("physcheck.suite"):
                assert not [n for n in names if n.startswith("_")], f"{path} imports from {module}"


def test_the_suites_modules_import_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in SUITE.glob("*.py"):
        name = module_name(path)
        graph[name] = set()
        for module, names in imports(path):
            targets = [module] + [f"{module}.{n}" for n in names]
            graph[name].update(t for t in targets if t.startswith("physcheck.suite.") and (SUITE / f"{t.rsplit('.', 1)[-1]}.py").is_file())
    graph.pop("physcheck.suite")  # the package re-exports the facade
    for start in graph:
        seen: set[str] = set()
        stack = list(graph[start])
        while stack:
            current = stack.pop()
            assert current != start, f"{start} imports itself through {sorted(seen)}"
            if current not in seen:
                seen.add(current)
                stack.extend(graph.get(current, ()))


def test_the_facade_is_what_the_package_exports() -> None:
    from physcheck.suite import Suite, Variant

    assert Suite.__module__ == "physcheck.suite.core"
    assert Variant.__module__ == "physcheck.suite.variant"
