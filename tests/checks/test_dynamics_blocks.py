"""``dynamics`` judged in consecutive blocks of the window: a freeze, a late over-damping or an
acceleration in any block fails with the block named, where the median over the whole
window hides them. On the smoke set's frames, K = 50 (frames 3-52)."""

from __future__ import annotations

import pytest
import torch

from physcheck.checks.assertions import assert_check
from tests.checks.smoke_frames import smoke_window

K = 50


@pytest.fixture(scope="module")
def window() -> tuple[torch.Tensor, torch.Tensor]:
    return smoke_window(K)


def changed_from(truth: torch.Tensor, step: int, rate: float) -> torch.Tensor:
    """The truth until ``step - 1``, then each frame-to-frame change scaled by ``rate``
    (0: frozen at step ``step``, holding step ``step - 1``'s frame)."""
    out = truth.clone()
    for k in range(step - 1, truth.shape[1]):
        out[:, k] = out[:, k - 1] + rate * (truth[:, k] - truth[:, k - 1])
    return out




def test_the_exact_model_evolves_at_the_truths_rate(window) -> None:
    history, truth = window
    results = assert_check("dynamics", truth.clone(), truth, history=history)
    assert all(r.passed and "every block of 10 steps" in r.message for r in results)


def test_a_freeze_at_step_27_of_50_fails_naming_the_block(window) -> None:
    history, truth = window
    frozen = changed_from(truth, 27, 0.0)
    with pytest.raises(AssertionError) as info:
        assert_check("dynamics", frozen, truth, history=history)
    text = str(info.value)
    for line in text.splitlines():  # every trajectory, each naming the frozen block
        assert "frozen from step 27" in line and "steps 31-40" in line, line
        assert "onset: first block beyond the bound steps 31-40" in line
    # the median over the whole window (26 moving steps of 50) does not see it
    results = assert_check(
        "dynamics", frozen, truth, history=history, dynamics_low=0.0, dynamics_high=1e9
    )
    assert all(min(r.details[c] for c in ("rho", "Bx", "vx")) > 0.3 for r in results if r.details)


def test_a_late_over_damping_fails_naming_its_block(window) -> None:
    history, truth = window
    damped = changed_from(truth, 41, 0.1)  # the last block changes at a tenth of the rate
    with pytest.raises(AssertionError, match=r"over steps 41-50 .*over-damped late in the window"):
        assert_check("dynamics", damped, truth, history=history)


def test_an_acceleration_fails_naming_its_block(window) -> None:
    history, truth = window
    fast = changed_from(truth, 11, 5.0)
    fast[:, 20:] = truth[:, 20:] + (fast[:, 19:20] - truth[:, 19:20])  # only steps 11-20 fast
    with pytest.raises(AssertionError, match=r"over steps 11-20 .*accelerates"):
        assert_check("dynamics", fast, truth, history=history)
