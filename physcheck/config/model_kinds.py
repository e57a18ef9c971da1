"""The kinds of model spec, one row each: how a spec of the kind is written, how its text is
parsed into arguments (once, when the spec is read) and which function loads it.

``parse_target(text)`` turns a spec into a ``ModelTarget`` (kind, arguments);
``physcheck.models.load`` calls the kind's ``loader`` with it. Torch-free: loaders are named
by ``module:function`` and imported only when a model is built.

Adding a model kind: its module (a loader ``from_spec(target, **options) -> Surrogate``) and
one ``ModelKind`` row in ``MODEL_KINDS`` (with a ``parse`` function when the spec carries
arguments after ``NAME:``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from physcheck.config.saved_spec import parse_saved
from physcheck.errors import ModelSpecError


@dataclass(frozen=True)
class ModelKind:
    """One kind of model spec: ``name`` (a bare word, or the ``name:`` prefix of specs with
    arguments), ``loader`` (``module:function`` called as ``function(target, **options)``),
    ``usage`` (how it is written, for messages) and ``parse`` (the whole spec text ->
    arguments, ``ModelSpecError`` when malformed; ``None``: the bare word, no arguments)."""

    name: str
    loader: str
    usage: str
    parse: Callable[[str], Any] | None = None

    def load_function(self) -> Callable[..., Any]:
        """The loader (imported on first use)."""
        module, _, function = self.loader.partition(":")
        return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ModelTarget:
    """A spec parsed once: its ``kind`` (a key of ``MODEL_KINDS``), the parsed ``arguments``
    and the spec ``text`` (stripped, without ``+projection``)."""

    kind: str
    arguments: Any
    text: str


class WalrusArguments(NamedTuple):
    """``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]``."""

    config: str
    checkpoint: str
    field_map: str | None


class AttributeArguments(NamedTuple):
    """``package.module:attr`` (``attr`` may be dotted)."""

    module: str
    attribute: str


def parse_walrus(spec: str) -> WalrusArguments:
    parts = spec.split(":")
    if len(parts) not in (3, 4) or not all(parts[1:]):
        raise ModelSpecError(
            f"bad walrus spec {spec!r}: use walrus:CONFIG.yaml:CHECKPOINT.pt "
            "(or walrus:CONFIG.yaml:CHECKPOINT.pt:FIELD_MAP.yaml for a checkpoint with its own field map)"
        )
    return WalrusArguments(parts[1], parts[2], parts[3] if len(parts) == 4 else None)


def parse_attribute(spec: str) -> AttributeArguments:
    module, sep, attr = spec.partition(":")
    if not sep or not module.strip() or not attr.strip():
        raise ModelSpecError(f"unknown model spec {spec!r}; {spec_help()}")
    return AttributeArguments(module, attr)


_MODELS = "physcheck.models"
#: every kind, in the order messages list them; ``FALLBACK`` is the kind of any other spec
MODEL_KINDS: dict[str, ModelKind] = {
    kind.name: kind
    for kind in (
        ModelKind("reference", f"{_MODELS}.reference:from_spec", "reference"),
        ModelKind("demo", f"{_MODELS}.demo:from_spec", "demo"),
        ModelKind("persistence", f"{_MODELS}.baselines:from_spec", "persistence"),
        ModelKind("climatology", f"{_MODELS}.baselines:from_spec", "climatology"),
        ModelKind(
            "walrus", f"{_MODELS}.walrus:from_spec", "walrus:CONFIG.yaml:CHECKPOINT.pt", parse_walrus
        ),
        ModelKind(
            "attribute", f"{_MODELS}.attribute:from_spec", "package.module:attr", parse_attribute
        ),
        ModelKind("saved", f"{_MODELS}.saved:from_spec", "saved:PATH", parse_saved),
    )
}
FALLBACK = "attribute"


def spec_help() -> str:
    """``use A, B, ... or Z``: how each kind is written."""
    usages = [kind.usage for kind in MODEL_KINDS.values()]
    return f"use {', '.join(usages[:-1])} or {usages[-1]}"


def kind_of(spec: str) -> ModelKind:
    """The kind of a (stripped, non-empty) spec: a bare word, a ``NAME:`` prefix, else the
    fallback (``package.module:attr``)."""
    kind = MODEL_KINDS.get(spec)
    if kind is not None and kind.parse is None:
        return kind
    prefix = spec.partition(":")[0]
    kind = MODEL_KINDS.get(prefix)
    if kind is not None and kind.parse is not None and kind.name != FALLBACK and ":" in spec:
        return kind
    return MODEL_KINDS[FALLBACK]


def parse_target(spec: str) -> ModelTarget:
    """``spec`` parsed once into its kind and arguments; ``ModelSpecError`` saying how to write
    it otherwise."""
    spec = spec.strip()
    if not spec:
        raise ModelSpecError(f"empty model spec; {spec_help()}")
    kind = kind_of(spec)
    return ModelTarget(kind.name, kind.parse(spec) if kind.parse is not None else None, spec)


__all__ = [
    "FALLBACK",
    "MODEL_KINDS",
    "AttributeArguments",
    "ModelKind",
    "ModelTarget",
    "WalrusArguments",
    "kind_of",
    "parse_target",
    "spec_help",
]
