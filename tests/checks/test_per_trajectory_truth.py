"""Every truth range a check compares with is the trajectory's own, never pooled over
trajectories (which may be of different (Ma, Ms) points, with different spectra)."""

from __future__ import annotations

import torch

from physcheck.checks.run import run_check
from tests.checks import paper_records as paper


def test_a_slope_two_steeper_than_its_own_truth_fails_that_trajectory_only() -> None:
    truth = paper.make_truth(2, 50, paper.STEPS_EARLY, density=torch.full((2,), 0.86))
    shells = torch.arange(paper.SHELLS, dtype=torch.float64).clamp(min=1)
    steeper = shells**-2.0  # two steeper: trajectory 1's point has this steeper spectrum
    truth.spectra[1] *= steeper
    base = paper.make_rollout(
        truth,
        truth.variance[:, -1].clone(),
        step1_vrmse=0.1,
        vrmse_at_k=torch.full((2,), 1.2),
        divb_at_k=torch.full((2,), paper.TRUTH_DIVB),
        mean_abs_b_at_k=torch.full((2,), paper.TRUTH_MEAN_ABS_B),
    )
    # trajectory 0's prediction low-pass filtered at the last step: its slope is 2 steeper
    # than its own truth's, and equal to trajectory 1's truth
    base.spectra[0, -1] *= steeper
    ctx = paper.Replay(truth, base).context()
    first, second = run_check(ctx, "spectrum")
    assert not first.passed and "slope" in first.message, first.message
    assert first.details is not None
    assert first.details["slope_truth_min"] - first.details["slope"] > 1.5
    assert second.passed, second.message


def test_the_truth_range_is_the_trajectorys_own() -> None:
    truth = paper.make_truth(2, 50, paper.STEPS_EARLY, density=torch.full((2,), 0.86))
    shells = torch.arange(paper.SHELLS, dtype=torch.float64).clamp(min=1)
    truth.spectra[1] *= shells**-2.0
    base = paper.make_rollout(
        truth,
        truth.variance[:, -1].clone(),
        step1_vrmse=0.1,
        vrmse_at_k=torch.full((2,), 1.2),
        divb_at_k=torch.full((2,), paper.TRUTH_DIVB),
        mean_abs_b_at_k=torch.full((2,), paper.TRUTH_MEAN_ABS_B),
    )
    m = paper.Replay(truth, base).context().measures
    (lo0, hi0), _, _ = m.truth_spectral_range(0)
    (lo1, hi1), _, _ = m.truth_spectral_range(1)
    assert hi1 < lo0  # disjoint: no trajectory's range reaches into the other's
