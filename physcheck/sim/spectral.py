"""Fourier machinery of the reference solver: wavenumbers, transforms, 2/3-rule truncation.

The box is ``[0, L)^3`` with ``n`` points per axis. Spectra live on the ``rfftn`` grid
``[..., X, Y, Z//2 + 1]`` (unnormalised forward transform, as ``torch.fft.rfftn``);
grid fields are ``[..., X, Y, Z]``. Angular wavenumbers ``k = 2 pi n / L`` (radians per
length) are used for derivatives; integer wavenumbers ``n`` (cycles per box) for masks.
"""

from __future__ import annotations

import math

import torch


class SpectralGrid:
    """Wavenumbers, dealiasing mask and transforms of an ``n^3`` periodic box of side ``box_size``.

    ``k``: ``[3, X, Y, Zr]`` angular wavenumbers with the Nyquist entry of each axis set to 0
    (real derivatives, idempotent projection); ``k2 = |k|^2`` (Nyquist included, for the
    dissipation operators); ``n_int``: ``[3, X, Y, Zr]`` absolute integer wavenumbers;
    ``dealias``: 1 where every ``|n_j| < n / 3`` (the 2/3 rule), else 0.
    """

    def __init__(
        self, n: int, box_size: float, *, device: torch.device | str, dtype: torch.dtype
    ) -> None:
        self.n, self.box_size, self.dtype = n, box_size, dtype
        self.device = torch.device(device)
        scale = 2 * math.pi / box_size
        full = torch.fft.fftfreq(n, d=1.0 / n, dtype=dtype, device=self.device)
        half = torch.fft.rfftfreq(n, d=1.0 / n, dtype=dtype, device=self.device)
        n_int = torch.stack(torch.meshgrid(full.abs(), full.abs(), half, indexing="ij"))
        self.n_int = n_int
        self.k2 = ((n_int * scale) ** 2).sum(0)
        k_full, k_half = full.clone(), half.clone()
        if n % 2 == 0:
            k_full[n // 2] = 0
            k_half[-1] = 0
        self.k = torch.stack(
            torch.meshgrid(k_full * scale, k_full * scale, k_half * scale, indexing="ij")
        )
        k2_deriv = (self.k**2).sum(0)
        self.inv_k2 = torch.where(k2_deriv > 0, 1.0 / torch.where(k2_deriv > 0, k2_deriv, 1.0), 0.0)
        cutoff = n / 3.0
        self.dealias = (n_int < cutoff).all(dim=0).to(dtype)
        #: largest |k|^2 kept by the truncation (a corner of the dealiased cube), radians^2 / length^2
        self.k2_max_kept = float((self.k2 * self.dealias).max())

    @property
    def volume_points(self) -> int:
        return self.n**3

    def fft(self, f: torch.Tensor) -> torch.Tensor:
        """Grid ``[..., X, Y, Z]`` -> spectrum ``[..., X, Y, Z//2+1]``."""
        out: torch.Tensor = torch.fft.rfftn(f, dim=(-3, -2, -1))
        return out

    def ifft(self, f_hat: torch.Tensor) -> torch.Tensor:
        """Spectrum ``[..., X, Y, Z//2+1]`` -> grid ``[..., X, Y, Z]``."""
        out: torch.Tensor = torch.fft.irfftn(f_hat, s=(self.n,) * 3, dim=(-3, -2, -1))
        return out

    def grad(self, f_hat: torch.Tensor) -> torch.Tensor:
        """Spectral gradient of scalars ``[B, X, Y, Zr]`` -> ``[B, 3, X, Y, Zr]``."""
        return 1j * self.k * f_hat[:, None]

    def div(self, v_hat: torch.Tensor) -> torch.Tensor:
        """Spectral divergence of ``[B, 3, X, Y, Zr]`` -> ``[B, X, Y, Zr]``."""
        return 1j * (self.k * v_hat).sum(1)

    def curl(self, v_hat: torch.Tensor) -> torch.Tensor:
        """Spectral curl of ``[B, 3, X, Y, Zr]``."""
        kx, ky, kz = self.k
        vx, vy, vz = v_hat[:, 0], v_hat[:, 1], v_hat[:, 2]
        return 1j * torch.stack((ky * vz - kz * vy, kz * vx - kx * vz, kx * vy - ky * vx), dim=1)

    def project(self, v_hat: torch.Tensor) -> torch.Tensor:
        """Solenoidal part of ``[B, 3, X, Y, Zr]``; the k = 0 mode is kept."""
        return v_hat - self.k * ((self.k * v_hat).sum(1, keepdim=True) * self.inv_k2)

    def mode_index(self, n_vec: tuple[int, int, int]) -> tuple[int, int, int] | None:
        """Position on the rfft grid of integer wavenumber ``n_vec``, or ``None`` when its
        z-component is negative (the mode is stored as its conjugate twin at ``-n_vec``)."""
        nx, ny, nz = n_vec
        if nz < 0:
            return None
        return nx % self.n, ny % self.n, nz


__all__ = ["SpectralGrid"]
