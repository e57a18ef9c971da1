"""The intermediates that several single-purpose diagnostics need, computed once per tensor.

Each is memoized (``_memo``) on the tensor it is computed from, so that a user computing
``vrmse``, ``channel_variance``, ``energies``, ``divb_ratio`` and ``perpendicular_spectrum`` of
one frame pays for each once, the way the fused ``frame_statistics`` does:

- ``spatial_moments(x)``: per-channel mean and population variance of ``x [..., X, Y, Z, C]``
  (``channel_variance``, the truth's variance in ``vrmse``, ``amplification``);
- ``magnetic_norms(b)``: ``mean_S |B|^2`` and ``mean_S |B|`` of ``b [..., X, Y, Z, 3]``
  (``energies``, the denominator of ``divb_ratio``; ``energies(frame)`` asks for them on
  ``frame[..., 1:4]``, the very view a user passes to ``divb_ratio``);
- ``component_transform(c)``: the real FFT of one component ``c = f[..., k]`` over the three
  spatial axes (``divb_ratio(method="spectral")`` transforms B_x, B_y, B_z;
  ``perpendicular_spectrum`` of ``frame[..., 2:4]`` or ``frame[..., 2:3]`` then reuses B_y's
  and B_z's: the memo keys the component view, so any slice holding it finds it).

The per-channel sums reduce the channels-last frame as a ``[B, X*Y, Z*C]`` view (a wide,
contiguous inner axis) in slabs of a few x-planes, so that temporaries stay cache-sized.
A result never depends on whether it came from the memo: each is always computed the same way
from the same view, so the numbers are bit for bit those of a cold call.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from physcheck.diagnostics._memo import memoized
from physcheck.diagnostics._tensor import SCALAR_DIMS

#: elements of a slab temporary (2 MiB of float32: about the size of an L2 cache)
SLAB_ELEMENTS = 2**19


def channel_sums(x: torch.Tensor) -> torch.Tensor:
    """``sum_S x`` per channel of a contiguous ``[B, *S, C]`` tensor (S the 1 to 3 spatial
    axes, ``[B, X, Y, Z, C]`` in 3D), ``[B, C]``.

    Reduces the ``[B, X*Y, Z*C]`` view (3D; in general all but the last spatial axis, then
    the last one times C) over its middle axis first (a wide, contiguous inner axis), which is
    several times faster on CPUs than reducing a channels-last tensor directly.
    """
    b, *shape, c = x.shape
    last = shape[-1]
    return x.reshape(b, math.prod(shape[:-1]), last * c).sum(dim=1).view(b, last, c).sum(dim=1)


def _slab_channel_sums(
    frames: list[torch.Tensor], term: Callable[[list[torch.Tensor]], torch.Tensor]
) -> torch.Tensor:
    """``sum_S term(frames)`` per channel, ``[B, C]``, for ``[B, X, Y, Z, C]`` frames, one slab
    of x-planes at a time (``term`` maps slabs to a fresh tensor it may edit)."""
    batch, nx, ny, nz, c = frames[0].shape
    step = max(1, SLAB_ELEMENTS // max(1, batch * ny * nz * c))
    total = frames[0].new_zeros(batch, c)
    for start in range(0, nx, step):
        length = min(step, nx - start)
        total.add_(channel_sums(term([f.narrow(1, start, length) for f in frames])))
    return total


def squared_error_channel_sums(pred: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """``sum_S (pred - truth)^2`` per channel of ``[..., X, Y, Z, C]`` fields (leading dims
    broadcast), ``[..., C]``, slab by slab (no frame-sized temporary)."""
    lead = torch.broadcast_shapes(  # type: ignore[no-untyped-call]
        pred.shape[:-4], truth.shape[:-4]
    )
    shape = pred.shape[-4:]
    frames = [t.expand(*lead, *shape).reshape(math.prod(lead), *shape) for t in (pred, truth)]
    sums = _slab_channel_sums(frames, lambda s: (s[0] - s[1]).square_())
    return sums.reshape(*lead, shape[-1])


def _moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    lead, (nx, ny, nz, c) = x.shape[:-4], x.shape[-4:]
    frame = x.reshape(math.prod(lead), nx, ny, nz, c)
    n_points = nx * ny * nz
    mean = channel_sums(frame) / n_points
    row = mean.repeat(1, nz)[:, None, :]  # [B, 1, Z*C]: the mean broadcast along a wide row

    def centred_squares(slab: list[torch.Tensor]) -> torch.Tensor:
        batch, length = slab[0].shape[:2]
        wide = slab[0].reshape(batch, length * ny, nz * c)
        return (wide - row).square_().view(slab[0].shape)

    variance = _slab_channel_sums([frame], centred_squares) / n_points
    return mean.reshape(*lead, c), variance.reshape(*lead, c)


def spatial_moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(mean_S, var_S)`` per channel of ``x [..., X, Y, Z, C]``, each ``[..., C]``, in ``x``'s
    dtype (population variance, units of the channel squared).

    Two passes (mean, then centred squares): accurate in float32 even where the mean dwarfs the
    spread (density, a guide field). Memoized: callers must not edit the returned tensors.
    """
    return memoized(x, "moments", lambda: _moments(x))


def norms_of_components(
    bx: torch.Tensor, by: torch.Tensor, bz: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(mean_S |B|^2, mean_S |B|)`` from the three components ``[..., X, Y, Z]``, each
    ``[...]``."""
    b2 = bx * bx
    b2.addcmul_(by, by).addcmul_(bz, bz)
    mean_b2 = b2.mean(dim=SCALAR_DIMS)
    return mean_b2, b2.sqrt_().mean(dim=SCALAR_DIMS)


def magnetic_norms(b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(mean_S |B|^2, mean_S |B|)`` of ``b [..., X, Y, Z, 3]``, each ``[...]``.

    Memoized: callers must not edit the returned tensors.
    """
    return memoized(b, "magnetic_norms", lambda: norms_of_components(*b.unbind(dim=-1)))


def component_transform(component: torch.Tensor) -> torch.Tensor:
    """``rfftn`` of a scalar field ``[..., X, Y, Z]`` (a component view ``f[..., k]``) over its
    three spatial axes, complex ``[..., X, Y, Z//2 + 1]`` (unnormalised, torch's sign convention).

    Memoized: callers must not edit the returned tensor.
    """

    def transform() -> torch.Tensor:
        f_hat: torch.Tensor = torch.fft.rfftn(component, dim=SCALAR_DIMS)
        return f_hat

    return memoized(component, "rfftn", transform)


def component_transforms(f: torch.Tensor) -> list[torch.Tensor]:
    """``component_transform`` of each component ``f[..., k]`` of ``f [..., X, Y, Z, K]``,
    ``K`` tensors ``[..., X, Y, Z//2 + 1]``."""
    return [component_transform(f[..., k]) for k in range(f.shape[-1])]
