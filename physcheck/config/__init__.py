"""Configuration, parsed once into typed values (torch-free, so the plugin loads fast).

- ``table``: the table of every setting (file key, option, parser, the ``Settings`` field it
  fills), rows of ``row.Setting``; ``parsers``: how each raw value is parsed;
- ``settings``: ``Settings`` and ``build_settings`` (loops over the table);
- ``specs``: ``ModelSpec``, the one parser of ``NAME=SPEC`` model specs, over the kinds of
  ``model_kinds`` (``saved_spec``: the ``saved:PATH[,...]`` kind's arguments);
- ``thresholds``: ``Thresholds`` and ``DiagnosticSettings``;
- ``checks``: the catalogue of checks (names, summaries, figures) and ``register_check``;
- ``files``: reading ``physcheck.toml`` / ``[tool.physcheck]``.
"""

from physcheck.config.checks import CheckSpec, check_names, check_spec, register_check
from physcheck.config.files import read_file_settings
from physcheck.config.settings import DTYPES, SETTINGS, Setting, Settings, build_settings
from physcheck.config.specs import ModelSpec, parse_model
from physcheck.config.thresholds import DiagnosticSettings, Thresholds
from physcheck.errors import ConfigError

__all__ = [
    "DTYPES",
    "SETTINGS",
    "CheckSpec",
    "ConfigError",
    "DiagnosticSettings",
    "ModelSpec",
    "Setting",
    "Settings",
    "Thresholds",
    "build_settings",
    "check_names",
    "check_spec",
    "parse_model",
    "read_file_settings",
    "register_check",
]
