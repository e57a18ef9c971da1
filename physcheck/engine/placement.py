"""Where and in what precision a rollout runs: the model placed on the rollout's device and
dtype for the loop (and put back after), the precisions run with autocast, CUDA's TF32
switches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from physcheck.models.protocol import model_device, model_dtype

#: precisions a rollout runs in with autocast (float32 weights and state)
LOW_PRECISION = (torch.bfloat16, torch.float16)


@contextmanager
def placed(model: Any, device: torch.device, dtype: torch.dtype) -> Iterator[Any]:
    """Put the model on ``device``/``dtype`` for the block, then back where it was (where it
    says where it was).

    float32 -> float64 -> float32 is exact, so the round trip leaves weights bit-identical.
    """
    to = getattr(model, "to", None)
    before_dtype, before_device = model_dtype(model), model_device(model)
    # a model that does not say where it lives (no parameters, no ``device``) is placed anyway
    moved = callable(to) and (
        before_dtype != dtype or before_device is None or before_device != device
    )
    if moved and to is not None:
        result = to(device=device, dtype=dtype)
        model = result if result is not None else model
    try:
        yield model
    finally:
        if moved and callable(getattr(model, "to", None)):
            model.to(device=before_device or device, dtype=before_dtype or dtype)


@contextmanager
def tf32(allow: bool) -> Iterator[None]:
    """CUDA's TF32 switches (matrix products and cuDNN convolutions) set to ``allow``, restored
    on exit."""
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    before = (matmul.allow_tf32, cudnn.allow_tf32)
    matmul.allow_tf32 = cudnn.allow_tf32 = allow
    try:
        yield
    finally:
        matmul.allow_tf32, cudnn.allow_tf32 = before


__all__ = ["LOW_PRECISION", "placed", "tf32"]
