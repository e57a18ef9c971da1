"""A stand-in for ``walrus.models.IsotropicModel`` with its exact forward signature and layout.

``forward(x [T, B, C, X, Y, Z], state_labels [C], bcs [B][3][2], metadata, proj_axes=None,
return_att=False, train=True) -> [1, B, C, X, Y, Z]``. It records what it was called with
and returns a known function of its (normalised) input: ``0.5 * (x[-1] - x[-2])`` plus a
channel-dependent offset from ``state_labels``, so the adapter's normalisation and field
map can be checked exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


class IsotropicModelStandIn(nn.Module):
    def __init__(self, n_states: int = 67, jitter: bool = False) -> None:
        super().__init__()
        self.embedding = nn.Parameter(torch.linspace(0, 1e-3, n_states))
        self.jitter = jitter
        self.calls: list[dict[str, Any]] = []

    def forward(self, x, state_labels, bcs, metadata, proj_axes=None, return_att=False, train=True):
        assert x.ndim == 6, "Walrus takes x as [T, B, C, X, Y, Z]"
        self.calls.append(
            {
                "x": x.detach().clone(),
                "state_labels": state_labels.clone(),
                "bcs": bcs,
                "metadata": metadata,
            }
        )
        change = 0.5 * (x[-1] - x[-2]) if x.shape[0] > 1 else torch.zeros_like(x[-1])
        offset = self.embedding[state_labels].to(x.dtype)[None, :, None, None, None]
        if self.jitter:  # like patch jitter: draws from numpy's global RNG
            change = torch.roll(change, shifts=int(np.random.randint(0, x.shape[3])), dims=2)
        return (change + offset)[None]
