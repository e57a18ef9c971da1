"""The surrogate protocol: what physcheck needs from a model.

A surrogate has ``n_history: int`` and ``step(history) -> next``:
``history [B, T, X, Y, Z, C]`` (T = n_history frames, oldest first) to the next frame
``[B, X, Y, Z, C]``, The Well's channels-last layout, physical (un-normalised) units.
Optionally ``to(device=None, dtype=None)`` moves or casts it (an ``nn.Module`` has it);
without it the precision check skips with that reason. A model whose ``step`` depends on more
than its window (a hidden state carried from call to call) says so with ``stateful = True``:
the engine then never takes one rollout's frames for another's (no early stopping).

A model that is equivariant by construction (it commutes with the dataset's rotations,
reflections and shifts up to round-off: a symmetric architecture, an exact solver, a
baseline such as persistence) says so with ``equivariant = True``; the equivariance check
then holds it to the ``exact`` tier (step-1 gap at most 1e-3 x the truth's step-1 change).
Every other model is judged in the ``approximate`` tier (step-1 gap relative to its own
step-1 error). A model that cannot be judged (its step uses information the input does not
carry) gives the reason in ``equivariance_skip``.
"""

from __future__ import annotations

from typing import Any, Protocol, cast, runtime_checkable

import torch

from physcheck.errors import ModelProtocolError


@runtime_checkable
class Surrogate(Protocol):
    """A one-step autoregressive model in physical units."""

    n_history: int

    def step(self, history: torch.Tensor) -> torch.Tensor:
        """``[B, T, X, Y, Z, C]`` -> ``[B, X, Y, Z, C]``."""
        ...


def is_stateful(model: Any) -> bool:
    """Whether ``model`` declares ``stateful = True`` (its step depends on more than its window)."""
    return getattr(model, "stateful", False) is True


def check_surrogate(model: Any, name: str = "model") -> Surrogate:
    """``model`` if it has an integer ``n_history >= 1`` and a callable ``step``; else a clear error."""
    problems = []
    n_history = getattr(model, "n_history", None)
    if not isinstance(n_history, int) or isinstance(n_history, bool) or n_history < 1:
        problems.append(f"an integer n_history >= 1 (got {n_history!r})")
    if not callable(getattr(model, "step", None)):
        problems.append("a method step(history [B, T, X, Y, Z, C]) -> [B, X, Y, Z, C]")
    if problems:
        raise ModelProtocolError(
            f"{name} ({type(model).__name__}) is not a physcheck surrogate: it needs "
            + " and ".join(problems)
        )
    return cast(Surrogate, model)


def supports_precision(model: Any) -> str | None:
    """``None`` if the model can be cast to float64 (it has ``to``), else the reason it cannot
    (a model may also say why the comparison is moot in a ``precision_skip`` attribute)."""
    declared = getattr(model, "precision_skip", None)
    if isinstance(declared, str) and declared:
        return declared
    if not callable(getattr(model, "to", None)):
        return f"{type(model).__name__} has no to(device=None, dtype=None) method, so it cannot run in float64"
    return None


def model_dtype(model: Any) -> torch.dtype | None:
    """The floating dtype of a model's parameters (or its ``dtype`` attribute), if it has one."""
    if isinstance(model, torch.nn.Module):
        for p in model.parameters():
            if p.is_floating_point():
                return p.dtype
    dtype = getattr(model, "dtype", None)
    return dtype if isinstance(dtype, torch.dtype) else None


def model_device(model: Any) -> torch.device | None:
    if isinstance(model, torch.nn.Module):
        for p in model.parameters():
            return p.device
    device = getattr(model, "device", None)
    return torch.device(device) if device is not None else None
