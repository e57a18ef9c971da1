"""The demo with its weights perturbed: worse by design (step-1 VRMSE up by at least 20 % on
the smoke set). Load it in a pytest session as ``NAME=tests.baseline.degraded:degraded_demo``."""

from __future__ import annotations

import copy
from typing import Any

import torch

from physcheck.models import load


def degrade(model: Any, scale: float = 0.8, seed: int = 0) -> Any:
    """A copy of ``model`` with each weight tensor moved by ``scale`` x its spread (Gaussian
    noise from ``seed``)."""
    degraded = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in degraded.parameters():
            p.add_(scale * p.std() * torch.randn(p.shape, generator=generator))
    return degraded


def degraded_demo() -> Any:
    """The demo, degraded (a factory for ``package.module:attr`` specs)."""
    return degrade(load("demo"))
