"""How the loop calls the model for one step: in batches of at most ``chunk`` rows (halved on
an out-of-memory error and tried again), with a ``StepContext`` for a model whose ``step``
takes one, under autocast in a low precision, and within the step timeout (a watchdog
thread)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import torch

from physcheck.errors import RolloutError
from physcheck.timing import model_forward

OUT_OF_MEMORY: type[BaseException] = getattr(
    torch, "OutOfMemoryError", getattr(torch.cuda, "OutOfMemoryError", MemoryError)
)


@dataclass(frozen=True)
class StepContext:
    """What a model may know about a step besides its history, for models whose ``step``
    accepts a ``context`` keyword (the reference oracle needs it to reproduce the data's
    forcing): ``frame`` is the index, in its trajectory, of the frame being predicted;
    ``trajectories`` the dataset index of each row of the batch. Learned surrogates ignore it.
    """

    frame: int
    trajectories: tuple[int, ...]


def accepts_context(model: Any) -> bool:
    """Whether ``model.step`` takes a ``context`` keyword."""
    try:
        params = inspect.signature(model.step).parameters
    except (TypeError, ValueError):
        return False
    return "context" in params


def within(
    seconds: float,
    step: int,
    modes: Callable[[], Any],
    fn: Callable[..., torch.Tensor],
    *args: Any,
) -> torch.Tensor:
    """``fn(*args)`` in a watchdog thread (in inference mode and ``modes()``, which a new
    thread does not inherit); ``RolloutError`` when it has not returned within ``seconds``."""
    import threading

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            with torch.inference_mode(), modes():
                outcome["value"] = fn(*args)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"physcheck-step-{step}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise RolloutError(
            f"step {step}: the model did not return within {seconds:g} s "
            "(--physcheck-step-timeout): it hung or is far slower than allowed"
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


class ModelStep:
    """The model's step over a rollout's window, as the loop calls it.

    ``chunk``: the most rows forwarded at a time (the rollout's ``batch_size``, else every
    row), halved on an out-of-memory error down to one row; ``autocast_dtype``: the low
    precision the model runs in with autocast (``None``: none); ``step_timeout``: seconds a
    step may take (``None``: no limit); ``start_frame``: the index in its trajectory of the
    first predicted frame (``None``: no ``StepContext``); ``rows``: the dataset index of each
    row the model still steps (fewer once following rows have rejoined their leaders).
    """

    def __init__(
        self,
        model: Any,
        *,
        chunk: int,
        device: torch.device,
        autocast_dtype: torch.dtype | None,
        step_timeout: float | None,
        start_frame: int | None,
        rows: tuple[int, ...],
    ) -> None:
        self.wants_context = accepts_context(model)
        self.chunk = chunk
        self.device = device
        self.autocast_dtype = autocast_dtype
        self.step_timeout = step_timeout
        self.start_frame = start_frame
        self.rows = rows

    def mixed_precision(self) -> Any:
        """Autocast in the low precision, else a context that does nothing."""
        return (
            torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)
            if self.autocast_dtype is not None
            else nullcontext()
        )

    def forward(self, m: Any, window: torch.Tensor, step: int) -> torch.Tensor:
        """The placed model ``m``'s prediction ``[B, *S, C]`` at ``step`` from ``window``."""
        n_rows = window.shape[0]
        while True:
            try:
                with model_forward():
                    parts = [
                        self._call(self._step_of, m, window[i : i + self.chunk], step, i)
                        for i in range(0, n_rows, self.chunk)
                    ]
                return torch.cat(parts) if len(parts) > 1 else parts[0]
            except OUT_OF_MEMORY:
                if self.chunk == 1:
                    raise
                self.chunk = (self.chunk + 1) // 2
                if self.device.type == "cuda":
                    torch.cuda.empty_cache()

    def _step_of(self, m: Any, batch: torch.Tensor, step: int, first: int) -> torch.Tensor:
        if not self.wants_context:
            return m.step(batch)  # type: ignore[no-any-return]
        context = (
            StepContext(self.start_frame + step - 1, self.rows[first : first + batch.shape[0]])
            if self.start_frame is not None
            else None
        )
        return m.step(batch, context=context)  # type: ignore[no-any-return]

    def _call(self, fn: Callable[..., torch.Tensor], *args: Any) -> torch.Tensor:
        if self.step_timeout is None:
            return fn(*args)
        return within(self.step_timeout, args[2], self.mixed_precision, fn, *args)


__all__ = ["OUT_OF_MEMORY", "ModelStep", "StepContext", "accepts_context", "within"]
