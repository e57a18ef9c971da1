"""Where physcheck's file settings come from: ``physcheck.toml`` or ``[tool.physcheck]`` of
``pyproject.toml`` in the rootdir, and the rootdir of a command run without pytest (found as
pytest finds it, so that ``physcheck export`` reads the settings a pytest run reads).
Torch-free."""

from __future__ import annotations

import configparser
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


#: pytest's configuration files, in the order it looks for them in each folder
PYTEST_CONFIG_FILES = (
    "pytest.toml",
    ".pytest.toml",
    "pytest.ini",
    ".pytest.ini",
    "pyproject.toml",
    "tox.ini",
    "setup.cfg",
)


def _configures_pytest(path: Path) -> bool:
    """Whether pytest takes ``path`` for its configuration file: a ``pytest.*`` file, or
    ``pyproject.toml`` / ``tox.ini`` / ``setup.cfg`` with a pytest section."""
    if path.name in ("pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml"):
        return True
    try:
        if path.suffix == ".toml":
            tool = tomllib.loads(path.read_text()).get("tool", {})
            return isinstance(tool, dict) and ("pytest" in tool)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, configparser.Error):
        return False
    return parser.has_section("pytest" if path.name == "tox.ini" else "tool:pytest")


def find_rootdir(start: Path) -> Path:
    """The rootdir pytest would take when invoked in ``start`` without path arguments: the
    nearest folder (``start`` or above) holding a pytest configuration file; else the nearest
    holding ``pyproject.toml``; else the nearest holding ``setup.py``; else ``start``."""
    folders = (start, *start.parents)
    for folder in folders:
        if any(_configures_pytest(folder / n) for n in PYTEST_CONFIG_FILES if (folder / n).is_file()):
            return folder
    for marker in ("pyproject.toml", "setup.py"):
        for folder in folders:
            if (folder / marker).is_file():
                return folder
    return start


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text())
        return data
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read physcheck settings ({exc})") from None


__all__ = ["PYTEST_CONFIG_FILES", "find_rootdir", "read_file_settings"]
