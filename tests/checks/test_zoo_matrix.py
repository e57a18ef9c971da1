"""The model zoo x checks matrix: each zoo member fails the check of the property it breaks,
passes the checks of properties it leaves alone, and the exact models pass everything."""

from __future__ import annotations

import pytest

from physcheck.config import build_settings, check_names
from physcheck.outputs.payloads import key_numbers
from physcheck.suite import Suite
from tests.zoo import ZOO

ALL = set(check_names())
BLOWUP = {
    "vrmse",
    "stability_horizon",
    "channel_variance",
    "perpendicular_symmetry",
    "energy",
    "spectrum",
    "dynamics",
}
FROZEN = {"dynamics", "skill"}

#: model -> (checks that must fail, checks that must pass); the rest may go either way
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "exact": (set(), ALL),
    "basin_blowup": (
        BLOWUP,
        {"finite", "solenoidality", "basin_determinism", "precision", "skill"},
    ),
    # both precisions blow up in the same basin, two steps apart: structural, not numerical
    "chaotic_blowup": (BLOWUP, {"finite", "solenoidality", "basin_determinism", "precision"}),
    "noise_sensitive_basin": (
        BLOWUP | {"basin_determinism"},
        {"finite", "solenoidality", "precision"},
    ),
    # worse than doing nothing from step 1, so skill may fail too
    "monopole_noise": ({"solenoidality"}, ALL - {"solenoidality", "skill"}),
    # |B| grows 100x, div B as its square
    "growing_monopoles": ({"solenoidality"}, {"finite", "basin_determinism", "precision"}),
    "high_k_injection": ({"spectrum"}, ALL - {"spectrum"}),
    "float32_unstable": (
        {"precision", "vrmse", "stability_horizon", "channel_variance"},
        {"finite"},
    ),
    "nan_at_frame": ({"finite", "vrmse", "stability_horizon", "basin_determinism"}, {"precision"}),
    "mass_drain": ({"mean_field"}, ALL - {"mean_field"}),
    # exact for ten steps, then it holds its last frame
    "frozen_after_10": ({"dynamics"}, ALL - {"dynamics", "skill"}),
    # the next trajectory's true frames: the truth's statistics, none of its trajectory
    "decorrelated": (
        {"skill"},
        {"finite", "stability_horizon", "channel_variance", "energy", "dynamics"},
    ),
    "persistence": (FROZEN, {"finite", "stability_horizon", "solenoidality"}),
    # skill judges against the best trivial model, climatology among them: it is no better
    # than itself; it never moves
    "climatology": (
        {"dynamics", "channel_variance", "vrmse", "skill"},
        {"finite", "solenoidality", "precision"},
    ),
}
CELLS = [(m, c, "fail") for m, (fail, _) in EXPECTED.items() for c in sorted(fail)] + [
    (m, c, "pass") for m, (_, ok) in EXPECTED.items() for c in sorted(ok)
]
#: the models whose cells run in the default (CI) run: the exact replay, one model breaking a
#: constraint, one breaking the spectrum, one breaking a conservation law, one freezing and
#: one blowing up in a basin; every other cell (each model costs its own rollouts) runs in the
#: slow job (`python -m pytest -m slow`)
FAST_MODELS = {"exact", "monopole_noise", "high_k_injection", "mass_drain", "frozen_after_10", "basin_blowup"}
SLOW = pytest.mark.slow


def cell(model: str, check: str, expected: str) -> object:
    marks = () if model in FAST_MODELS else (SLOW,)
    return pytest.param(model, check, expected, id=f"{model}-{check}-{expected}", marks=marks)


@pytest.fixture(scope="module")
def session() -> Suite:
    models = [f"{z}=tests.zoo:{z}" for z in ZOO] + [
        "reference=reference",
        "persistence=persistence",
        "climatology=climatology",
    ]
    settings = build_settings({"cache": False}, {"models": models, "perturbations": 3})
    return Suite(settings)


def outcome(session: Suite, model: str, check: str) -> str:
    results = [r for r in session.results(model) if r.check == check]
    assert results, f"no {check} results for {model}"
    return "fail" if any(not r.passed and not r.skipped for r in results) else "pass"


@pytest.mark.parametrize(("model", "check", "expected"), [cell(*c) for c in CELLS])
def test_zoo_matrix(session: Suite, model: str, check: str, expected: str) -> None:
    got = outcome(session, model, check)
    messages = [r.message for r in session.results(model) if r.check == check and not r.passed]
    assert got == expected, f"{check} on {model}: expected {expected}, got {got}: {messages[:2]}"


@SLOW  # the reference solver re-integrates the data: minutes; the exact replay passes in CI
@pytest.mark.parametrize("check", check_names())
def test_the_oracle_passes_every_check(session: Suite, check: str) -> None:
    failed = [r.message for r in session.results("reference") if r.check == check and not r.passed]
    assert not failed


@SLOW
def test_nan_is_reported_with_its_first_step(session: Suite) -> None:
    finite = [r for r in session.results("nan_at_frame") if r.check == "finite"]
    assert all(r.step == 28 and "step 28: first NaN/Inf" in r.message for r in finite)


@SLOW
def test_failure_messages_name_the_physics(session: Suite) -> None:
    variance = {
        r.channel: r
        for r in session.results("basin_blowup")
        if r.check == "channel_variance" and r.trajectory == 0
    }
    assert not variance["By"].passed and "perpendicular basin blow-up" in variance["By"].message
    assert variance["Bz"].passed and variance["rho"].passed
    symmetry = next(
        r
        for r in session.results("basin_blowup")
        if r.check == "perpendicular_symmetry" and r.trajectory == 1
    )
    assert "basin Bz" in symmetry.message
    determinism = [
        r
        for r in session.results("noise_sensitive_basin")
        if r.check == "basin_determinism" and not r.passed
    ]
    assert determinism and "chosen by noise" in determinism[0].message
    precision = [r for r in session.results("float32_unstable") if r.check == "precision"]
    assert any("numerical" in r.message for r in precision)


def test_each_rollout_is_computed_once(session: Suite) -> None:
    for model in ("exact", "mass_drain"):
        for r in session.results(model):
            session.result(r.check, model, r.trajectory, r.channel)  # every test asks again
        key_numbers(session, model)
    counts = {k: v for k, v in session.rollout_counts.items() if k[0] in ("exact", "mass_drain")}
    assert counts and set(counts.values()) == {1}
    assert {v for m, v in counts if m == "exact"} == {
        "base",
        "float64",
        "noise0",
        "noise1",
        "noise2",
    }
