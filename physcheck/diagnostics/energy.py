"""Energies and channel variances of MHD states.

States are channels last, ``[..., X, Y, Z, C]``, in physical (code) units with the
channel positions given by a ``FieldLayout`` (MHD_64 order by default). Heaviside-Lorentz
units (mu0 = 1): magnetic energy density is ``|B|^2 / 2``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from physcheck.diagnostics._shared import magnetic_norms, norms_of_components, spatial_moments
from physcheck.diagnostics._tensor import FIELD_DIMS, SCALAR_DIMS, as_tensor, require_field
from physcheck.fields import MHD_LAYOUT, FieldLayout


class Energies(NamedTuple):
    """Volume-averaged energies of a state, each ``[...]``.

    ``magnetic`` E_B = mean |B|^2 / 2; ``kinetic`` E_K = mean rho |v|^2 / 2; ``ratio`` E_B / E_K;
    ``mean_abs_b`` <|B|> (the mean of |B|; not the guide field |<B>|, which it exceeds
    by the fluctuations); ``mass`` mean rho.
    """

    magnetic: torch.Tensor
    kinetic: torch.Tensor
    ratio: torch.Tensor
    mean_abs_b: torch.Tensor
    mass: torch.Tensor


#: dtypes the shared fast path computes in; others (half precision) take the generic path
FAST_DTYPES = (torch.float32, torch.float64)


def energies(state: torch.Tensor, *, layout: FieldLayout = MHD_LAYOUT) -> Energies:
    """E_B, E_K, E_B/E_K, <|B|> and mass of ``state [..., X, Y, Z, C]``.

    E_K = 0 gives a ratio of Inf (or NaN when E_B = 0 too); non-finite input propagates.
    ``mean |B|^2`` and ``<|B|>`` are shared with ``divb_ratio`` of the same B (see ``_memo``).
    """
    s = as_tensor(state)
    require_field(s, "state")
    if s.dtype not in FAST_DTYPES:
        rho = s[..., layout.density]
        b2 = (s[..., list(layout.magnetic)] ** 2).sum(dim=-1)
        magnetic, mean_abs_b = b2.mean(dim=SCALAR_DIMS) / 2, torch.sqrt(b2).mean(dim=SCALAR_DIMS)
        v2 = (s[..., list(layout.velocity)] ** 2).sum(dim=-1)
    else:
        first = layout.magnetic[0]
        if layout.magnetic == (first, first + 1, first + 2):  # B is a view: share with divb_ratio
            mean_b2, mean_abs_b = magnetic_norms(s.narrow(-1, first, 3))
            mean_abs_b = mean_abs_b.clone()
        else:
            mean_b2, mean_abs_b = norms_of_components(*(s[..., j] for j in layout.magnetic))
        magnetic = mean_b2 / 2
        rho = s[..., layout.density]
        vx, vy, vz = (s[..., j] for j in layout.velocity)
        v2 = vx * vx
        v2.addcmul_(vy, vy).addcmul_(vz, vz)
    kinetic = v2.mul_(rho).mean(dim=SCALAR_DIMS) / 2
    return Energies(
        magnetic=magnetic,
        kinetic=kinetic,
        ratio=magnetic / kinetic,
        mean_abs_b=mean_abs_b,
        mass=rho.mean(dim=SCALAR_DIMS),
    )


def channel_variance(state: torch.Tensor) -> torch.Tensor:
    """Population variance over space of each channel, ``[..., C]`` (units of the channel squared).

    Two passes (mean, then centred squares); shared with ``vrmse`` against the same truth and
    other calls on the same tensor (see ``_memo``).
    """
    s = as_tensor(state)
    require_field(s, "state")
    if s.dtype not in FAST_DTYPES:
        return torch.var(s, dim=FIELD_DIMS, correction=0)
    return spatial_moments(s)[1].clone()
