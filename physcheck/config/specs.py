"""Model specs as a user writes them (``NAME=SPEC``), parsed once into a ``ModelSpec``.

``SPEC`` is ``reference`` (the solver oracle), ``demo`` (the shipped demo surrogate),
``persistence`` or ``climatology`` (the do-nothing baselines),
``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]`` or ``package.module:attr`` (a surrogate, a class or a
factory); ``+projection`` at the end projects every predicted frame onto div B = 0.
Torch-free: the same rules serve the command line, the config file and
``physcheck.models.load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from physcheck.errors import ConfigError, ModelSpecError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
PROJECTION_SUFFIX = "+projection"
BUILTIN_MODELS = ("reference", "demo", "persistence", "climatology")
SPEC_HELP = (
    "use reference, demo, persistence, climatology, walrus:CONFIG.yaml:CHECKPOINT.pt or "
    "package.module:attr"
)


@dataclass(frozen=True)
class ModelSpec:
    """A configured model: its short ``name`` (used in test ids), the ``spec`` string (without
    ``+projection``) and whether each predicted frame is projected onto div B = 0."""

    name: str
    spec: str
    projection: bool = False

    @property
    def kind(self) -> str:
        """``reference``, ``demo``, ``persistence``, ``climatology``, ``walrus`` or ``attribute``
        (a ``package.module:attr``)."""
        if self.spec in BUILTIN_MODELS:
            return self.spec
        return "walrus" if self.spec.startswith("walrus:") else "attribute"

    @property
    def text(self) -> str:
        """The spec as written, ``+projection`` included."""
        return self.spec + (PROJECTION_SUFFIX if self.projection else "")


def check_target(spec: str) -> str:
    """``spec`` (stripped) if it is a well-formed model target, else ``ModelSpecError``."""
    spec = spec.strip()
    if not spec:
        raise ModelSpecError(f"empty model spec; {SPEC_HELP}")
    if spec in BUILTIN_MODELS:
        return spec
    if spec.startswith("walrus:"):
        parts = spec.split(":")
        if len(parts) not in (3, 4) or not all(parts[1:]):
            raise ModelSpecError(
                f"bad walrus spec {spec!r}: use walrus:CONFIG.yaml:CHECKPOINT.pt "
                "(or walrus:CONFIG.yaml:CHECKPOINT.pt:FIELD_MAP.yaml for a checkpoint with its own field map)"
            )
        return spec
    module, sep, attr = spec.partition(":")
    if not sep or not module.strip() or not attr.strip():
        raise ModelSpecError(f"unknown model spec {spec!r}; {SPEC_HELP}")
    return spec


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
        spec = check_target(spec)
    except ModelSpecError as exc:
        raise ConfigError(f"model {name!r}: {exc}") from None
    return ModelSpec(name, spec, projection)


__all__ = ["ModelSpec", "PROJECTION_SUFFIX", "check_target", "parse_model"]
