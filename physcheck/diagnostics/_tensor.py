"""Tensor plumbing shared by the diagnostics: input conversion and axis bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from physcheck.errors import ArgumentError

#: dims of the three spatial axes of a channels-last field ``[..., X, Y, Z, C]``
FIELD_DIMS: tuple[int, int, int] = (-4, -3, -2)
#: dims of the three spatial axes of a scalar field ``[..., X, Y, Z]``
SCALAR_DIMS: tuple[int, int, int] = (-3, -2, -1)

Spacing = float | Sequence[float]


def as_tensor(x: Any, *, like: torch.Tensor | None = None) -> torch.Tensor:
    """``x`` as a torch tensor; tensors pass through untouched (device and dtype kept).

    numpy arrays keep their float precision; integer or boolean input becomes the
    default float dtype. With ``like``, the result is put on ``like``'s device and dtype.
    """
    if isinstance(x, torch.Tensor):
        tensor = x
    else:
        tensor = torch.as_tensor(np.asarray(x))
        if not (tensor.is_floating_point() or tensor.is_complex()):
            tensor = tensor.to(torch.get_default_dtype())
    if like is not None:
        tensor = tensor.to(device=like.device, dtype=like.dtype)
    return tensor


def spacing_per_axis(spacing: Spacing, n_dims: int) -> tuple[float, ...]:
    """Grid spacing per axis from a scalar or an ``n_dims``-sequence."""
    if isinstance(spacing, (int, float)):
        return (float(spacing),) * n_dims
    values = tuple(float(s) for s in spacing)
    if len(values) != n_dims:
        axes = ", ".join(f"d{a}" for a in "xyz"[:n_dims])
        raise ArgumentError(
            f"spacing must be a number or {n_dims} numbers ({axes}), got {spacing!r}"
        )
    return values


def spacing_triple(spacing: Spacing) -> tuple[float, float, float]:
    """Grid spacing per axis (x, y, z) from a scalar or a 3-sequence."""
    x, y, z = spacing_per_axis(spacing, 3)
    return x, y, z


def require_vector_field(b: torch.Tensor, name: str = "B") -> None:
    """``b`` must be ``[..., X, Y, Z, 3]``."""
    if b.ndim < 4 or b.shape[-1] != 3:
        raise ArgumentError(
            f"{name} must be laid out [..., X, Y, Z, 3] (three components last); got shape {tuple(b.shape)}"
        )


def require_field(f: torch.Tensor, name: str = "field") -> None:
    """``f`` must be channels-last with three spatial axes, ``[..., X, Y, Z, C]``."""
    if f.ndim < 4:
        raise ArgumentError(f"{name} must be laid out [..., X, Y, Z, C]; got shape {tuple(f.shape)}")
