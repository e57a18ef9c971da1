"""``positivity`` on MHD's density (the MHD profile's positive field), on the smoke set's frames:
the truth passes, a density pushed below 0 fails at the first step it is, a step where the
truth itself is not positive is not judged, and a NaN is left to ``finite``."""

from __future__ import annotations

import pytest
import torch

from physcheck.checks.assertions import assert_check
from physcheck.fields import MHD_LAYOUT
from tests.checks.smoke_frames import smoke_window

K = 12
RHO = MHD_LAYOUT.density


@pytest.fixture(scope="module")
def window() -> tuple[torch.Tensor, torch.Tensor]:
    return smoke_window(K)


def test_the_truth_passes(window: tuple[torch.Tensor, torch.Tensor]) -> None:
    history, truth = window
    results = assert_check("positivity", truth.clone(), truth, history=history)
    assert [r.trajectory for r in results] == list(range(truth.shape[0]))
    assert all(r.passed and r.value == pytest.approx(1.0) for r in results)
    assert "rho stays positive wherever the truth's does" in results[0].message


def test_a_density_below_zero_fails_at_its_first_step(window: tuple[torch.Tensor, torch.Tensor]) -> None:
    history, truth = window
    pred = truth.clone()
    pred[0, 6:, 1, 2, 3, RHO] = -0.01  # trajectory 0, from step 7 on, one cell
    with pytest.raises(AssertionError, match=r"traj 0, step 7: rho minimum -0.01 <= 0") as info:
        assert_check("positivity", pred, truth, history=history)
    assert "at or below 0 at 6 of 12 judged steps" in str(info.value)
    assert "traj 1" not in str(info.value)


def test_steps_where_the_truth_is_not_positive_are_not_judged(
    window: tuple[torch.Tensor, torch.Tensor],
) -> None:
    history, truth = window
    truth = truth.clone()
    truth[:, :4, 0, 0, 0, RHO] = 0.0  # the truth touches 0 in steps 1-4
    pred = truth.clone()
    pred[:, :4, 0, 0, 0, RHO] = -1.0
    results = assert_check("positivity", pred, truth, history=history)
    assert all(r.passed for r in results)
    pred[:, 4, 0, 0, 0, RHO] = -1.0  # step 5: the truth is positive again
    with pytest.raises(AssertionError, match=r"step 5: rho minimum -1"):
        assert_check("positivity", pred, truth, history=history)


def test_a_nan_is_finites_to_report(window: tuple[torch.Tensor, torch.Tensor]) -> None:
    history, truth = window
    pred = truth.clone()
    pred[:, 5:] = float("nan")
    results = assert_check("positivity", pred, truth, history=history)
    assert all(r.passed for r in results)
    assert "(the rollout is non-finite from step 6)" in results[0].message
    with pytest.raises(AssertionError, match="first NaN/Inf"):
        assert_check("finite", pred, truth, history=history)
