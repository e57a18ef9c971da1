"""Every per-frame number the physics checks need, in a few fused passes over a frame.

This is the streaming path of a rollout: each predicted (and each true) frame goes through
``frame_statistics`` once. It gives the same numbers as the single-purpose diagnostics
(``channel_variance``, ``energies``, ``divb_ratio`` with either operator,
``perpendicular_spectrum``; tested against them), but shares the work between them:

- the frame ``[B, *S, C]`` (channels last; ``[B, X, Y, Z, C]`` in 3D) is transposed once
  into rows ``[B, C, S]``, so that every reduction runs over contiguous memory;
- channel means and variances come from a two-pass (centred) sum per row, and the magnetic
  energy from the same moments (``mean B_j^2 = var_j + mean_j^2``);
- one real FFT of ``B`` gives both divergence ratios by Parseval (the spectral operator
  ``i k_j`` and the central difference ``i sin(k_j dx_j) / dx_j`` act on the same
  transform; no inverse FFT) and the perpendicular spectrum of the two perpendicular
  components (one ``scatter_add`` over a cached shell index, no per-shell masks).

The channel moments and minima are computed for any layout (1 to 3 spatial dimensions, any
fields); the magnetic and flow numbers only where the layout has the fields they are made of
(NaN otherwise). Everything stays on the frame's device and in its dtype (float16/bfloat16
frames are computed in float32, which the FFT needs). NaN or Inf in a frame makes the numbers
that depend on the bad values non-finite, as the single-purpose diagnostics do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import torch

from physcheck.diagnostics._fourier import derivative_table, parseval_weights
from physcheck.diagnostics._shared import channel_sums
from physcheck.diagnostics._tensor import Spacing, as_tensor, spacing_triple
from physcheck.diagnostics.solenoidal import solenoidal_ratios
from physcheck.diagnostics.spectra import _spectrum_plan
from physcheck.errors import ArgumentError
from physcheck.fields import MHD_LAYOUT, FieldLayout


@dataclass(frozen=True)
class FrameStatistics:
    """Per-frame numbers of a batch of frames ``[B, *S, C]`` (``[B, X, Y, Z, C]`` in 3D).

    ``mean``, ``variance``, ``minimum``, ``maximum``: ``[B, C]`` (spatial mean, minimum and
    maximum, in the channel's units, and population variance over space, units of the channel squared; the
    magnetic channels' means are the mean field <B>, whose magnitude is the guide field
    B0 = |<B>|). ``momentum``: ``[B, D]`` (D spatial dimensions), the mean momentum <rho v_j>
    (density times velocity units), in velocity-channel order. ``magnetic_energy`` (mean
    |B|^2 / 2), ``kinetic_energy`` (mean rho |v|^2 / 2), ``energy_ratio``, ``mean_abs_b``,
    ``mass`` (mean rho), ``divb_spectral`` and ``divb_central`` (rms(div B) / mean |B|,
    1 / length; ``None`` unless asked for): ``[B]``. Where the layout's divergence-free field
    (``FieldLayout.solenoidal``) is another one (an incompressible flow's velocity, in 1 to 3
    dimensions), ``mean_abs_b`` and ``divb_*`` are its mean magnitude and divergence ratios,
    and ``enstrophy`` ``[B]`` (mean |curl u|^2 / 2) is a divergence-free velocity's. A
    number whose fields the layout lacks is NaN (the magnetic ones need a 3D magnetic field). ``spectrum``: ``[B, 2, M]``, the
    perpendicular spectra of the two perpendicular magnetic components (B_y, B_z for a guide
    field along x; ``M = N//2 + 1`` shells; their sum is the perpendicular magnetic spectrum),
    or ``None`` when not asked for or without a guide field.
    """

    mean: torch.Tensor
    variance: torch.Tensor
    minimum: torch.Tensor
    maximum: torch.Tensor
    enstrophy: torch.Tensor
    momentum: torch.Tensor
    magnetic_energy: torch.Tensor
    kinetic_energy: torch.Tensor
    energy_ratio: torch.Tensor
    mean_abs_b: torch.Tensor
    mass: torch.Tensor
    divb_spectral: torch.Tensor | None
    divb_central: torch.Tensor | None
    spectrum: torch.Tensor | None

    def divb(self, method: str) -> torch.Tensor:
        """The divergence ratio under ``method`` (``spectral`` or ``central``)."""
        value = {"spectral": self.divb_spectral, "central": self.divb_central}.get(method)
        if value is None:
            raise ArgumentError(
                f"no {method!r} divergence ratio here: compute it with "
                f"frame_statistics(..., methods=({method!r},)) ('spectral' or 'central')"
            )
        return value


def squared_error_sums(pred: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """``sum_S (pred - truth)^2`` per channel of ``[B, *S, C]`` frames, ``[B, C]``."""
    pred = as_tensor(pred)
    return channel_sums((pred - as_tensor(truth, like=pred)).square_())


@lru_cache(maxsize=32)
def _fourier_tables(
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
    device: torch.device,
    dtype: torch.dtype,
) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...], torch.Tensor]:
    """Spectral ``k_j``, central ``sin(k_j dx_j) / dx_j`` (broadcastable to ``[X, Y, Z//2+1]``)
    and the Parseval weight of each rfft z-plane (1 for z = 0 and Nyquist, else 2) / S^2."""
    spectral = derivative_table(shape, spacing, device, dtype)
    central = []
    for axis, (n, dx) in enumerate(zip(shape, spacing, strict=True)):
        half = axis == 2
        idx = torch.arange(n // 2 + 1 if half else n, device=device, dtype=torch.float64)
        s = torch.sin(2 * math.pi * idx / n) / dx
        if n % 2 == 0:
            s[n // 2] = 0.0  # sin(pi): exactly zero, as the roll-based operator gives
        view = [1, 1, 1]
        view[axis] = s.numel()
        central.append(s.to(dtype).reshape(view))
    return spectral, tuple(central), parseval_weights(shape, device, dtype)


def _parseval_mean_square(d_hat: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``mean_S(d^2)`` of the real field whose rfft is ``d_hat`` (as real pairs
    ``[B, X, Y, Zr, 2]``; ``weight [Zr]`` the Parseval weights), ``[B]``."""
    batch, zr = d_hat.shape[0], d_hat.shape[-2]
    per_plane = d_hat.square().reshape(batch, -1, zr * 2).sum(dim=1).view(batch, zr, 2).sum(-1)
    return per_plane @ weight


def _perpendicular_spectrum(
    b_hat: torch.Tensor,
    weight: torch.Tensor,
    layout: FieldLayout,
    shape: tuple[int, int, int],
    n_par_max: float,
) -> torch.Tensor:
    """``[B, 2, M]`` spectra of the two perpendicular components of ``b_hat [B, 3, X, Y, Zr, 2]``."""
    axis = layout.guide
    planes, index, n_shells = _spectrum_plan(shape, axis, n_par_max, b_hat.device, b_hat.dtype)
    first, second = (layout.magnetic.index(j) for j in layout.perpendicular_magnetic)
    kept = b_hat.index_select(2 + axis, planes)  # [B, 3, ..., 2]: the kept planes only
    power = torch.stack((kept[:, first], kept[:, second]), dim=1).square_()
    power = power[..., 0] + power[..., 1]  # [B, 2, X', Y', Zr']
    power = power * (weight.index_select(0, planes) if axis == 2 else weight)
    rows = power.shape[0] * 2
    energy = torch.zeros(rows, n_shells + 1, dtype=power.dtype, device=power.device)
    energy.scatter_add_(1, index.expand(rows, -1), power.reshape(rows, -1))
    return energy[:, :n_shells].view(-1, 2, n_shells)


def frame_statistics(
    frame: torch.Tensor,
    *,
    layout: FieldLayout = MHD_LAYOUT,
    spacing: Spacing = 1.0,
    spectrum: bool | Sequence[int] = True,
    n_par_max: float | None = None,
    methods: tuple[str, ...] = ("spectral", "central"),
) -> FrameStatistics:
    """All per-frame numbers of ``frame [B, *S, C]`` (``[B, X, Y, Z, C]`` in 3D; see
    ``FrameStatistics``).

    The generic numbers (channel moments and minima) are computed for any layout; the
    magnetic ones (energies, <|B|>, div B, the perpendicular spectrum) only for a 3D magnetic
    field, the flow ones (kinetic energy, momentum) where the layout has density and velocity,
    the mass where it has density: the others are NaN.
    ``spacing``: grid spacing (one number or (dx, dy, dz)) for the divergences.
    ``spectrum``: also compute the perpendicular spectrum (guide along ``layout.guide_axis``,
    ``n_par <= n_par_max``, default ``N_guide / 16``, as ``perpendicular_spectrum``): ``True``
    for every frame, or the batch rows to compute it for (``spectrum`` is then ``[len, 2, M]``,
    in that order). A layout without a guide field (``FieldLayout.has_guide_field``) has none.
    ``methods``: the divergence operators to compute (``spectral``, ``central``).
    """
    frame = as_tensor(frame)
    unknown = [m for m in methods if m not in ("spectral", "central")]
    if unknown:
        raise ArgumentError(f"unknown divergence method(s) {unknown}; use 'spectral' or 'central'")
    n_dims = layout.spatial_dims
    if frame.ndim != n_dims + 2 or frame.shape[-1] != layout.n_channels:
        axes = ", ".join("XYZ"[:n_dims])
        raise ArgumentError(
            f"frame must be [B, {axes}, C] with C = {layout.n_channels} channels "
            f"{list(layout.names)}; got shape {tuple(frame.shape)}"
        )
    if frame.dtype in (torch.float16, torch.bfloat16):
        frame = frame.float()  # the FFT and the reductions need float32 at least
    batch, *spatial, n_channels = frame.shape
    n_points = math.prod(spatial)
    # [B, C, *S]: one transposing copy
    rows = frame.permute(0, n_dims + 1, *range(1, n_dims + 1)).contiguous()

    # channel moments, two passes (mean, then centred squares): accurate in float32 even
    # where the mean dwarfs the spread (density, the guide field)
    table = rows.view(batch * n_channels, n_points)
    row_mean = table.mean(dim=-1, keepdim=True)
    variance = torch.linalg.vector_norm(table - row_mean, dim=-1).square_().div_(n_points)
    variance = variance.view(batch, n_channels)
    mean = row_mean.view(batch, n_channels)
    lowest, highest = torch.aminmax(table, dim=-1)
    minimum, maximum = lowest.view(batch, n_channels), highest.view(batch, n_channels)
    flat = rows.view(batch, n_channels, n_points)

    def missing(*trailing: int) -> torch.Tensor:
        return torch.full((batch, *trailing), math.nan, dtype=rows.dtype, device=rows.device)

    mass = mean[:, layout.density] if layout.has("density") else missing()
    if layout.has("density") and layout.has_vector("velocity"):
        momentum, kinetic = _flow(flat, layout)
    else:
        momentum, kinetic = missing(n_dims), missing()

    magnetic, mean_abs_b, enstrophy = missing(), missing(), missing()
    ratios = {method: missing() for method in methods}
    perp_spectrum = None
    if n_dims == 3 and layout.has_vector("magnetic_field"):
        shape = (spatial[0], spatial[1], spatial[2])
        magnetic_idx = list(layout.magnetic)
        magnetic = 0.5 * (variance[:, magnetic_idx] + mean[:, magnetic_idx].square()).sum(dim=-1)
        bx, by, bz = (flat[:, j] for j in magnetic_idx)
        b2 = bx * bx
        b2.addcmul_(by, by).addcmul_(bz, bz)
        mean_abs_b = b2.sqrt_().mean(dim=-1)

        first = magnetic_idx[0]
        if magnetic_idx == [first, first + 1, first + 2]:
            b_rows = rows[:, first : first + 3]  # a view: no copy
        else:
            b_rows = rows.index_select(1, torch.tensor(magnetic_idx, device=rows.device))
        b_hat = torch.view_as_real(torch.fft.rfftn(b_rows, dim=(-3, -2, -1)))  # [B, 3, X, Y, Zr, 2]
        spectral_k, central_k, weight = _fourier_tables(
            shape, spacing_triple(spacing), rows.device, rows.dtype
        )
        for method in methods:
            k = {"spectral": spectral_k, "central": central_k}[method]
            div_hat = b_hat[:, 0] * k[0][..., None]
            div_hat.add_(b_hat[:, 1] * k[1][..., None]).add_(b_hat[:, 2] * k[2][..., None])
            rms = _parseval_mean_square(div_hat, weight).sqrt()
            ratio = rms / mean_abs_b
            ratios[method] = torch.where(
                (rms == 0) & (mean_abs_b == 0), torch.zeros_like(ratio), ratio
            )

        if (
            spectrum is not False
            and not (isinstance(spectrum, Sequence) and len(spectrum) == 0)
            and layout.has_guide_field
        ):
            if spectrum is not True:
                b_hat = b_hat.index_select(0, torch.tensor(list(spectrum), device=b_hat.device))
            limit = shape[layout.guide] / 16 if n_par_max is None else float(n_par_max)
            perp_spectrum = _perpendicular_spectrum(b_hat, weight, layout, shape, limit)

    if layout.has_solenoidal and not (n_dims == 3 and layout.solenoidal == "magnetic_field"):
        # another divergence-free field (an incompressible flow's velocity): ``mean_abs_b``
        # holds its mean magnitude, ``divb_*`` its divergence ratios
        mean_abs_b, ratios, enstrophy = solenoidal_ratios(rows, layout, spacing, methods)

    return FrameStatistics(
        mean=mean,
        variance=variance,
        minimum=minimum,
        maximum=maximum,
        enstrophy=enstrophy,
        momentum=momentum,
        magnetic_energy=magnetic,
        kinetic_energy=kinetic,
        energy_ratio=magnetic / kinetic,
        mean_abs_b=mean_abs_b,
        mass=mass,
        divb_spectral=ratios.get("spectral"),
        divb_central=ratios.get("central"),
        spectrum=perp_spectrum,
    )


def _flow(flat: torch.Tensor, layout: FieldLayout) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean momentum ``<rho v_j>`` ``[B, D]`` (velocity-channel order) and the kinetic
    energy ``mean rho |v|^2 / 2`` ``[B]`` of channel rows ``flat [B, C, S]``."""
    velocity = [flat[:, j] for j in layout.velocity]
    rho = flat[:, layout.density]
    momentum = torch.stack([(rho * v).mean(dim=-1) for v in velocity], dim=-1)
    rho_v2 = velocity[0] * velocity[0]
    for v in velocity[1:]:
        rho_v2.addcmul_(v, v)
    rho_v2.mul_(rho)
    return momentum, 0.5 * rho_v2.mean(dim=-1)


def channel_moments(frame: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(mean, variance)`` over space of each channel of ``frame [B, *S, C]`` (``[B, X, Y,
    Z, C]`` in 3D), each ``[B, C]``.

    Population variance from two passes (mean, then centred squares), without transposing the
    frame: the mean is broadcast as a ``[Z*C]`` row over the ``[B, X*Y, Z*C]`` view (3D; the
    last spatial axis in general).
    """
    frame = as_tensor(frame)
    if frame.dtype in (torch.float16, torch.bfloat16):
        frame = frame.float()
    b, *spatial, c = frame.shape
    n_points = math.prod(spatial)
    last = spatial[-1]
    mean = channel_sums(frame) / n_points
    wide = frame.reshape(b, n_points // last, last * c)
    centred = (wide - mean.repeat(1, last)[:, None, :]).view(frame.shape)
    variance = channel_sums(centred.square_()) / n_points
    return mean, variance
