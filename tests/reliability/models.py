"""Models that misbehave, for the reliability catalogue (``tests.reliability.models:NAME``)."""

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


class KillsItsProcess:
    """Passes the probe step at collection, then ends its process (a segfault, an OOM kill)."""

    n_history = 1

    def __init__(self) -> None:
        self.calls = 0

    def step(self, history: torch.Tensor) -> torch.Tensor:
        import os

        self.calls += 1
        if self.calls > 1:
            os._exit(3)
        return history[:, -1].clone()


def kills_its_process(data: Any) -> KillsItsProcess:
    return KillsItsProcess()
