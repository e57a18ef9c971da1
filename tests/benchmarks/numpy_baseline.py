"""A research-script baseline of physcheck's per-frame diagnostics, in plain numpy.

Written the way analysis scripts usually are: one frame at a time, full complex
FFTs, a boolean mask per spectral bin, Python loops over channels. It computes
the same quantities as ``physcheck.diagnostics`` (and is checked against it in
``test_bench_pipeline.py``) so that the benchmarks compare like with like.
Frame layout: ``[X, Y, Z, C]`` in MHD_64 channel order.
"""

from __future__ import annotations

import numpy as np

B_CHANNELS = (1, 2, 3)
V_CHANNELS = (4, 5, 6)


def vrmse(pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per-channel VRMSE, the_well convention (ddof 1, eps 1e-7)."""
    out = np.empty(pred.shape[-1])
    for c in range(pred.shape[-1]):
        mse = np.mean((pred[..., c] - truth[..., c]) ** 2)
        out[c] = np.sqrt(mse / (np.var(truth[..., c], ddof=1) + 1e-7))
    return out


def divergence_spectral(b: np.ndarray) -> np.ndarray:
    """Spectral div B of ``b [X, Y, Z, 3]`` (grid spacing 1, Nyquist zeroed)."""
    shape = b.shape[:3]
    div_hat = np.zeros(shape, dtype=complex)
    for j in range(3):
        n = shape[j]
        k = 2 * np.pi * np.fft.fftfreq(n)
        if n % 2 == 0:
            k[n // 2] = 0.0
        k = k.reshape([-1 if a == j else 1 for a in range(3)])
        div_hat += 1j * k * np.fft.fftn(b[..., j])
    return np.real(np.fft.ifftn(div_hat))


def divergence_central(b: np.ndarray) -> np.ndarray:
    """Second-order periodic central-difference div B of ``b [X, Y, Z, 3]``."""
    return sum(
        (np.roll(b[..., j], -1, axis=j) - np.roll(b[..., j], 1, axis=j)) / 2 for j in range(3)
    )


def divb_ratio(div: np.ndarray, b: np.ndarray) -> float:
    """rms(div B) / mean |B|."""
    return float(np.sqrt(np.mean(div**2)) / np.mean(np.sqrt(np.sum(b**2, axis=-1))))


def perpendicular_spectrum(field: np.ndarray, n_par_max: float) -> np.ndarray:
    """E(n_perp | n_par <= n_par_max) of each component of ``field [X, Y, Z, K]``, guide x,
    ``[K, N//2 + 1]``, one boolean mask per shell."""
    n = field.shape[0]
    freqs = [n_ * np.fft.fftfreq(n_) for n_ in field.shape[:3]]
    nx, ny, nz = np.meshgrid(*freqs, indexing="ij")
    n_par = np.abs(nx)
    n_perp = np.sqrt(ny**2 + nz**2)
    spectrum = np.zeros((field.shape[-1], n // 2 + 1))
    for comp in range(field.shape[-1]):
        power = np.abs(np.fft.fftn(field[..., comp])) ** 2 / field[..., comp].size ** 2
        for m in range(n // 2 + 1):
            mask = (n_par <= n_par_max) & (n_perp >= m - 0.5) & (n_perp < m + 0.5)
            spectrum[comp, m] = power[mask].sum()
    return spectrum


def energies(frame: np.ndarray) -> dict[str, float]:
    """E_B, E_K, their ratio, <|B|> and mass of one frame."""
    b = frame[..., list(B_CHANNELS)]
    v = frame[..., list(V_CHANNELS)]
    rho = frame[..., 0]
    e_b = float(np.mean(np.sum(b**2, axis=-1)) / 2)
    e_k = float(np.mean(rho * np.sum(v**2, axis=-1)) / 2)
    return {
        "magnetic": e_b,
        "kinetic": e_k,
        "ratio": e_b / e_k,
        "mean_abs_b": float(np.mean(np.sqrt(np.sum(b**2, axis=-1)))),
        "mass": float(np.mean(rho)),
    }


def frame_numbers(frame: np.ndarray, spectrum: bool = True) -> dict[str, object]:
    """A frame's own numbers: div B (central, physcheck's default operator), variances,
    energies and the perpendicular spectra of B_y and B_z."""
    n = frame.shape[0]
    b = frame[..., list(B_CHANNELS)]
    out: dict[str, object] = {
        "divb_central": divb_ratio(divergence_central(b), b),
        "energies": energies(frame),
        "variance": np.array([np.var(frame[..., c]) for c in range(frame.shape[-1])]),
    }
    if spectrum:
        out["spectrum"] = perpendicular_spectrum(frame[..., [2, 3]], n / 16)
    return out


def frame_diagnostics(
    pred: np.ndarray, truth: np.ndarray, reference: np.ndarray | None = None
) -> dict[str, object]:
    """Everything physcheck records for one predicted ``[X, Y, Z, 7]`` frame: its VRMSE against
    the truth, its own numbers and the truth's, and (with ``reference``, another rollout's frame)
    the VRMSE and relative distance to that reference."""
    out: dict[str, object] = {"vrmse": vrmse(pred, truth)}
    out.update({f"{k}_pred": v for k, v in frame_numbers(pred).items()})
    out.update({f"{k}_truth": v for k, v in frame_numbers(truth).items()})
    if reference is not None:
        out["vs_reference_vrmse"] = float(np.mean(vrmse(pred, reference)))
        out["vs_reference_relative"] = float(
            np.linalg.norm(pred - reference) / np.linalg.norm(pred)
        )
    return out
