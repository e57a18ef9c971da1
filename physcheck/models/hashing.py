"""Content hashes of models, for the rollout cache's keys."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import torch


def model_hash(model: Any, spec: str | None = None) -> str:
    """A short content hash: the spec and the class name, the model's ``identity()`` where it
    has one, and the bytes of its ``checkpoint_path`` file or, for an ``nn.Module``, of its
    parameters and buffers."""
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


__all__ = ["model_hash"]
