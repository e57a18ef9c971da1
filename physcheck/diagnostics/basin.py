"""Basin of a perpendicular blow-up: which perpendicular magnetic component amplifies.

The amplification of channel c is ``a_c = var_S(pred_c) / var_S(truth_c)`` (dimensionless,
``[..., C]``). With the guide field along x the two perpendicular components are B_y and
B_z; the label names them from the layout, so another guide axis relabels them. A dataset
without a guide field (``FieldLayout.has_guide_field``) has the generic basin of
``blow_up_label``: the channel whose variance blows up the most, if any does.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from physcheck.diagnostics._tensor import as_tensor
from physcheck.diagnostics.energy import channel_variance
from physcheck.fields import MHD_LAYOUT, FieldLayout

#: basin codes: neither, the first perpendicular component (B_y), the second (B_z), and a
#: rollout whose perpendicular amplifications are not numbers (NaN: it went non-finite)
BASIN_NONE, BASIN_FIRST, BASIN_SECOND, BASIN_NONFINITE = 0, 1, 2, 3
#: the name of ``BASIN_NONFINITE``
NONFINITE_LABEL = "non-finite"
#: ``blow_up_label``'s code of a sample whose amplifications are not numbers
BLOW_UP_NONFINITE = -1


def amplification(pred: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """``var_S(pred) / var_S(truth)`` per channel, ``[..., C]``.

    A constant truth channel gives Inf (or NaN when the prediction is constant too).
    """
    pred = as_tensor(pred)
    return channel_variance(pred) / channel_variance(as_tensor(truth, like=pred))


def basin_label(
    amplification: torch.Tensor, *, layout: FieldLayout = MHD_LAYOUT, tau: float = 10.0
) -> torch.Tensor:
    """Basin code per sample, int64 ``[...]``: ``BASIN_FIRST`` if ``a_By > tau`` and
    ``a_By >= a_Bz``, ``BASIN_SECOND`` symmetrically, else ``BASIN_NONE``.

    A NaN amplification of either perpendicular component gives ``BASIN_NONFINITE`` (the
    basin of a rollout that went NaN cannot be told); an Inf amplification counts as above tau.
    """
    a = as_tensor(amplification)
    first_idx, second_idx = layout.perpendicular_magnetic
    a_first, a_second = a[..., first_idx], a[..., second_idx]
    first = (a_first > tau) & (a_first >= a_second)
    second = (a_second > tau) & (a_second >= a_first) & ~first
    codes = torch.full(a_first.shape, BASIN_NONE, dtype=torch.int64, device=a.device)
    codes = torch.where(first, torch.full_like(codes, BASIN_FIRST), codes)
    codes = torch.where(second, torch.full_like(codes, BASIN_SECOND), codes)
    nonfinite = torch.isnan(a_first) | torch.isnan(a_second)
    return torch.where(nonfinite, torch.full_like(codes, BASIN_NONFINITE), codes)


def basin_names(codes: Any, *, layout: FieldLayout = MHD_LAYOUT) -> Any:
    """Names of basin codes: ``"By"``, ``"Bz"`` or ``"none"`` for guide x (a ``str`` for a scalar,
    nested lists otherwise)."""
    first_idx, second_idx = layout.perpendicular_magnetic
    names = {
        BASIN_NONE: "none",
        BASIN_FIRST: layout.short_name(first_idx),
        BASIN_SECOND: layout.short_name(second_idx),
        BASIN_NONFINITE: NONFINITE_LABEL,
    }
    values = codes.tolist() if isinstance(codes, torch.Tensor) else codes

    def name(v: Any) -> Any:
        return [name(x) for x in v] if isinstance(v, list) else names[int(v)]

    return name(values)


def perpendicular_asymmetry(
    amplification: torch.Tensor, *, layout: FieldLayout = MHD_LAYOUT
) -> torch.Tensor:
    """``log10(a_By / a_Bz)``, ``[...]``: 0 for the truth, > 0 when B_y is amplified more."""
    a = as_tensor(amplification)
    first_idx, second_idx = layout.perpendicular_magnetic
    return torch.log10(a[..., first_idx] / a[..., second_idx])


def blow_up_label(amplification: torch.Tensor, *, tau: float = 10.0) -> torch.Tensor:
    """The generic basin (any layout) per sample, int64 ``[...]`` from ``amplification
    [..., C]``: ``BASIN_NONE`` (0) when no channel has ``a_c > tau``, else ``1 + c`` for the
    channel c amplified the most (the first at a tie); ``BLOW_UP_NONFINITE`` where any
    amplification is NaN (an Inf one counts as above tau)."""
    a = as_tensor(amplification)
    largest, channel = torch.nan_to_num(a, nan=-math.inf).max(dim=-1)
    codes = torch.where(largest > tau, channel + 1, torch.zeros_like(channel))
    nonfinite = torch.isnan(a).any(dim=-1)
    return torch.where(nonfinite, torch.full_like(codes, BLOW_UP_NONFINITE), codes)


def blow_up_names(codes: Any, *, layout: FieldLayout) -> Any:
    """Names of ``blow_up_label`` codes: ``"none"``, a channel's short name or
    ``"non-finite"`` (a ``str`` for a scalar, nested lists otherwise)."""
    values = codes.tolist() if isinstance(codes, torch.Tensor) else codes

    def name(v: Any) -> Any:
        if isinstance(v, list):
            return [name(x) for x in v]
        code = int(v)
        if code == BLOW_UP_NONFINITE:
            return NONFINITE_LABEL
        return "none" if code == BASIN_NONE else layout.short_name(code - 1)

    return name(values)
