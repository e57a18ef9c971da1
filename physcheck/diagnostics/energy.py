"""Energies and channel variances of MHD states.

States are channels last, ``[..., X, Y, Z, C]``, in physical (code) units with the
channel positions given by a ``FieldLayout`` (MHD_64 order by default). Heaviside-Lorentz
units (mu0 = 1): magnetic energy density is ``|B|^2 / 2``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from physcheck.diagnostics._tensor import FIELD_DIMS, SCALAR_DIMS, as_tensor, require_field
from physcheck.fields import MHD_LAYOUT, FieldLayout


class Energies(NamedTuple):
    """Volume-averaged energies of a state, each ``[...]``.

    ``magnetic`` E_B = mean |B|^2 / 2; ``kinetic`` E_K = mean rho |v|^2 / 2; ``ratio`` E_B / E_K;
    ``mean_abs_b`` <|B|> (the guide-field magnitude when fluctuations are small); ``mass`` mean rho.
    """

    magnetic: torch.Tensor
    kinetic: torch.Tensor
    ratio: torch.Tensor
    mean_abs_b: torch.Tensor
    mass: torch.Tensor


def energies(state: torch.Tensor, *, layout: FieldLayout = MHD_LAYOUT) -> Energies:
    """E_B, E_K, E_B/E_K, <|B|> and mass of ``state [..., X, Y, Z, C]``.

    E_K = 0 gives a ratio of Inf (or NaN when E_B = 0 too); non-finite input propagates.
    """
    s = as_tensor(state)
    require_field(s, "state")
    b = s[..., list(layout.magnetic)]
    v = s[..., list(layout.velocity)]
    rho = s[..., layout.density]
    b2 = (b**2).sum(dim=-1)
    magnetic = b2.mean(dim=SCALAR_DIMS) / 2
    kinetic = (rho * (v**2).sum(dim=-1)).mean(dim=SCALAR_DIMS) / 2
    return Energies(
        magnetic=magnetic,
        kinetic=kinetic,
        ratio=magnetic / kinetic,
        mean_abs_b=torch.sqrt(b2).mean(dim=SCALAR_DIMS),
        mass=rho.mean(dim=SCALAR_DIMS),
    )


def channel_variance(state: torch.Tensor) -> torch.Tensor:
    """Population variance over space of each channel, ``[..., C]`` (units of the channel squared)."""
    s = as_tensor(state)
    require_field(s, "state")
    return torch.var(s, dim=FIELD_DIMS, correction=0)
