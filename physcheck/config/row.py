"""What one row of the settings table (``physcheck.config.table.SETTINGS``) says about a
setting: its file key, command-line option and help, how its raw value is parsed, which
``Settings`` field it fills and how the results file shows it. Torch-free."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

CliKind = Literal["value", "append", "disable", "enable"]


def same(value: Any) -> Any:
    """A value shown in the results file as it is."""
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: ``key`` in the config file, ``option`` on the command line (``None``: file
    only), ``cli`` how the option is given (``value``; ``append``: repeatable; ``disable``: a
    ``--physcheck-no-...`` flag that sets the key to false; ``enable``: a flag that sets it
    true), ``parse`` raw -> typed value, ``default`` (raw, before parsing), ``help``.

    ``field``: the ``Settings`` field the value fills (``""``: the key; dotted for a nested
    field, ``diagnostics.noise_eps``; ``None``: an input of another field, e.g. the saved
    rollouts that join ``models``); ``show``: how ``Settings.summary`` shows the value
    (``None``: not shown); ``combine``: how a command-line value joins the file's (by default
    it replaces it)."""

    key: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    option: str | None = None
    metavar: str | None = None
    cli: CliKind = "value"
    file: bool = True
    field: str | None = ""
    show: Callable[[Any], Any] | None = None
    combine: Callable[[Any, Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.field == "":
            object.__setattr__(self, "field", self.key)

    @property
    def dest(self) -> str:
        """The attribute name of the option on pytest's ``config.option``."""
        assert self.option is not None
        return self.option.lstrip("-").replace("-", "_")

    def value(self, file_settings: Mapping[str, Any], cli: Mapping[str, Any]) -> Any:
        """The typed value: the file's (or the default), unless the command line gives one
        (``None``, empty or false = not given); ``None`` when neither does and the default is
        ``None``."""
        raw = file_settings.get(self.key, self.default) if self.file else self.default
        given = cli.get(self.key)
        if self.combine is not None:
            if given:
                raw = self.combine(raw, given)
        elif self.cli == "disable" and given:
            raw = False
        elif self.cli == "enable" and given:
            raw = True
        elif self.cli in ("value", "append") and given_on_command_line(given):
            raw = given
        return None if raw is None else self.parse(raw)


def given_on_command_line(value: Any) -> bool:
    """Whether a command-line value was given (``None``, empty and false are not)."""
    return value not in (None, [], (), False)


__all__ = ["CliKind", "Setting", "given_on_command_line", "same"]
