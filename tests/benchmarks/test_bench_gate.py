"""One checkpoint's whole gate, broken down by phase (``physcheck.bench``): the demo and the
Walrus-shaped stand-in (``tests/benchmarks/walrus_like.py``, through physcheck's Walrus
adapter), every check, 2 trajectories x 6 steps, 2 perturbed rollouts, the cache off.

The data set is the test session's (``PHYSCHECK_DATASET``: the 16^3 smoke set unless set;
``PHYSCHECK_DATASET=default`` for 32^3, where the stand-in is skipped: Walrus takes only 16^3
and 64^3 grids). ``extra_info`` holds each phase's seconds, physcheck's own share and the
model forward calls; the phases must add up to the wall time within 5 %. The README's table
comes from ``physcheck bench`` with the same settings::

    PHYSCHECK_DATASET=smoke physcheck bench --physcheck-window 3:3:6 \\
        --physcheck-trajectories 0-1 --physcheck-perturbations 2 --scaling 2
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from physcheck.bench import Bench, bench
from physcheck.config import build_settings
from physcheck.errors import PhyscheckError

MODELS = {"demo": "demo", "walrus_like": "tests.benchmarks.walrus_like:walrus_like"}
THREADS = 1


@pytest.mark.parametrize("model", sorted(MODELS))
def test_gate_wall_time_by_phase(benchmark: Any, model: str) -> None:
    benchmark.group = "gate-by-phase-cpu"
    settings = build_settings(
        {"cache": False},
        {
            "models": [f"{model}={MODELS[model]}"],
            "window": "3:3:6",
            "trajectories": "0-1",
            "perturbations": "2",
            "threads": str(THREADS),
        },
    )
    before = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    outcome: dict[str, Bench] = {}

    def run() -> None:
        outcome["bench"] = bench(settings, model)

    try:
        benchmark.pedantic(run, rounds=1, iterations=1)
    except PhyscheckError as exc:  # the stand-in on a grid Walrus cannot take
        if "grid" not in str(exc):
            raise
        pytest.skip(str(exc))
    finally:
        torch.set_num_threads(before)
    result = outcome["bench"]
    assert abs(sum(result.seconds.values()) - result.wall) <= 0.05 * result.wall
    assert result.forward_calls > 0 and 0 < result.physcheck_share < 1
    benchmark.extra_info.update(
        {
            "wall_seconds": result.wall,
            "physcheck_share": result.physcheck_share,
            "forward_calls": result.forward_calls,
            "phases": {name: round(seconds, 4) for name, seconds in result.seconds.items()},
        }
    )
