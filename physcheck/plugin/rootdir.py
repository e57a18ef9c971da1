"""The rootdir as the user meant it, when a physcheck option is written with a space.

pytest finds its rootdir and config file from the command line's positional arguments
*before* it loads plugins, so in ``pytest --physcheck-data /data/MHD_64`` the path reads as
a test path: the rootdir moves to the data's folder, the project's ``[tool.physcheck]`` and
``pyproject.toml`` are not found, and snapshots and caches would be written there. Once the
plugin is loaded the options parse correctly, and this hook recomputes the rootdir, config
file and conftest cut-off from the real positional arguments (``--physcheck-data=/path``
never had the problem).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest


def _determine_setup(
    config: pytest.Config, args: list[str]
) -> tuple[Path, Path | None, Any] | None:
    try:
        from _pytest.config.findpaths import determine_setup
    except ImportError:  # pragma: no cover - a pytest without it
        return None
    ns = config.known_args_namespace
    available: dict[str, Any] = {
        "inifile": getattr(ns, "inifilename", None),
        "override_ini": getattr(ns, "override_ini", None),
        "args": args,
        "rootdir_cmd_arg": getattr(ns, "rootdir", None) or None,
        "invocation_dir": config.invocation_params.dir,
        "config": config,
    }
    params = inspect.signature(determine_setup).parameters
    result: Any = determine_setup(**{k: v for k, v in available.items() if k in params})
    return result[0], result[1], result[2]


def option_values(config: pytest.Config) -> set[str]:
    """The values given to physcheck's options on the command line (e.g. the data path)."""
    from physcheck.config import SETTINGS

    values: set[str] = set()
    for setting in SETTINGS:
        if setting.option is None or setting.cli in ("disable", "enable"):
            continue
        given = getattr(config.known_args_namespace, setting.dest, None)
        for value in given if isinstance(given, list) else [given]:
            if isinstance(value, str):
                values.add(value)
    return values


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Recompute the rootdir, config file and conftest cut-off when a physcheck option's value
    was taken for a test path."""
    config = early_config
    raw = [str(a) for a in config.invocation_params.args]
    swallowed = option_values(config) & set(raw)
    if not swallowed:
        return
    ns = config.known_args_namespace
    args = [a for a in getattr(ns, "file_or_dir", []) or [] if a not in swallowed]
    setup = _determine_setup(config, args)
    if setup is None:
        return
    rootpath, inipath, inicfg = setup
    if rootpath == config.rootpath and inipath == config.inipath:
        return
    old_cut = {str(config.rootpath), str(config.inipath.parent) if config.inipath else None}
    # pytest keeps these privately; Config.rootpath / inipath / getini read them
    config._rootpath = rootpath
    config._inipath = inipath
    config._inicfg = inicfg
    config._parser.extra_info["rootdir"] = str(rootpath)
    config._parser.extra_info["inifile"] = str(inipath)
    if getattr(ns, "confcutdir", None) in old_cut:
        ns.confcutdir = str(inipath.parent if inipath is not None else rootpath)


__all__ = ["pytest_load_initial_conftests"]
