"""Where physcheck's file settings come from: ``physcheck.toml`` or ``[tool.physcheck]`` of
``pyproject.toml`` in the rootdir. Torch-free."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from physcheck.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_file_settings(rootdir: Path) -> dict[str, Any]:
    """The top level of ``physcheck.toml``, or ``[tool.physcheck]`` of ``pyproject.toml``.
    Both defining settings is an error (one of them would be ignored without a word)."""
    toml = rootdir / "physcheck.toml"
    pyproject = rootdir / "pyproject.toml"
    from_pyproject: dict[str, Any] | None = None
    if pyproject.is_file():
        tool = _load_toml(pyproject).get("tool", {})
        section = tool.get("physcheck") if isinstance(tool, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(f"{pyproject}: [tool.physcheck] must be a table")
            from_pyproject = dict(section)
    if toml.is_file():
        if from_pyproject:
            raise ConfigError(
                f"both {toml.name} and [tool.physcheck] in {pyproject.name} hold physcheck settings "
                f"in {rootdir}; keep one of them"
            )
        return _load_toml(toml)
    return from_pyproject or {}


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text())
        return data
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read physcheck settings ({exc})") from None


__all__ = ["read_file_settings"]
