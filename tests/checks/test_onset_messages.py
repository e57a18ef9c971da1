"""Every check that judges a per-step series says where the trouble starts (the onset: first
step beyond the bound) and where it is worst; the names say what the numbers are. On the
diagnostic paper's replays (zero-shot Walrus blows up from step 20; the FNO zero-shot case
loses its guide field)."""

from __future__ import annotations

import re

import pytest

from physcheck.checks.run import run_check
from tests.checks import paper_records as paper

PER_STEP = [
    "energy",
    "channel_variance",
    "solenoidality",
    "perpendicular_symmetry",
    "dynamics",
    "stability_horizon",
]


@pytest.mark.parametrize("check", PER_STEP)
def test_a_failure_names_its_onset_and_worst_step(check: str) -> None:
    failed = [r for r in run_check(paper.walrus_zero_shot().context(), check) if not r.passed]
    assert failed, f"the zero-shot Walrus replay should fail {check}"
    for r in failed:
        assert re.search(r"onset.*step \d+", r.message), r.message
        assert re.search(r"worst step \d+", r.message), r.message


def test_mean_field_names_its_onset_and_worst_step() -> None:
    failed = [r for r in run_check(paper.fno_ood().context(), "mean_field") if not r.passed]
    assert failed
    for r in failed:
        assert re.search(r"onset step \d+ \(first beyond the bound\), worst step \d+", r.message)


def test_energy_names_the_fluctuation_ratio_and_not_the_guide_field() -> None:
    for r in run_check(paper.walrus_zero_shot().context(), "energy"):
        assert "Alfven ratio" not in r.message
        assert "guide field" not in r.message
