"""Perpendicular energy spectra ``E(n_perp | n_par -> 0)``, slopes, bands and pile-up.

Conventions (exponax-style, spelled out):

- Power of a real field ``f`` on an ``X x Y x Z`` grid is Parseval-normalised,
  ``P(n) = |FFTn(f)(n)|^2 / (X Y Z)^2``, so that the sum over *all* modes equals
  ``mean_S(f^2)``. For a cube of side N that is ``|FFTn f|^2 / N^6``.
- Wavenumbers are integers ``n = N * fftfreq(N)`` (cycles per box), not angular.
- ``n_par = |n . b|`` with ``b`` the unit guide vector (the ``guide_axis``, or an explicit
  ``guide`` vector such as the truth frame's mean field); ``n_perp = sqrt(|n|^2 - n_par^2)``.
- The perpendicular spectrum keeps the modes with ``n_par <= n_par_max`` (default
  ``N/16``: 4 at N = 64, the paper's two lowest of 16 parallel bins) and sums their power
  into integer shells ``m - 1/2 <= n_perp < m + 1/2`` for ``m = 0 .. N/2``; modes with
  larger ``n_perp`` (the corners) are dropped. Shell energies are *summed*, not averaged.
- Bands are fractions of ``N/2``: low ``m < N/8``, mid ``N/8 <= m < 3N/8``, high
  ``3N/8 <= m <= N/2``. At N = 64 these are shells 0-7 / 8-23 / 24-32, i.e. the paper's
  bins 0-3 / 4-11 / 12-15 when its 16 bins are two shells wide.

Fields are channels last, ``[..., X, Y, Z, K]``; the K components' spectra are summed
(``K = 2`` for ``(B_y, B_z)`` gives the perpendicular magnetic spectrum).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import torch

from physcheck.diagnostics._fourier import integer_wavenumbers, parseval_weights
from physcheck.diagnostics._shared import component_transforms
from physcheck.diagnostics._tensor import as_tensor, require_field
from physcheck.errors import ArgumentError

#: band edges as fractions of N/2: low [0, 1/4), mid [1/4, 3/4), high [3/4, 1]
BAND_EDGES = (0.25, 0.75)


def wavenumbers(
    n: int,
    *,
    spacing: float = 1.0,
    angular: bool = False,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Wavenumbers of an axis of ``n`` points: integers ``n * fftfreq(n)``, or angular
    ``k = 2 pi n / (N dx)`` (radians per length) with ``angular=True``."""
    k = integer_wavenumbers(
        n, device=torch.device(device) if device is not None else None, dtype=dtype
    )
    return k * (2 * torch.pi / (n * spacing)) if angular else k


def _shell_index(
    shape: tuple[int, int, int],
    *,
    guide_axis: int,
    guide: torch.Tensor | None,
    n_par_max: float,
    n_shells: int,
    device: torch.device,
    dtype: torch.dtype,
) -> torch.Tensor:
    """Shell of each rfft-grid mode, ``n_shells`` (an overflow bin) where the mode is excluded.

    Returns int64 ``[X, Y, Z//2+1]``, or ``[..., X, Y, Z//2+1]`` for a batched ``guide``.
    """
    n = [
        integer_wavenumbers(s, half=(axis == 2), device=device, dtype=dtype)
        for axis, s in enumerate(shape)
    ]
    nx, ny, nz = torch.meshgrid(*n, indexing="ij")
    grid = torch.stack((nx, ny, nz), dim=-1)  # [X, Y, Zr, 3]
    n2 = (grid**2).sum(dim=-1)
    if guide is None:
        n_par = grid[..., guide_axis].abs()
    else:
        unit = guide / torch.linalg.vector_norm(guide, dim=-1, keepdim=True)
        n_par = (grid * unit[..., None, None, None, :]).sum(dim=-1).abs()
    n_perp = torch.sqrt(torch.clamp(n2 - n_par**2, min=0.0))
    shell = torch.floor(n_perp + 0.5).to(torch.int64)
    keep = (n_par <= n_par_max + 1e-6) & (shell < n_shells)
    return torch.where(keep, shell, torch.full_like(shell, n_shells))


@lru_cache(maxsize=32)
def _spectrum_plan(
    shape: tuple[int, int, int],
    guide_axis: int,
    n_par_max: float,
    device: torch.device,
    dtype: torch.dtype,
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """The rfft-grid planes along the guide axis with ``|n_par| <= n_par_max`` (the only ones
    the spectrum keeps), the shell of each mode in those planes (flat; ``n_shells`` marks an
    excluded mode) and ``n_shells``. Cached per grid (shared tensors: never edit them)."""
    n_shells = min(shape[a] for a in range(3) if a != guide_axis) // 2 + 1
    index = _shell_index(
        shape,
        guide_axis=guide_axis,
        guide=None,
        n_par_max=n_par_max,
        n_shells=n_shells,
        device=device,
        dtype=dtype,
    )
    n_guide = integer_wavenumbers(shape[guide_axis], half=guide_axis == 2, dtype=torch.float64)
    planes = torch.nonzero(n_guide.abs() <= n_par_max + 1e-6).flatten().to(device)
    return planes, index.index_select(guide_axis, planes).reshape(-1), n_shells


def _bin(power: torch.Tensor, index: torch.Tensor, n_shells: int) -> torch.Tensor:
    """Sum ``power [..., *G]`` into shells by ``index`` (flat ``[prod G]`` or ``[..., prod G]``;
    the value ``n_shells`` drops a mode), ``[..., n_shells]``: one ``scatter_add``."""
    rows = power.reshape(-1, index.shape[-1])
    flat_index = index.expand(rows.shape[0], -1) if index.ndim == 1 else index.reshape(rows.shape)
    energy = torch.zeros(rows.shape[0], n_shells + 1, dtype=rows.dtype, device=rows.device)
    energy.scatter_add_(1, flat_index, rows)
    return energy[:, :n_shells].reshape(*power.shape[:-3], n_shells)


def _power(transforms: list[torch.Tensor]) -> torch.Tensor:
    """``sum_K |f_hat_K|^2`` of complex transforms ``[..., X', Y', Zr']``."""
    total: torch.Tensor | None = None
    for f_hat in transforms:
        power = torch.view_as_real(f_hat).square().sum(dim=-1)
        total = power if total is None else total.add_(power)
    assert total is not None
    return total


def perpendicular_spectrum(
    field: torch.Tensor,
    *,
    guide_axis: int = 0,
    n_par_max: float | None = None,
    guide: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Perpendicular spectrum ``E(n_perp | n_par <= n_par_max)`` of ``field [..., X, Y, Z, K]``.

    Returns ``(shells, E)``: ``shells`` the integer shell centres ``0 .. N/2`` as a float tensor
    ``[N//2 + 1]``, ``E`` ``[..., N//2 + 1]`` the summed power per shell (units of ``field^2``;
    ``E.sum()`` equals ``mean_S(sum_K f^2)`` restricted to the kept modes). N is the smallest
    perpendicular grid size. ``guide``: a guide vector ``[3]`` or ``[..., 3]`` (e.g. the truth's
    mean B) used instead of ``guide_axis``; a zero guide vector gives NaN. Binning is one
    ``scatter_add`` over a cached shell index (no loop over shells); with ``guide_axis`` only
    the planes ``|n_par| <= n_par_max`` are touched. Each component's real FFT is shared with
    ``divb_ratio(method="spectral")`` of the same tensor (see ``_memo``).
    NaN or Inf in the field makes every shell NaN.
    """
    f = as_tensor(field)
    require_field(f)
    shape: tuple[int, int, int] = (f.shape[-4], f.shape[-3], f.shape[-2])
    real_dtype = f.real.dtype if f.is_complex() else f.dtype
    transforms = component_transforms(f)  # K x [..., X, Y, Zr]
    weight = parseval_weights(shape, f.device, real_dtype)  # [Zr], over S^2
    if guide is None:
        limit = shape[guide_axis] / 16 if n_par_max is None else float(n_par_max)
        planes, index, n_shells = _spectrum_plan(shape, guide_axis, limit, f.device, real_dtype)
        dim = guide_axis - 3  # the guide axis of a [..., X, Y, Zr] transform
        power = _power([f_hat.index_select(dim, planes) for f_hat in transforms])
        power = power * (weight.index_select(0, planes) if guide_axis == 2 else weight)
        spectrum = _bin(power, index, n_shells)
    else:
        n_grid = min(shape)
        n_shells = n_grid // 2 + 1
        limit = n_grid / 16 if n_par_max is None else float(n_par_max)
        index = _shell_index(
            shape,
            guide_axis=guide_axis,
            guide=as_tensor(guide, like=f),
            n_par_max=limit,
            n_shells=n_shells,
            device=f.device,
            dtype=real_dtype,
        )
        power = _power(transforms) * weight  # [..., X, Y, Zr]
        index = torch.broadcast_to(index, power.shape).reshape(*power.shape[:-3], -1)
        spectrum = _bin(power, index, n_shells)
    shells = torch.arange(n_shells, device=f.device, dtype=real_dtype)
    return shells, spectrum


def spectral_slope(
    shells: torch.Tensor, E: torch.Tensor, *, lo: float = 2, hi: float | None = None
) -> torch.Tensor:
    """Least-squares slope of ``log E`` against ``log m`` over shells ``lo <= m <= hi``, ``[...]``.

    ``hi`` defaults to ``N/4`` (``N = 2 * (len(shells) - 1)``). A spectrum falling as ``m^-a``
    has slope ``-a``. A zero or negative shell energy in the range gives NaN (log of <= 0).
    """
    shells = as_tensor(shells)
    e = as_tensor(E)
    n = 2 * (shells.numel() - 1)
    hi = n / 4 if hi is None else hi
    select = (shells >= lo) & (shells <= hi)
    if int(select.sum()) < 2:
        raise ArgumentError(
            f"the slope needs at least two shells in [{lo}, {hi}]; the spectrum has shells 0..{n // 2}"
        )
    x = torch.log(shells[select]).to(e.dtype)
    with torch.no_grad():
        y = torch.log(
            torch.where(
                e[..., select] > 0, e[..., select], torch.full_like(e[..., select], float("nan"))
            )
        )
    xc = x - x.mean()
    return ((y - y.mean(dim=-1, keepdim=True)) * xc).sum(dim=-1) / (xc**2).sum()


class Bands(NamedTuple):
    """Energy in the low, mid and high n_perp bands, each ``[...]``."""

    low: torch.Tensor
    mid: torch.Tensor
    high: torch.Tensor


def band_energies(E: torch.Tensor, *, cutoff: float | None = None) -> Bands:
    """Sum of ``E [..., N//2 + 1]`` over the low ``[0, 1/4)``, mid ``[1/4, 3/4)`` and high
    ``[3/4, 1]`` fractions of ``N/2`` (shells 0-7 / 8-23 / 24-32 at N = 64).

    ``cutoff``: the largest resolved shell of the data (e.g. ``N/3`` for a 2/3-dealiased
    solver); the bands are then fractions of ``cutoff`` and shells beyond it are left out.
    """
    e = as_tensor(E)
    half = e.shape[-1] - 1
    top = float(half) if cutoff is None else min(float(cutoff), float(half))
    m = torch.arange(half + 1, device=e.device)
    low = m < BAND_EDGES[0] * top
    high = (m >= BAND_EDGES[1] * top) & (m <= top)
    mid = ~(low | high) & (m <= top)
    return Bands(e[..., low].sum(dim=-1), e[..., mid].sum(dim=-1), e[..., high].sum(dim=-1))


def low_high_ratio(E: torch.Tensor, *, cutoff: float | None = None) -> torch.Tensor:
    """``E_low / E_high`` (~150 for healthy MHD_64 truth; ~3 once high-n energy piles up);
    ``cutoff`` as in ``band_energies``."""
    bands = band_energies(E, cutoff=cutoff)
    return bands.low / bands.high


def pile_up(
    E_step: torch.Tensor, E_first: torch.Tensor, *, cutoff: float | None = None
) -> torch.Tensor:
    """High-n pile-up at a step: ``(E_high(s) / E_high(1)) / (E_low(s) / E_low(1))``.

    1 when the spectrum keeps its shape; ~50 for zero-shot Walrus at step 50. ``cutoff`` as in
    ``band_energies``.
    """
    now, first = band_energies(E_step, cutoff=cutoff), band_energies(E_first, cutoff=cutoff)
    return (now.high / first.high) / (now.low / first.low)
