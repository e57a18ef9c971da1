"""Every rollout of a ``+projection`` model is projected: the main window's, the basin map's
extra windows and the equivariance check's (each projects every predicted frame onto
div B = 0 before it is fed back)."""

from __future__ import annotations

import torch

from physcheck.config import build_settings
from physcheck.suite import Suite


def projected_suite(checks: str, **extra: object) -> Suite:
    options = {
        "models": ["p=demo+projection"],
        "checks": checks,
        "window": "3:3:6",
        "trajectories": "0-1",
        "perturbations": 2,
        **extra,
    }
    return Suite(build_settings({"cache": False}, options))


def test_the_basin_map_rolls_a_projected_model_out_projected() -> None:
    """A window of the basin map that is the main window gives the main window's numbers:
    the same rollouts, the projection included."""
    suite = projected_suite("basin_determinism", starts="3")
    (row0, row1) = suite.basin_map("p")
    spreads = [r.details["spread"] for r in suite.results("p") if r.check == "basin_determinism"]
    assert [row0["spread"], row1["spread"]] == spreads
    assert [row0["basin"], row1["basin"]] == suite.measures("p").final_basins


def test_the_equivariance_rollouts_of_a_projected_model_are_projected() -> None:
    """The identity rollout of the equivariance check is the main rollout's beginning, the
    projection included."""
    suite = projected_suite("basin_determinism,equivariance", trajectories="0")
    identity, _, _ = suite.equivariance_rollouts("p")
    base = suite.record("p", "base").frames
    assert base is not None
    assert torch.equal(identity, base[:, : identity.shape[1]])
