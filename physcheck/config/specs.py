"""Model specs as a user writes them (``NAME=SPEC``), parsed once into a ``ModelSpec``.

``SPEC`` is ``reference`` (the solver oracle), ``demo`` (the shipped demo surrogate),
``persistence`` or ``climatology`` (the do-nothing baselines),
``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]``, ``package.module:attr`` (a surrogate, a class or a
factory) or ``saved:PATH[,KEY=VALUE...]`` (rollouts computed elsewhere, ``SavedSpec``; what
``--physcheck-predictions NAME=PATH`` configures); ``+projection`` at the end projects every
predicted frame onto div B = 0.
Torch-free: the same rules serve the command line, the config file and
``physcheck.models.load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from physcheck.errors import ConfigError, ModelSpecError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
PROJECTION_SUFFIX = "+projection"
BUILTIN_MODELS = ("reference", "demo", "persistence", "climatology")
SAVED_PREFIX = "saved:"
SPEC_HELP = (
    "use reference, demo, persistence, climatology, walrus:CONFIG.yaml:CHECKPOINT.pt, "
    "package.module:attr or saved:PATH"
)
SAVED_HELP = (
    "write NAME=PATH[,start=N][,trajectories=0-3|0:2:5][,history=T][,VARIANT=PATH...] where "
    "VARIANT is float64, noiseN, equivariance:TRANSFORM or orbit:TRANSFORM"
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
        if self.spec.startswith(SAVED_PREFIX):
            return "saved"
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
    if spec.startswith(SAVED_PREFIX):
        parse_saved(spec)
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


@dataclass(frozen=True)
class SavedSpec:
    """Where a model's saved rollouts are: the file of the base rollout (``path``), what it
    covers when the file does not record it (``start``: the index of the first predicted frame
    in its trajectory; ``trajectories``: the dataset index of each row; ``history``: the
    model's history length) and files of other rollouts (``variants``: ``float64``,
    ``noiseN``, ``equivariance:TRANSFORM``, ``orbit:TRANSFORM`` -> path)."""

    path: str
    start: int | None = None
    trajectories: tuple[int, ...] | None = None
    history: int | None = None
    variants: dict[str, str] = field(default_factory=dict)


def index_ranges(text: str, separator: str) -> list[int]:
    """The indices of ``text``: single indices and inclusive ``LOW-HIGH`` ranges joined by
    ``separator`` (``0,2,5``, ``0-3``, ``0-2:7``); ``ValueError`` naming the bad part."""
    values: list[int] = []
    for part in text.split(separator):
        low, dash, high = part.partition("-")
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise ValueError(f"{part.strip()!r} is neither an index nor a LOW-HIGH range") from None
        if last < first:
            raise ValueError(f"the range {part.strip()} is empty (write LOW-HIGH)")
        values.extend(range(first, last + 1))
    return values


def parse_saved(spec: str) -> SavedSpec:
    """``saved:PATH[,KEY=VALUE...]`` -> ``SavedSpec`` (``ModelSpecError`` saying how to write it)."""
    body = spec[len(SAVED_PREFIX) :] if spec.startswith(SAVED_PREFIX) else spec
    path, *options = [p.strip() for p in body.split(",")]
    if not path:
        raise ModelSpecError(f"saved rollouts {spec!r} name no file; {SAVED_HELP}")
    start = trajectories = history = None
    variants: dict[str, str] = {}
    for option in options:
        key, sep, value = (p.strip() for p in option.partition("="))
        if not sep or not key or not value:
            raise ModelSpecError(f"bad option {option!r} of saved rollouts {path!r}; {SAVED_HELP}")
        if key in ("start", "history"):
            if not value.isdigit():
                raise ModelSpecError(f"saved rollouts {path!r}: {key} must be an integer, got {value!r}")
            if key == "start":
                start = int(value)
            else:
                history = int(value)
        elif key == "trajectories":
            try:
                trajectories = tuple(index_ranges(value, ":"))
            except ValueError as exc:
                raise ModelSpecError(
                    f"bad trajectory list {value!r} ({exc}): use 0-3 or 0:2:5"
                ) from None
        elif key == "float64" or re.fullmatch(r"noise\d+", key) or key.startswith(
            ("equivariance:", "orbit:")
        ):
            variants[key] = value
        else:
            raise ModelSpecError(f"unknown option {key!r} of saved rollouts {path!r}; {SAVED_HELP}")
    return SavedSpec(path, start, trajectories, history, variants)


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


__all__ = [
    "ModelSpec",
    "PROJECTION_SUFFIX",
    "SAVED_PREFIX",
    "SavedSpec",
    "check_target",
    "parse_model",
    "parse_saved",
]
