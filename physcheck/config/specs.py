"""Model specs as a user writes them (``NAME=SPEC``), parsed once into a ``ModelSpec``.

``SPEC`` is ``reference`` (the solver oracle), ``demo`` (the shipped demo surrogate),
``persistence`` or ``climatology`` (the do-nothing baselines),
``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]``, ``package.module:attr`` (a surrogate, a class or a
factory) or ``saved:PATH[,KEY=VALUE...]`` (rollouts computed elsewhere, ``SavedSpec``; what
``--physcheck-predictions NAME=PATH`` configures); ``+projection`` at the end projects every
predicted frame onto div B = 0. The kinds and their parsers are the rows of
``physcheck.config.model_kinds``.
Torch-free: the same rules serve the command line, the config file and
``physcheck.models.load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from physcheck.config.model_kinds import ModelTarget, parse_target
from physcheck.config.saved_spec import SAVED_HELP, SAVED_PREFIX, SavedSpec, parse_saved
from physcheck.errors import ConfigError, ModelSpecError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
PROJECTION_SUFFIX = "+projection"


@dataclass(frozen=True)
class ModelSpec:
    """A configured model: its short ``name`` (used in test ids), the ``spec`` string (without
    ``+projection``) and whether each predicted frame is projected onto div B = 0. The spec is
    parsed once, when the ``ModelSpec`` is made, into ``target`` (kind and arguments);
    ``ModelSpecError`` if it is malformed."""

    name: str
    spec: str
    projection: bool = False
    target: ModelTarget = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        target = parse_target(self.spec)
        object.__setattr__(self, "spec", target.text)
        object.__setattr__(self, "target", target)

    @property
    def kind(self) -> str:
        """The spec's kind: ``reference``, ``demo``, ``persistence``, ``climatology``,
        ``walrus``, ``saved`` or ``attribute`` (a ``package.module:attr``); a key of
        ``physcheck.config.model_kinds.MODEL_KINDS``."""
        return self.target.kind

    @property
    def arguments(self) -> Any:
        """What the spec says besides its kind (e.g. a ``SavedSpec``; ``None`` for a bare word)."""
        return self.target.arguments

    @property
    def text(self) -> str:
        """The spec as written, ``+projection`` included."""
        return self.spec + (PROJECTION_SUFFIX if self.projection else "")


def check_target(spec: str) -> str:
    """``spec`` (stripped) if it is a well-formed model target, else ``ModelSpecError``."""
    return parse_target(spec).text


def parse_model(text: str) -> ModelSpec:
    """``NAME=SPEC`` (or a bare ``reference``/``demo``, named after itself) -> ``ModelSpec``;
    ``ConfigError`` saying how to write it otherwise."""
    name, sep, spec = text.partition("=")
    if not sep:
        name, spec = text, text
    name, spec = name.strip(), spec.strip()
    if not name or not NAME_PATTERN.match(name):
        raise ConfigError(
            f"bad model name in {text!r}: use NAME=SPEC with NAME made of letters, digits, '_', '-' or '.'"
        )
    if not spec:
        raise ConfigError(
            f"model {name!r} has an empty spec: use NAME=SPEC, e.g. demo=demo or ckpt=walrus:cfg.yaml:ckpt.pt"
        )
    projection = spec.endswith(PROJECTION_SUFFIX)
    if projection:
        spec = spec[: -len(PROJECTION_SUFFIX)]
    try:
        return ModelSpec(name, spec, projection)
    except ModelSpecError as exc:
        raise ConfigError(f"model {name!r}: {exc}") from None


__all__ = [
    "ModelSpec",
    "ModelTarget",
    "PROJECTION_SUFFIX",
    "SAVED_HELP",
    "SAVED_PREFIX",
    "SavedSpec",
    "check_target",
    "parse_model",
    "parse_saved",
]
