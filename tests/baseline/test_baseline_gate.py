"""The baseline comparison on real runs: a model against its own earlier results, against
itself with other noise (false alarms), a degraded and an improved demo, baselines that
cannot be compared, and the scorecard's size and shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch

from physcheck.baseline import COMMENT_LIMIT, compare_documents, compare_results, scorecard
from physcheck.config import build_settings, check_names
from physcheck.errors import ConfigError
from physcheck.models import load
from physcheck.outputs.document import suite_document
from physcheck.suite import Suite
from tests.baseline.degraded import degrade

OPTIONS = {"window": "3:3:6", "trajectories": "0-1", "perturbations": "2"}


class NoisyPersistence:
    """Persistence plus Gaussian noise of ``scale`` x each frame's rms, from its own seed: the
    same physics whatever the seed, other numbers."""

    n_history = 1

    def __init__(self, seed: int, scale: float = 0.05) -> None:
        self.generator = torch.Generator().manual_seed(seed)
        self.scale = scale

    def step(self, history: torch.Tensor) -> torch.Tensor:
        last = history[:, -1]
        noise = torch.randn(last.shape, generator=self.generator, dtype=torch.float64)
        return last + self.scale * last.pow(2).mean().sqrt() * noise.to(last.dtype)


def run(models: dict[str, Any], **options: str) -> dict[str, Any]:
    settings = build_settings(
        {"cache": False}, {"models": [f"{m}=persistence" for m in models], **OPTIONS, **options}
    )
    suite = Suite(settings)
    for name, model in models.items():
        suite.provide_model(name, model)
    return suite_document(suite)


def verdicts(new: dict[str, Any], old: dict[str, Any], model: str = "m") -> dict[str, str]:
    _, comparisons = compare_documents(new, old)[model]
    return {c.number: c.verdict for c in comparisons}


@pytest.fixture(scope="module")
def demo_runs() -> dict[str, dict[str, Any]]:
    """The demo, and the demo with its weights perturbed (step-1 VRMSE up by at least 20 %)."""
    demo = load("demo")
    degraded = degrade(demo)
    settings = build_settings(
        {"cache": False},
        {
            "models": ["m=demo"],
            "window": "3:3:6",
            "trajectories": "0-1",
            "perturbations": "0",
            "checks": "finite,vrmse,stability_horizon,skill,channel_variance,energy",
        },
    )
    out = {}
    for name, model in (("demo", demo), ("degraded", degraded)):
        suite = Suite(settings)
        suite.provide_model("m", model)
        out[name] = suite_document(suite)
    return out


def step1(document: dict[str, Any]) -> float:
    vrmse = next(r for r in document["results"] if r["check"] == "vrmse")
    return float(vrmse["value"])


def test_a_model_against_its_own_results_is_equivalent_everywhere() -> None:
    first = run({"m": NoisyPersistence(1)})
    again = run({"m": NoisyPersistence(1)})
    found = verdicts(again, first)
    assert found and set(found.values()) == {"equivalent"}, found


def test_other_noise_in_the_same_physics_rarely_flags_a_regression() -> None:
    checks = ",".join(c for c in check_names() if c != "equivariance")  # 11 rollouts each: time
    baseline = run({"m": NoisyPersistence(0)}, checks=checks)
    flagged = total = 0
    for seed in range(1, 21):
        found = verdicts(run({"m": NoisyPersistence(seed)}, checks=checks), baseline)
        total += len(found)
        flagged += sum(v == "regression" for v in found.values())
    assert total >= 20 * 10  # every seed compared on at least ten numbers
    assert flagged <= 0.05 * total, (flagged, total)


def test_a_degraded_demo_regresses_on_vrmse_and_the_demo_improves_on_it(
    demo_runs: dict[str, dict[str, Any]],
) -> None:
    demo, degraded = demo_runs["demo"], demo_runs["degraded"]
    assert step1(degraded) >= 1.2 * step1(demo)
    _, worse = compare_documents(degraded, demo)["m"]
    step1_number = next(c for c in worse if c.number == "vrmse.step1")
    assert step1_number.verdict == "regression" and step1_number.low > step1_number.margin
    _, better = compare_documents(demo, degraded)["m"]
    assert next(c for c in better if c.number == "vrmse.step1").verdict == "improvement"
    assert not any(c.failed for c in better if c.number.startswith("vrmse"))


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"window": "3:3:5"}, "window 3:3:5 against 3:3:6"),
        ({"trajectories": "0"}, "trajectories [0] against [0, 1]"),
        ({"data": "other"}, "other data"),
        ({"dtype": "float64"}, "setting dtype 'float64' against 'float32'"),
    ],
)
def test_an_incomparable_baseline_is_refused_naming_the_difference(
    options: dict[str, str], named: str
) -> None:
    baseline = run({"m": NoisyPersistence(0)}, checks="finite,vrmse")
    if options.get("data") == "other":
        new = copy.deepcopy(baseline)
        new["provenance"]["data"]["files"][0]["sha256"] = "0" * 64
    else:
        new = run({"m": NoisyPersistence(0)}, checks="finite,vrmse", **options)
    with pytest.raises(ConfigError, match="cannot be compared") as caught:
        compare_documents(new, baseline, label="old.json")
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_the_scorecard_of_two_models_and_every_check_fits_a_comment_and_is_a_table() -> None:
    baseline = run({"m": NoisyPersistence(0), "n": NoisyPersistence(5)}, perturbations="2")
    new = run({"m": NoisyPersistence(1), "n": NoisyPersistence(6)}, perturbations="2")
    text = scorecard(compare_documents(new, baseline))
    assert len(text) < COMMENT_LIMIT
    tables = [line for line in text.splitlines() if line.startswith("|")]
    assert len({line.count("|") for line in tables}) == 1  # every row has the header's columns
    assert tables[1].startswith("|---")
    assert "### `m` against `m`" in text and "### `n` against `n`" in text
    assert sum(1 for line in tables if line.startswith("| vrmse |")) == 2  # step 1 (K < 21: no window)


def test_numbers_pair_by_unit_and_ignore_skips() -> None:
    results = [
        {"check": "finite", "trajectory": 0, "channel": None, "value": 7.0, "details": None},
        {"check": "finite", "trajectory": 1, "channel": None, "value": None, "skipped": "why"},
    ]
    (finite,) = compare_results(results, results)
    assert finite.units == 1 and finite.verdict == "equivalent"
