"""Models that misbehave, for the reliability catalogue (``tests.zoo.faults:NAME``)."""

from __future__ import annotations

from typing import Any

import torch

from tests.zoo import Replay


class Vandal(Replay):
    """Exact, but scribbles over its input history in place."""

    def step(self, history: torch.Tensor) -> torch.Tensor:
        out = super().step(history)
        history.mul_(0).add_(1e6)
        return out


def vandal(data: Any) -> Replay:
    return Vandal(data)


class WrongChannels:
    """Declares 5 channels for 7-channel data."""

    n_history = 1
    n_channels = 5

    def step(self, history: torch.Tensor) -> torch.Tensor:
        return history[:, -1]


def wrong_channels(data: Any) -> WrongChannels:
    return WrongChannels()


class RaisesLater:
    """Fine for two steps, then raises (as a model that overflows might)."""

    n_history = 1

    def __init__(self) -> None:
        self.calls = 0

    def step(self, history: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls > 3:  # the probe step at collection, then steps 1 and 2 of the rollout
            raise RuntimeError("diverged at step 3")
        return history[:, -1].clone()


def raises_later(data: Any) -> RaisesLater:
    return RaisesLater()


class PlainClass:
    """A class (not an instance) named by a spec: it has a step method and must be instantiated."""

    n_history = 1

    def step(self, history: torch.Tensor) -> torch.Tensor:
        return history[:, -1].clone()


class BareModule(torch.nn.Module):
    """An nn.Module subclass without its own __init__ (nn.Module's takes no data= or device=)."""

    n_history = 1

    def step(self, history: torch.Tensor) -> torch.Tensor:
        return history[:, -1].clone()


class MidRollout:
    """Holds the last frame, but on its ``at``-th call (the probe step at collection is the
    first) does ``action``: ends its process, raises ``SystemExit`` or hangs, as native code
    or a stuck model might. It counts its calls, so it says ``stateful``."""

    n_history = 1
    stateful = True

    def __init__(self, at: int, action: Any) -> None:
        self.calls, self.at, self.action = 0, at, action

    def step(self, history: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls >= self.at:
            self.action()
        return history[:, -1].clone()


def kills_its_process(data: Any) -> MidRollout:
    """Passes the probe step, then ends its process with status 3 (a segfault, an OOM kill)."""
    import os

    return MidRollout(2, lambda: os._exit(3))


def exits_with_status_0(data: Any) -> MidRollout:
    """Mid-rollout, ends its process with status 0, as native code calling ``exit(0)`` would."""
    import os

    return MidRollout(3, lambda: os._exit(0))


def calls_sys_exit(data: Any) -> MidRollout:
    """Mid-rollout, raises ``SystemExit(0)`` (``sys.exit`` in the model's code)."""
    import sys

    return MidRollout(3, lambda: sys.exit(0))


def hangs_at_step_3(data: Any) -> MidRollout:
    """Step 3 of the rollout (its 4th call) sleeps 30 s: a hung model."""
    import time

    def hang() -> None:
        model.at = 10**9  # hang once
        time.sleep(30)

    model = MidRollout(4, hang)
    return model


class OutOfMemory:
    """Raises on its very first step, the preflight probe (a checkpoint too large for the
    device, say)."""

    n_history = 1

    def step(self, history: torch.Tensor) -> torch.Tensor:
        raise MemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")


def out_of_memory(data: Any) -> OutOfMemory:
    return OutOfMemory()
