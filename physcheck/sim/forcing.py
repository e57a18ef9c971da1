"""Time-correlated (Ornstein-Uhlenbeck) solenoidal large-scale forcing, one stream per trajectory.

The forcing acceleration (units of velocity / time) is

    f(x, t) = s * sum_{pairs n} [ P_n a_n(t) exp(i k_n . x) + c.c. ],   s = A / sqrt(8 P)

over the ``P`` pairs of integer wavenumbers ``+-n`` with ``n_min <= |n| <= n_max``
(``k_n = 2 pi n / L``), ``P_n = I - n n^T / |n|^2`` the solenoidal projector and ``A`` the
``forcing_amplitude``: the expected volume rms of ``f`` is ``A``. With ``n_par_min = 1`` the
pairs with ``n_x = 0`` (no variation along the guide field) are left out.

The complex 3-vectors ``a_n`` are **constant over each saved-frame interval** ``j``
(``j = 0`` is the first spin-up interval) and follow the exact discrete OU recurrence

    a_0 = xi_0,   a_j = r a_{j-1} + sqrt(1 - r^2) xi_j,   r = exp(-frame_interval / T_f)

with ``xi_j`` standard complex normal (real and imaginary parts N(0, 1)) drawn row by row,
``6 P`` numbers per interval, from ``numpy.random.default_rng(SeedSequence([seed, 1]))``.
Row-by-row draws are prefix-stable, so interval ``j`` depends only on ``(seed, j)`` and the
forcing parameters: the oracle rebuilds it from the seed and the frame index alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from physcheck.errors import ArgumentError
from physcheck.sim.spectral import SpectralGrid

#: SeedSequence spawn keys of the per-trajectory random streams
FORCING_STREAM = 1
INITIAL_STREAM = 2


def forcing_modes(n_min: float, n_max: float, n_par_min: int = 0) -> np.ndarray:
    """Representatives of the ``+-n`` pairs with ``n_min <= |n| <= n_max`` and
    ``|n_x| >= n_par_min`` (the guide axis is x), ``[P, 3]`` int.

    The representative is the member whose first nonzero component is positive; rows are in
    lexicographic order (deterministic).
    """
    top = math.floor(n_max)
    rows = []
    for nx in range(-top, top + 1):
        for ny in range(-top, top + 1):
            for nz in range(-top, top + 1):
                m2 = nx * nx + ny * ny + nz * nz
                if m2 == 0 or not n_min**2 - 1e-9 <= m2 <= n_max**2 + 1e-9:
                    continue
                if abs(nx) < n_par_min:
                    continue
                first = next(c for c in (nx, ny, nz) if c != 0)
                if first > 0:
                    rows.append((nx, ny, nz))
    return np.array(sorted(rows), dtype=np.int64).reshape(-1, 3)


@dataclass
class _Stream:
    rng: np.random.Generator
    values: list[np.ndarray] = field(default_factory=list)


_STREAMS: dict[tuple[int, int, float], _Stream] = {}
_MAX_STREAMS = 4096


def ou_coefficients(seed: int, interval: int, n_pairs: int, decay: float) -> np.ndarray:
    """The OU coefficients ``a_j`` of trajectory ``seed`` at interval ``j``, ``[P, 3]`` complex128.

    ``decay`` is ``r = exp(-frame_interval / T_f)`` (0: independent draws per interval).
    Computed by the recurrence from ``j = 0`` (cached per stream, so a sweep over intervals
    costs one draw per interval).
    """
    if interval < 0:
        raise ArgumentError(f"forcing interval {interval} is before the start of the run (0)")
    key = (int(seed), int(n_pairs), float(decay))
    stream = _STREAMS.get(key)
    if stream is None:
        if len(_STREAMS) >= _MAX_STREAMS:
            _STREAMS.clear()
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), FORCING_STREAM]))
        stream = _STREAMS[key] = _Stream(rng)
    gain = math.sqrt(max(0.0, 1.0 - decay * decay))
    while len(stream.values) <= interval:
        xi = stream.rng.standard_normal(6 * n_pairs).reshape(n_pairs, 3, 2)
        draw = xi[..., 0] + 1j * xi[..., 1]
        previous = stream.values[-1] if stream.values else None
        stream.values.append(draw if previous is None else decay * previous + gain * draw)
    return stream.values[interval]


class OUForcing:
    """Assembles the forcing spectrum of a batch of trajectories on a :class:`SpectralGrid`.

    ``amplitude`` A (velocity / time), ``correlation`` T_f (time), ``frame_interval`` (time),
    ``n_min``/``n_max`` the forced shell (integer wavenumbers, cycles per box).
    """

    def __init__(
        self,
        grid: SpectralGrid,
        *,
        amplitude: float,
        correlation: float,
        frame_interval: float,
        n_min: float,
        n_max: float,
        n_par_min: int = 0,
    ) -> None:
        self.grid = grid
        self.modes = forcing_modes(n_min, n_max, n_par_min)
        if len(self.modes) == 0:
            raise ArgumentError(f"no integer wavenumber with {n_min} <= |n| <= {n_max}")
        if n_max >= grid.n / 3:
            raise ArgumentError(
                f"forcing shell |n| <= {n_max} reaches the dealiasing cutoff n/3 = {grid.n / 3:.2f}"
            )
        self.decay = math.exp(-frame_interval / correlation) if correlation > 0 else 0.0
        n_pairs = len(self.modes)
        self.scale = amplitude / math.sqrt(8 * n_pairs) * grid.n**3
        unit = self.modes / np.linalg.norm(self.modes, axis=1, keepdims=True)
        projector = np.eye(3)[None] - unit[:, :, None] * unit[:, None, :]
        self.projector = torch.as_tensor(projector, dtype=torch.complex128)
        direct: list[tuple[int, int]] = []  # (pair, flat index on the rfft grid)
        conjugate: list[tuple[int, int]] = []
        shape = grid.k2.shape
        for p, (nx, ny, nz) in enumerate(self.modes.tolist()):
            for sign, target in ((1, direct), (-1, conjugate)):
                index = grid.mode_index((sign * nx, sign * ny, sign * nz))
                if index is not None:
                    flat = (index[0] * shape[1] + index[1]) * shape[2] + index[2]
                    target.append((p, flat))
        self._direct = torch.tensor(direct, dtype=torch.int64).reshape(-1, 2)
        self._conjugate = torch.tensor(conjugate, dtype=torch.int64).reshape(-1, 2)

    @property
    def n_pairs(self) -> int:
        return len(self.modes)

    def coefficients(self, seeds: list[int], interval: int) -> torch.Tensor:
        """Projected, scaled coefficients ``[B, P, 3]`` complex128 (CPU) of interval ``j``."""
        raw = np.stack([ou_coefficients(s, interval, self.n_pairs, self.decay) for s in seeds])
        a = torch.as_tensor(raw, dtype=torch.complex128)
        return torch.einsum("pij,bpj->bpi", self.projector, a) * self.scale

    def spectrum(self, seeds: list[int], interval: int) -> torch.Tensor:
        """Forcing spectrum ``[B, 3, X, Y, Zr]`` (rfftn convention, grid device and dtype)."""
        g = self.grid
        a = self.coefficients(seeds, interval)
        out = torch.zeros((len(seeds), 3, g.k2.numel()), dtype=torch.complex128)
        d, c = self._direct, self._conjugate
        out[:, :, d[:, 1]] = a[:, d[:, 0]].transpose(1, 2)
        out[:, :, c[:, 1]] = a[:, c[:, 0]].conj().transpose(1, 2)
        complex_dtype = torch.complex128 if g.dtype == torch.float64 else torch.complex64
        return out.reshape(len(seeds), 3, *g.k2.shape).to(device=g.device, dtype=complex_dtype)


__all__ = ["FORCING_STREAM", "INITIAL_STREAM", "OUForcing", "forcing_modes", "ou_coefficients"]
