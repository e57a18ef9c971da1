"""``skill`` against the best trivial model: persistence, climatology and the time-mean state
each fail it (each is no better than itself), the exact model passes. On the smoke set's
frames: the truth window starts at frame 3, after a 3-frame history."""

from __future__ import annotations

import pytest
import torch

from physcheck.checks.assertions import assert_check
from tests.checks.smoke_frames import smoke_window


@pytest.fixture(scope="module")
def window() -> tuple[torch.Tensor, torch.Tensor]:
    """``(history [B, 3, ...], truth [B, 20, ...])`` of the smoke set's test trajectories."""
    return smoke_window(20)


def trivial(name: str, history: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """The frames ``[B, K, ...]`` a trivial model predicts (as physcheck.models.baselines)."""
    last = history[:, -1:]
    if name == "persistence":
        state = last
    elif name == "climatology":
        state = last.mean(dim=(2, 3, 4), keepdim=True).expand_as(last)
    else:  # the time-mean state of the truth window, per trajectory
        state = truth.mean(dim=1, keepdim=True)
    return state.expand_as(truth).clone()


@pytest.mark.parametrize("name", ["persistence", "climatology", "time-mean state"])
def test_a_trivial_model_fails_skill_and_is_named(
    window: tuple[torch.Tensor, torch.Tensor], name: str
) -> None:
    history, truth = window
    with pytest.raises(AssertionError, match="no better than the best trivial model") as info:
        assert_check("skill", trivial(name, history, truth), truth, history=history)
    assert "best baseline:" in str(info.value)


@pytest.mark.parametrize("name", ["persistence", "climatology", "time-mean state"])
def test_the_ratio_to_the_baseline_a_model_is_equals_one(
    window: tuple[torch.Tensor, torch.Tensor], name: str
) -> None:
    history, truth = window
    (r,) = assert_check(
        "skill", trivial(name, history, truth), truth, history=history, skill_ratio=10.0
    )
    assert r.details is not None
    key = name.replace("-", "_").replace(" ", "_")
    assert r.details[f"ratio_{key}"] == pytest.approx(1.0, rel=1e-6)
    # the judged ratio is against the per-step best, so it is at least the ratio to any one
    assert r.details["ratio_best"] >= max(
        r.details[k] for k in ("ratio_persistence", "ratio_climatology", "ratio_time_mean_state")
    ) * (1 - 1e-9)
    assert sum(r.details[k] for k in r.details if k.startswith("best_is_")) == 1


def test_the_exact_model_beats_every_trivial_model(
    window: tuple[torch.Tensor, torch.Tensor],
) -> None:
    history, truth = window
    (r,) = assert_check("skill", truth.clone(), truth, history=history)
    assert r.passed and r.value == pytest.approx(0.0, abs=1e-6)
    assert "beats every trivial model" in r.message
