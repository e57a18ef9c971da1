"""Build a surrogate from a spec string a user can write on a command line or in config.

Specs:

- ``reference``: the isothermal MHD reference solver (exact oracle); needs ``data=``.
- ``demo``: the small learned surrogate shipped with physcheck (weights under ``fixtures/demo``).
- ``walrus:CONFIG.yaml:CHECKPOINT.pt``: Polymathic's Walrus from a Hydra config and checkpoint.
- ``package.module:attr``: a surrogate object, or a callable returning one (called with the
  options it accepts, e.g. ``data``).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from pathlib import Path
from typing import Any

from physcheck.models.protocol import ModelProtocolError, check_surrogate


class ModelSpecError(ValueError):
    """A model spec that cannot be turned into a surrogate; the message says why and how to fix it."""


def load(spec: str, **options: Any) -> Any:
    """The surrogate named by ``spec`` (see the module docstring). ``options``: ``data``
    (a ``WellData``), ``device``, and model-specific settings."""
    spec = spec.strip()
    if not spec:
        raise ModelSpecError(
            "empty model spec; use 'reference', 'demo', 'walrus:CONFIG.yaml:CHECKPOINT.pt' or 'package.module:attr'"
        )
    device = options.get("device", "cpu")
    if spec == "reference":
        from physcheck.models.reference import ReferenceSurrogate

        data = options.get("data")
        if data is None:
            raise ModelSpecError(
                "the 'reference' model needs the dataset (data=...) to read the solver settings from"
            )
        return ReferenceSurrogate.from_data(data, device=device)
    if spec == "demo":
        from physcheck.models.demo import load_demo

        return load_demo(device=device)
    if spec.startswith("walrus:"):
        parts = spec.split(":")
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise ModelSpecError(f"bad walrus spec {spec!r}: use walrus:CONFIG.yaml:CHECKPOINT.pt")
        from physcheck.models.walrus import load_walrus

        return load_walrus(parts[1], parts[2], device=device, data=options.get("data"))
    return _load_attribute(spec, options)


def _load_attribute(spec: str, options: dict[str, Any]) -> Any:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ModelSpecError(
            f"unknown model spec {spec!r}: use 'reference', 'demo', 'walrus:CONFIG.yaml:CHECKPOINT.pt' or 'package.module:attr'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelSpecError(
            f"model spec {spec!r}: cannot import {module_name!r} ({exc})"
        ) from None
    try:
        obj: Any = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise ModelSpecError(
            f"model spec {spec!r}: {module_name!r} has no attribute {attr!r}"
        ) from None
    if callable(obj) and not hasattr(obj, "step"):
        params = inspect.signature(obj).parameters
        accepts_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
        kwargs = {k: v for k, v in options.items() if accepts_all or k in params}
        obj = obj(**kwargs)
    try:
        return check_surrogate(obj, name=f"model spec {spec!r}")
    except ModelProtocolError as exc:
        raise ModelSpecError(str(exc)) from None


def model_hash(model: Any, spec: str | None = None) -> str:
    """A short content hash for cache keys: the weights' bytes for an ``nn.Module`` (or a
    model's ``identity()``/``checkpoint_path``), plus the spec and the class name."""
    import torch

    h = hashlib.sha256()
    h.update((spec or "").encode())
    h.update(type(model).__qualname__.encode())
    identity = getattr(model, "identity", None)
    if callable(identity):
        h.update(str(identity()).encode())
    checkpoint = getattr(model, "checkpoint_path", None)
    if checkpoint is not None and Path(checkpoint).is_file():
        with open(checkpoint, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 24), b""):
                h.update(block)
    elif isinstance(model, torch.nn.Module):
        for name, tensor in sorted(model.state_dict().items()):
            h.update(name.encode())
            h.update(tensor.detach().to("cpu").contiguous().numpy().tobytes())
    return h.hexdigest()[:16]
