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
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    """Recompute the rootdir, config file, ``addopts`` and conftest cut-off when a physcheck
    option's value was taken for a test path."""
    config = early_config
    raw = [str(a) for a in config.invocation_params.args]
    swallowed = option_values(config) & set(raw)
    if not swallowed:
        return
    ns = config.known_args_namespace
    paths = [a for a in getattr(ns, "file_or_dir", []) or [] if a not in swallowed]
    setup = _determine_setup(config, paths)
    if setup is None:
        return
    rootpath, inipath, inicfg = setup
    if rootpath == config.rootpath and inipath == config.inipath:
        return
    old_cut = {str(config.rootpath), str(config.inipath.parent) if config.inipath else None}
    confcutdir = getattr(ns, "confcutdir", None)
    wrong_addopts = list(config.getini("addopts"))
    # pytest keeps these privately; Config.rootpath / inipath / getini read them
    config._rootpath = rootpath
    config._inipath = inipath
    config._inicfg = inicfg
    config._inicache.clear()
    config._parser.extra_info["rootdir"] = str(rootpath)
    config._parser.extra_info["inifile"] = str(inipath)
    _replace_addopts(config, args, wrong_addopts)
    ns = config.known_args_namespace
    if confcutdir in old_cut or confcutdir is None:
        ns.confcutdir = str(inipath.parent if inipath is not None else rootpath)
    else:
        ns.confcutdir = confcutdir


def _replace_addopts(config: pytest.Config, args: list[str], wrong: list[str]) -> None:
    """Take the ``addopts`` of the config file pytest found by mistake (the data's project: a
    ``--co`` there would turn a failing gate green) off the front of ``args``, put the right
    file's in their place, and parse the early options again."""
    import copy

    if wrong and args[: len(wrong)] == wrong:
        del args[: len(wrong)]
    right = list(config.getini("addopts"))
    args[:0] = right
    config.known_args_namespace = config._parser.parse_known_args(
        args, namespace=copy.copy(config.option)
    )


__all__ = ["pytest_load_initial_conftests"]
