"""The divergence of a layout's divergence-free field in any dimension (an incompressible
flow's velocity): zero for a stream-function field, the analytic value for a gradient field
under either operator, and the MHD path's number for the same 3D field."""

from __future__ import annotations

import math

import pytest
import torch

from physcheck.diagnostics.frame_statistics import frame_statistics
from physcheck.fields import MHD_LAYOUT, FieldLayout
from physcheck.profiles import SHEAR_FLOW
from physcheck.strategies import mhd_state

LAYOUT_2D = FieldLayout.of(SHEAR_FLOW)  # tracer, pressure, velocity_x, velocity_y
NX, NY = 32, 64


def grid() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.arange(NX, dtype=torch.float64)[:, None].expand(NX, NY)
    y = torch.arange(NY, dtype=torch.float64)[None, :].expand(NX, NY)
    return x, y


def frame(ux: torch.Tensor, uy: torch.Tensor) -> torch.Tensor:
    return torch.stack([torch.zeros_like(ux), torch.zeros_like(ux), ux, uy], dim=-1)[None]


def test_a_stream_function_field_has_no_divergence() -> None:
    x, y = grid()
    kx, ky = 2 * math.pi / NX, 2 * math.pi * 3 / NY
    # u = (d_y psi, -d_x psi) for psi = sin(kx x) cos(ky y), differentiated exactly
    ux = -ky * torch.sin(kx * x) * torch.sin(ky * y)
    uy = -kx * torch.cos(kx * x) * torch.cos(ky * y)
    stats = frame_statistics(frame(ux, uy), layout=LAYOUT_2D, methods=("spectral", "central"))
    assert float(stats.divb_spectral[0]) < 1e-14
    # the central operator's truncation error: div = (ky sin kx - kx sin ky) cos(kx x) sin(ky y)
    truncation = abs(ky * math.sin(kx) - kx * math.sin(ky)) / 2  # rms of cos x sin: 1/2
    mean_abs = float(torch.sqrt(ux.square() + uy.square()).mean())
    assert float(stats.divb_central[0]) == pytest.approx(truncation / mean_abs, rel=1e-10)


def test_a_gradient_field_has_the_analytic_divergence_under_each_operator() -> None:
    x, _ = grid()
    k = 2 * math.pi / NX
    ux = -k * torch.sin(k * x)  # grad cos(k x): div = -k^2 cos(k x)
    stats = frame_statistics(frame(ux, torch.zeros_like(ux)), layout=LAYOUT_2D, methods=("spectral", "central"))
    mean_abs = k * float(torch.sin(k * torch.arange(NX, dtype=torch.float64)).abs().mean())
    assert float(stats.mean_abs_b[0]) == pytest.approx(mean_abs, rel=1e-12)
    assert float(stats.divb_spectral[0]) == pytest.approx(k * k / math.sqrt(2) / mean_abs, rel=1e-12)
    assert float(stats.divb_central[0]) == pytest.approx(k * math.sin(k) / math.sqrt(2) / mean_abs, rel=1e-12)


def test_a_3d_incompressible_velocity_gets_the_magnetic_path_s_number() -> None:
    """The same 3D field as MHD's B (fused path) and as the solenoidal velocity of a layout
    without a magnetic field (generic path): the same ratios."""
    field = mhd_state(8, seed=4, dtype=torch.float64)[..., 1:4]
    as_b = torch.cat([torch.ones_like(field[..., :1]), field, torch.zeros_like(field)], dim=-1)
    flow = FieldLayout(("density", "velocity_x", "velocity_y", "velocity_z"), guide_axis=None, solenoidal="velocity")
    as_u = torch.cat([torch.ones_like(field[..., :1]), field], dim=-1)
    methods = ("spectral", "central")
    mhd = frame_statistics(as_b[None], layout=MHD_LAYOUT, methods=methods)
    generic = frame_statistics(as_u[None], layout=flow, methods=methods)
    assert float(generic.divb_spectral[0]) == pytest.approx(float(mhd.divb_spectral[0]), rel=1e-10)
    assert float(generic.divb_central[0]) == pytest.approx(float(mhd.divb_central[0]), rel=1e-10)
    assert float(generic.mean_abs_b[0]) == pytest.approx(float(mhd.mean_abs_b[0]), rel=1e-12)


def test_the_enstrophy_of_a_solver_frame_is_the_solver_s() -> None:
    """``mean |curl u|^2 / 2`` from the frame statistics (physical spacing) equals the shear
    flow solver's own budget on the same state, and a magnetic layout has none."""
    from physcheck.sim.shear_flow import (
        PeriodicGrid2D,
        ShearFlowParameters,
        budgets,
        initial_condition,
    )

    grid = PeriodicGrid2D(32, 64)
    velocity, tracer = initial_condition(grid, ShearFlowParameters(n_shear=4, n_blobs=3))
    state = torch.stack([tracer, torch.zeros_like(tracer), velocity[0], velocity[1]], dim=-1)[None]
    stats = frame_statistics(state, layout=LAYOUT_2D, spacing=grid.spacing)
    expected = budgets(grid, velocity[None], tracer[None])["enstrophy"]
    assert float(stats.enstrophy[0]) == pytest.approx(float(expected[0]), rel=1e-10)
    mhd = frame_statistics(mhd_state(8, seed=1)[None], layout=MHD_LAYOUT)
    assert math.isnan(float(mhd.enstrophy[0]))
