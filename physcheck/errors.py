"""Every error physcheck raises on purpose, under one base class.

``PhyscheckError`` is what the pytest plugin and the command line turn into one line for the
user (``ERROR: physcheck: ...``); anything else is a bug. Each subclass also derives from the
builtin it refines (``ValueError``, ``TypeError``, ...), so ``except ValueError`` keeps working.
Messages are one line that says what is wrong and how to fix it.
"""

from __future__ import annotations


class PhyscheckError(Exception):
    """Base of the errors physcheck raises on purpose; ``str(error)`` is actionable by a user."""


class ConfigError(PhyscheckError, ValueError):
    """A setting that cannot be used; the message names it and says how to fix it."""


class DataError(PhyscheckError, ValueError):
    """Bad or missing input data; the message says what is wrong and what to do."""


class LayoutError(PhyscheckError, ValueError):
    """A field name is missing from, or inconsistent with, a state's channel layout."""


class ModelSpecError(PhyscheckError, ValueError):
    """A model spec that cannot be turned into a surrogate; the message says why and how to fix it."""


class ModelProtocolError(PhyscheckError, TypeError):
    """An object does not follow the surrogate protocol; the message says what is missing."""


class RolloutError(PhyscheckError, RuntimeError):
    """A rollout could not run: wrong shapes from the model, or a non-finite frame under ``raise``."""


class ModelRunError(PhyscheckError, RuntimeError):
    """A model's rollout (or a check of it) raised: the message names the model, the error and
    where in the user's code it was raised; ``__cause__`` holds the original exception."""

    @classmethod
    def wrap(cls, model: str, exc: BaseException) -> ModelRunError:
        import traceback

        frames = traceback.extract_tb(exc.__traceback__)
        where = ""
        if frames:
            last = frames[-1]
            where = f" (at {last.filename}:{last.lineno}, in {last.name})"
        return cls(f"model {model!r} failed: {type(exc).__name__}: {exc}{where}")


class SimulationError(PhyscheckError, RuntimeError):
    """The reference solver cannot integrate the requested run (e.g. the time step is unstable)."""


class OptionalDependencyError(PhyscheckError, ImportError):
    """An optional dependency is missing or wrong; the message gives the install command."""


class ArgumentError(PhyscheckError, ValueError):
    """An argument of a library call that cannot be used (a tensor of the wrong shape, an
    unknown option); the message names it and says what is expected."""


class ArgumentTypeError(PhyscheckError, TypeError):
    """A value of a type physcheck cannot use (e.g. an object JSON cannot hold)."""


class UnknownNameError(PhyscheckError, KeyError):
    """A name (a data-set point, a split, a result) that is not known; the message lists the
    known ones. ``str()`` is the message itself, not ``KeyError``'s quoted repr."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MissingFileError(PhyscheckError, FileNotFoundError):
    """A file a spec or setting names does not exist; the message names it."""


class WriteError(PhyscheckError, OSError):
    """A file that cannot be written: ``str()`` is one line naming the file and the reason;
    ``errno``/``strerror`` are the operating system's (``physcheck.atomic``)."""

    def __init__(self, message: str, errno: int | None = None, strerror: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errno = errno
        self.strerror = strerror

    def __reduce__(self) -> tuple[type[WriteError], tuple[str, int | None, str | None]]:
        return type(self), (self.message, self.errno, self.strerror)

    def __str__(self) -> str:
        return self.message


__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "ConfigError",
    "DataError",
    "LayoutError",
    "MissingFileError",
    "ModelProtocolError",
    "ModelRunError",
    "ModelSpecError",
    "OptionalDependencyError",
    "PhyscheckError",
    "RolloutError",
    "SimulationError",
    "UnknownNameError",
    "WriteError",
]
