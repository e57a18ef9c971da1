"""The plugin's command-line options and markers, built from the settings table, and the
settings of a pytest run (file settings from the rootdir, then the command line)."""

from __future__ import annotations

from typing import Any

import pytest

from physcheck.config import SETTINGS, Settings, build_settings, check_names, read_file_settings

MARKERS = {
    "gpu": "needs a CUDA device; skipped with the reason where none is available (select with -m gpu)",
    "physics": "a physics check of a surrogate's rollout (collected by physcheck)",
    "walrus": "needs Polymathic's walrus package; skipped with the reason where it is not importable",
    "physcheck_snapshot(rtol=None, atol=None, overrides=None)": "tolerances of physcheck_snapshot comparisons in this test",
}
#: where the run's ``Settings`` are kept on pytest's ``config.stash``
SETTINGS_KEY = pytest.StashKey[Settings]()


def add_options(parser: pytest.Parser) -> None:
    """One option per command-line setting of ``physcheck.config.SETTINGS``."""
    group = parser.getgroup("physcheck", "physics checks of neural PDE surrogates (physcheck)")
    for setting in SETTINGS:
        if setting.option is None:
            continue
        help_text = setting.help
        if setting.key == "checks":
            help_text = f"comma-separated subset of: {', '.join(check_names())}"
        kwargs: dict[str, Any] = {"dest": setting.dest, "help": help_text}
        if setting.cli == "append":
            kwargs.update(action="append", default=[], metavar=setting.metavar)
        elif setting.cli in ("disable", "enable"):
            kwargs.update(action="store_true", default=False)
        else:
            kwargs.update(metavar=setting.metavar)
        group.addoption(setting.option, **kwargs)


def command_line_values(config: pytest.Config) -> dict[str, Any]:
    """The settings given on the command line, keyed like the settings file."""
    return {
        setting.key: getattr(config.option, setting.dest, None)
        for setting in SETTINGS
        if setting.option is not None
    }


def settings_of(config: pytest.Config) -> Settings:
    """The run's settings: ``[tool.physcheck]`` (or ``physcheck.toml``) in the rootdir, then
    the command line, which wins. Raises ``ConfigError``."""
    return build_settings(read_file_settings(config.rootpath), command_line_values(config))


__all__ = ["MARKERS", "SETTINGS_KEY", "add_options", "command_line_values", "settings_of"]
