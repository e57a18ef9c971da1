"""Pointwise error metrics over a rollout: VRMSE, window statistics, stability horizon.

Layouts: states are channels last, ``[..., X, Y, Z, C]``; per-step series are
``[B, K]`` (trajectory, step) or ``[B, K, C]``. Steps are 1-based.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import torch

from physcheck.diagnostics._shared import spatial_moments, squared_error_channel_sums
from physcheck.diagnostics._tensor import as_tensor
from physcheck.errors import ArgumentError

Convention = Literal["well", "ddof0"]

#: (variance ddof, eps) per convention
CONVENTIONS: dict[str, tuple[int, float]] = {"well": (1, 1e-7), "ddof0": (0, 1e-12)}


def vrmse(
    pred: torch.Tensor,
    truth: torch.Tensor,
    *,
    convention: Convention = "well",
    spatial_dims: int = 3,
) -> torch.Tensor:
    """Variance-scaled RMSE per channel: ``sqrt(mean_S (p - t)^2 / (var_S(t) + eps))``.

    ``pred``, ``truth``: ``[..., *S, C]`` with ``spatial_dims`` spatial axes before the
    channel axis. Returns ``[..., C]`` (dimensionless).

    - ``convention="well"``: unbiased variance (ddof 1), ``eps = 1e-7``; equals
      ``the_well.benchmark.metrics.VRMSE``.
    - ``convention="ddof0"``: population variance, ``eps = 1e-12`` (the diagnostic paper).

    A constant truth channel gives ``sqrt(mse / eps)``. Inf in ``pred`` gives Inf, NaN gives NaN:
    a blown-up prediction stays visible instead of raising.
    """
    if convention not in CONVENTIONS:
        raise ArgumentError(
            f"unknown VRMSE convention {convention!r}; use one of {sorted(CONVENTIONS)}"
        )
    pred = as_tensor(pred)
    truth = as_tensor(truth, like=pred)
    ddof, eps = CONVENTIONS[convention]
    if (
        spatial_dims == 3
        and pred.dtype in (torch.float32, torch.float64)
        and min(pred.ndim, truth.ndim) >= 4
        and pred.shape[-4:] == truth.shape[-4:]
    ):
        # squared errors summed slab by slab; the truth's variance is shared with
        # channel_variance and other vrmse calls against the same truth (see _memo)
        n_points = pred.shape[-4] * pred.shape[-3] * pred.shape[-2]
        squared_error_sum = squared_error_channel_sums(pred, truth)
        variance = spatial_moments(truth)[1]
        scale = n_points / (n_points - ddof) if n_points > ddof else math.nan
        return torch.sqrt((squared_error_sum / n_points) / (variance * scale + eps))
    dims = tuple(range(-spatial_dims - 1, -1))
    mse = torch.mean((pred - truth) ** 2, dim=dims)
    var = torch.var(truth, dim=dims, correction=ddof)
    return torch.sqrt(mse / (var + eps))


def vrmse_from_sums(
    squared_error_sum: torch.Tensor,
    truth_variance: torch.Tensor,
    n_points: int,
    *,
    convention: Convention = "well",
) -> torch.Tensor:
    """VRMSE from per-channel sums: ``sqrt((sse / S) / (var_ddof(t) + eps))``, ``[..., C]``.

    ``squared_error_sum``: ``sum_S (p - t)^2``; ``truth_variance``: the truth's *population*
    variance (rescaled here to the convention's ddof); ``n_points``: S. Gives ``vrmse``'s numbers
    without touching the fields again (the streaming path keeps these sums per step).
    """
    if convention not in CONVENTIONS:
        raise ArgumentError(
            f"unknown VRMSE convention {convention!r}; use one of {sorted(CONVENTIONS)}"
        )
    ddof, eps = CONVENTIONS[convention]
    variance = truth_variance * (n_points / (n_points - ddof))
    return torch.sqrt((squared_error_sum / n_points) / (variance + eps))


class WindowStatistic(NamedTuple):
    """A window statistic ``T a-b`` over trajectories.

    ``per_trajectory``: mean over steps a..b per trajectory, ``[B]`` (or ``[B, C]``);
    ``median``, ``mean``, ``q25``, ``q75``: over trajectories (``[]`` or ``[C]``).
    The median is numpy's (mean of the two middle values for an even count).
    """

    per_trajectory: torch.Tensor
    median: torch.Tensor
    mean: torch.Tensor
    q25: torch.Tensor
    q75: torch.Tensor


def window_statistic(
    values: torch.Tensor, *, first: int = 1, last: int | None = None
) -> WindowStatistic:
    """Statistic of a per-step series over the window of steps ``first..last`` (1-based, inclusive).

    ``values``: ``[B, K]`` or ``[B, K, C]``. ``last`` is clipped to K (Walrus's "T 21-60" on a
    K = 50 rollout is steps 21..50). A window that starts past K is an error. NaN in any step of
    a trajectory makes that trajectory's value NaN, and then the median/quantiles NaN too.
    """
    values = as_tensor(values)
    if values.ndim not in (2, 3):
        raise ArgumentError(f"values must be [B, K] or [B, K, C]; got shape {tuple(values.shape)}")
    n_steps = values.shape[1]
    last = n_steps if last is None else min(last, n_steps)
    if first < 1 or first > last:
        raise ArgumentError(
            f"window of steps {first}..{last} is empty for a rollout of {n_steps} steps"
        )
    per_trajectory = values[:, first - 1 : last].mean(dim=1)
    q = torch.tensor([0.25, 0.5, 0.75], dtype=per_trajectory.dtype, device=per_trajectory.device)
    q25, median, q75 = torch.quantile(per_trajectory, q, dim=0)
    return WindowStatistic(per_trajectory, median, per_trajectory.mean(dim=0), q25, q75)


def stability_horizon(
    vrmse_steps: torch.Tensor, *, threshold: float = 1.0, channel_mean: bool = True
) -> torch.Tensor:
    """First step whose channel-mean VRMSE exceeds ``threshold`` (1-based); K + 1 if none.

    ``vrmse_steps``: ``[..., K, C]`` per-channel values (averaged over C here), or ``[..., K]``
    already channel-averaged with ``channel_mean=False``. Returns int64 ``[...]``.
    A NaN step counts as exceeded (a rollout that turned NaN is past its horizon).
    """
    values = as_tensor(vrmse_steps)
    if channel_mean:
        values = values.mean(dim=-1)
    n_steps = values.shape[-1]
    exceeded = ~(values <= threshold)
    steps = torch.arange(1, n_steps + 1, device=values.device)
    never = torch.full_like(steps, n_steps + 1)
    return torch.where(exceeded, steps, never).min(dim=-1).values
