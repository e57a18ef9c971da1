"""``energy`` judges the levels of E_K and E_b', not only their ratio; ``mean_field`` judges the
mean field <B> (guide-field flux), the mass and the mean momentum. On the smoke set's frames
(K = 50) and on the diagnostic paper's FNO replay."""

from __future__ import annotations

import pytest
import torch

from physcheck.checks.assertions import assert_check
from physcheck.checks.run import run_check
from physcheck.fields import MHD_LAYOUT
from tests.checks import paper_records as paper
from tests.checks.smoke_frames import smoke_window

K = 50
B = list(MHD_LAYOUT.magnetic)
V = list(MHD_LAYOUT.velocity)


@pytest.fixture(scope="module")
def window() -> tuple[torch.Tensor, torch.Tensor]:
    return smoke_window(K)


def per_step(rate: float) -> torch.Tensor:
    """``rate^k`` for steps k = 1..K, shaped to scale ``[B, K, X, Y, Z]`` frames."""
    return (rate ** torch.arange(1, K + 1, dtype=torch.float64))[None, :, None, None, None]


def decaying_fluctuations(truth: torch.Tensor, rate: float) -> torch.Tensor:
    """The truth with its velocity and magnetic fluctuations (about each channel's spatial
    mean) scaled by ``rate^k`` at step k: both energies fall together, their ratio holds."""
    out = truth.clone()
    for c in V + B:
        mean = truth[..., c].mean(dim=(2, 3, 4), keepdim=True)
        out[..., c] = mean + per_step(rate) * (truth[..., c] - mean)
    return out


def decaying_guide_field(truth: torch.Tensor, rate: float) -> torch.Tensor:
    """The truth with <B_x> scaled by ``rate^k`` at step k, its fluctuations untouched."""
    out = truth.clone()
    bx = B[0]
    mean = truth[..., bx].mean(dim=(2, 3, 4), keepdim=True)
    out[..., bx] = truth[..., bx] - mean + per_step(rate) * mean
    return out


def test_the_exact_model_passes_energy_and_mean_field(window) -> None:
    history, truth = window
    for check in ("energy", "mean_field"):
        results = assert_check(check, truth.clone(), truth, history=history)
        assert all(r.passed for r in results)
    (r, *_) = assert_check("mean_field", truth.clone(), truth, history=history)
    assert "Alfvenic regime kept (sub-Alfvenic" in r.message


def test_fluctuations_decaying_5_percent_a_step_fail_energy_on_their_levels(window) -> None:
    history, truth = window
    pred = decaying_fluctuations(truth, 0.95)
    with pytest.raises(AssertionError) as info:
        assert_check("energy", pred, truth, history=history)
    for line in str(info.value).splitlines():
        assert "kinetic energy E_K" in line and "fluctuating magnetic energy E_b'" in line, line
        assert "onset step" in line and "worst step 50" in line
        assert "fluctuation energy ratio" not in line  # the ratio alone would have passed
        assert "both energies drain" in line


def test_a_guide_field_decaying_2_percent_a_step_fails_mean_field(window) -> None:
    history, truth = window
    pred = decaying_guide_field(truth, 0.98)
    with pytest.raises(AssertionError) as info:
        assert_check("mean_field", pred, truth, history=history)
    for line in str(info.value).splitlines():
        assert "mean field <B> off the truth's" in line and "largest in <Bx>" in line, line
        # 1 - 0.98^50 of the flux is gone at the last step
        assert f"flux lost: {100 * (1 - 0.98**50):.3g} %" in line
        assert "sub- to super-Alfvenic" in line
    # fluctuations untouched: the energy levels hold
    assert all(r.passed for r in assert_check("energy", pred, truth, history=history))


def test_the_paper_fno_out_of_distribution_case_fails_mean_field() -> None:
    """Table 2: FNO zero-shot <|B|> 0.62 at step 50, and |<B>| <= <|B|>, against the truth's B0
    1.01 (from its E_B and B variances): at least 1 - 0.62/1.01 = 38.9 % of the flux is lost."""
    ctx = paper.fno_ood().context()
    results = run_check(ctx, "mean_field")
    assert results and all(not r.passed for r in results)
    for r in results:
        assert r.details is not None
        assert r.details["flux_lost_fraction"] >= 1 - 0.62 / paper.TRUTH_B0 - 1e-6
        assert "guide-field flux lost" in r.message
    # the FNO trained from scratch keeps <|B|> = 1.26 >= B0: nothing to judge against
    assert all(r.passed for r in run_check(paper.fno_scratch().context(), "mean_field"))
