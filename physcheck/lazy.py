"""Lazy package attributes: the one way a physcheck package defers its imports.

A package lists ``{name: module}`` and its public names load on first access, so importing the
package (the pytest plugin does at start-up) imports no torch::

    _LAZY = {"WellData": "physcheck.data.well", "windows": "physcheck.data.windows"}
    __all__ = sorted(_LAZY)
    __getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

    if TYPE_CHECKING:  # what IDEs and type checkers see
        from physcheck.data import windows
        from physcheck.data.well import WellData

``table[name]`` is the module that defines ``name``, or the submodule ``package.name``
itself. ``dir(package)`` lists the lazy names with the loaded ones.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    package: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``: ``__getattr__`` imports
    ``table[name]`` on first access and caches the attribute in the package's namespace."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(table[name])
        value = module if module.__name__ == f"{package}.{name}" else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(table))

    return __getattr__, __dir__


__all__ = ["lazy_attributes"]
