"""Where a gate's wall time goes: exclusive wall time per phase (torch-free).

``physcheck bench`` times a gate under a ``PhaseTimer``; the pipeline marks its phases with
``phase(name)`` (model loading, each variant's model forward, diagnostics, data reading, cache
I/O, checks, outputs). A phase that starts inside another pauses the outer one, so each
second of the timed wall belongs to exactly one phase and the phases add up to it. Outside a
timed run ``phase`` is a no-op costing one global lookup.

On a GPU, work is asynchronous: the bench passes ``synchronize`` (``torch.cuda.synchronize``)
so that each phase boundary waits for the work queued before it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field

#: the phase that model forwards of variant ``v`` are booked under (``model forward (base)``)
MODEL_FORWARD = "model forward"


@dataclass
class PhaseTimer:
    """Exclusive seconds and entry counts per phase name, for the thread that made it (phases
    entered from other threads, e.g. a step-timeout watchdog's, are not booked)."""

    synchronize: Callable[[], None] | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: what the model forwards are currently computing (``base``, ``perturbed``, ...)
    variant: str = "base"
    _stack: list[str] = field(default_factory=list)
    _since: float = 0.0
    _thread: int = field(default_factory=threading.get_ident)

    def _book(self, now: float) -> None:
        if self._stack:
            name = self._stack[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._since
        self._since = now

    def _now(self) -> float:
        if self.synchronize is not None:
            self.synchronize()
        return time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if threading.get_ident() != self._thread:
            yield
            return
        self._book(self._now())
        self._stack.append(name)
        self.counts[name] = self.counts.get(name, 0) + 1
        try:
            yield
        finally:
            self._book(self._now())
            self._stack.pop()

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


_ACTIVE: PhaseTimer | None = None


def phase(name: str) -> AbstractContextManager[None]:
    """Book the time spent inside under ``name`` when a timer is active; else do nothing."""
    timer = _ACTIVE
    if timer is None:
        return nullcontext()
    return timer.phase(name)


def model_forward() -> AbstractContextManager[None]:
    """``phase("model forward (VARIANT)")`` for the variant being rolled out."""
    timer = _ACTIVE
    if timer is None:
        return nullcontext()
    return timer.phase(f"{MODEL_FORWARD} ({timer.variant})")


@contextmanager
def variant(name: str) -> Iterator[None]:
    """Book the model forwards inside under variant ``name`` (``base``, ``float64``, ...)."""
    timer = _ACTIVE
    if timer is None:
        yield
        return
    before, timer.variant = timer.variant, name
    try:
        yield
    finally:
        timer.variant = before


@contextmanager
def timed(timer: PhaseTimer, name: str = "other") -> Iterator[PhaseTimer]:
    """Make ``timer`` the active one; time not inside a named phase is booked under ``name``."""
    global _ACTIVE
    before, _ACTIVE = _ACTIVE, timer
    try:
        with timer.phase(name):
            yield timer
    finally:
        _ACTIVE = before


__all__ = ["MODEL_FORWARD", "PhaseTimer", "model_forward", "phase", "timed", "variant"]
