"""Early stopping of perturbed rollouts (``--physcheck-early-stop``): the wall time of the
base and five perturbed rollouts with and without it, one variant at a time, disk cache off.

- ``nan_at_frame`` (``tests.zoo``) snaps every input back onto the truth, so its perturbed
  rollouts rejoin the unperturbed one at step 1 and are copied from then on;
- the demo surrogate is chaotic and never rejoins: its times show the cost of watching for a
  rejoin (one bitwise comparison of each perturbed frame with the base frame per step).

The data set is the test session's (``PHYSCHECK_DATASET``: the 16^3 smoke set unless set;
``PHYSCHECK_DATASET=default`` for the 32^3 numbers in the README). ``extra_info`` holds the
seconds, the rows the model stepped and the verdicts, which must not differ.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.suite import Suite

THREADS = 2
MODELS = {"nan": "tests.zoo:nan_at_frame", "demo": "demo"}
#: each case's verdicts, compared between early stopping on and off
VERDICTS: dict[str, list[tuple[str, int | None, bool]]] = {}


@pytest.mark.parametrize("early_stop", ["on", "off"])
@pytest.mark.parametrize("model", list(MODELS))
def test_perturbed_rollouts_wall_time(benchmark: Any, model: str, early_stop: str) -> None:
    benchmark.group = f"early-stop-{model}"
    settings = build_settings(
        {"cache": False, "batch": False, "early_stop": early_stop},
        {
            "models": [f"{model}={MODELS[model]}"],
            "threads": str(THREADS),
            "checks": "basin_determinism",
            # frames 20-69 where the set is long enough: nan_at_frame goes NaN at frame 30
            "window": "20:3:50",
        },
    )
    before = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    outcome: dict[str, Any] = {}

    def run() -> None:
        suite = Suite(settings)
        start = time.perf_counter()
        outcome["verdicts"] = [(r.check, r.trajectory, r.passed) for r in suite.results(model)]
        outcome["seconds"] = time.perf_counter() - start
        outcome["rejoined"] = sorted(suite.rejoined.items())
        outcome["rows"] = getattr(suite.model(model), "rows_stepped", None)

    try:
        benchmark.pedantic(run, rounds=1, iterations=1)
    finally:
        torch.set_num_threads(before)
    benchmark.extra_info.update(
        seconds=outcome["seconds"], rows_stepped=outcome["rows"], rejoined=outcome["rejoined"]
    )
    first = VERDICTS.setdefault(model, outcome["verdicts"])
    assert outcome["verdicts"] == first
    if model == "nan" and early_stop == "on":
        assert outcome["rejoined"], "nan_at_frame's perturbed rollouts rejoin at step 1"
    if model == "demo" or early_stop == "off":
        assert outcome["rejoined"] == []
