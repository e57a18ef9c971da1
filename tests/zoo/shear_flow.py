"""The model zoo's shear_flow members: an exact replay of a shear_flow split, models that
each break exactly one of the profile's constraints, and an equivariant replay with and without
a preferred direction (``tests.zoo`` holds the MHD members).

Channels (the shear_flow profile's): tracer, pressure, velocity_x, velocity_y, on a 2D grid
``[B, X, Y, C]``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from physcheck.diagnostics.symmetry import SymmetryGroup
from physcheck.fields import FieldLayout
from physcheck.profiles import SHEAR_FLOW
from tests.zoo import Replay, SymmetricReplay

LAYOUT = FieldLayout.of(SHEAR_FLOW)
TRACER, PRESSURE = LAYOUT.index("tracer"), LAYOUT.index("pressure")
VELOCITY = list(LAYOUT.velocity)


class ShearReplay(Replay):
    """``tests.zoo.Replay`` on shear_flow data: the true next frame of the nearest true frame,
    matched on the velocity."""

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.layout = LAYOUT


class Compressible(ShearReplay):
    """The true next frame plus a small gradient field in the velocity, ``grad phi`` with
    ``phi = a cos(2 pi x / N_x) cos(2 pi y / N_y)`` (grid units): a divergence the truth does
    not have, with an energy (about 0.1 % of the flow's) far below what ``budgets`` sees."""

    carry = False
    amplitude = 0.15

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        nx, ny = out.shape[-3], out.shape[-2]
        x = torch.arange(nx, dtype=out.dtype, device=out.device)[:, None]
        y = torch.arange(ny, dtype=out.dtype, device=out.device)[None, :]
        kx, ky = 2 * math.pi / nx, 2 * math.pi / ny
        gx = -self.amplitude * kx * torch.sin(kx * x) * torch.cos(ky * y)
        gy = -self.amplitude * ky * torch.cos(kx * x) * torch.sin(ky * y)
        out = out.clone()
        out[..., VELOCITY[0]] += gx
        out[..., VELOCITY[1]] += gy
        return out


class TracerOvershoot(ShearReplay):
    """The true next frame with the tracer stretched 1.15x about its mean: new extremes (a
    broken maximum principle) with the same integral and the same flow."""

    carry = False

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        tracer = out[..., TRACER]
        mean = tracer.mean(dim=(-2, -1), keepdim=True)
        out[..., TRACER] = mean + 1.15 * (tracer - mean)
        return out


class TracerLeak(ShearReplay):
    """The true next frame with 0.01 added to the tracer: its integral is not conserved, while
    its range moves by 1 % (within ``bounds``)."""

    carry = False

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        out[..., TRACER] += 0.01
        return out


class EnergyInjection(ShearReplay):
    """Feeds its own velocity back 3 % stronger each step: the kinetic energy grows where the
    unforced flow can only lose it; the tracer and the divergence are untouched."""

    def modify(self, out, last, matched, traj, t):  # type: ignore[no-untyped-def]
        out = out.clone()
        out[..., VELOCITY] *= 1.03
        return out


class SymmetricShear(SymmetricReplay):
    """``tests.zoo.SymmetricReplay`` on shear_flow data: matches its input against every frame
    moved by the profile's group (shifts, x -> -x, y -> -y, both) and returns the moved true
    next frame, so ``model(T h) = T model(h)``; declares ``equivariant = True``."""

    def __init__(self, data: Any) -> None:
        super().__init__(data, LAYOUT)

    def symmetry_group(self) -> SymmetryGroup:
        return SymmetryGroup.of(SHEAR_FLOW, LAYOUT, tuple(self.frames.shape[2:4]))


class Drift(SymmetricShear):
    """``SymmetricShear`` plus a uniform drift of 1e-3 along +x in ``u_x`` each step (no
    feedback): a preferred direction. Divergence-free, its energy a few 1e-6 of the flow's,
    the tracer untouched; ``x -> -x`` (and the half turn) maps the drift onto one along -x, so
    the model does not commute with them."""

    carry = False
    drift = 1e-3

    def modify_one(self, out: torch.Tensor, last: torch.Tensor, matched: torch.Tensor) -> torch.Tensor:
        out = out.clone()
        out[..., VELOCITY[0]] += self.drift
        return out


def symmetric(data: Any) -> Replay:
    return SymmetricShear(data)


def drift(data: Any) -> Replay:
    return Drift(data)


def exact(data: Any) -> Replay:
    return ShearReplay(data)


def compressible(data: Any) -> Replay:
    return Compressible(data)


def tracer_overshoot(data: Any) -> Replay:
    return TracerOvershoot(data)


def tracer_leak(data: Any) -> Replay:
    return TracerLeak(data)


def energy_injection(data: Any) -> Replay:
    return EnergyInjection(data)
