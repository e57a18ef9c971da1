"""The whole physics suite's overhead: everything physcheck does except the model's forward.

One ``PhyscheckSession`` runs every check on the shipped data (both test trajectories, the
early window: K = 50 steps, all variants: base, float64, five perturbed rollouts) with the
disk cache off. The model's ``step`` is wrapped to time the forward passes (device
synchronised); ``extra_info`` holds the forward time, the total and physcheck's share of it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.models.walrus import WalrusSurrogate, walrus_missing_reason
from physcheck.session import PhyscheckSession
from tests.benchmarks.conftest import synchronize
from tests.models.walrus_standin import IsotropicModelStandIn

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def tiny_walrus() -> Any:
    """Polymathic's walrus, its debug config (random weights), or a skip with the reason."""
    reason = walrus_missing_reason()
    if reason:
        pytest.skip(f"tiny Walrus: {reason}")
    from pathlib import Path

    import walrus
    from hydra import compose, initialize_config_dir

    from physcheck.models.walrus import build_walrus_model

    torch.manual_seed(0)
    config_dir = str(Path(walrus.__file__).parent / "configs")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        model_cfg = compose(config_name="model/debug").model
    return WalrusSurrogate(build_walrus_model(model_cfg), n_history=3).eval()


MODELS = {
    "demo": "demo",
    "walrus-standin": lambda: WalrusSurrogate(IsotropicModelStandIn(), n_history=3),
    "walrus-tiny": tiny_walrus,
}


class ForwardTimer:
    """Wraps ``model.step`` and sums its wall time (device synchronised before reading)."""

    def __init__(self, model: Any) -> None:
        self.seconds = 0.0
        self.calls = 0
        step = model.step

        def timed(history: torch.Tensor) -> torch.Tensor:
            synchronize(DEVICE)
            start = time.perf_counter()
            out = step(history)
            synchronize(DEVICE)
            self.seconds += time.perf_counter() - start
            self.calls += 1
            return out

        model.step = timed


def make_session(name: str) -> tuple[PhyscheckSession, ForwardTimer]:
    settings = build_settings({}, {"models": [f"{name}=demo"], "cache": False, "device": DEVICE})
    session = PhyscheckSession(settings)
    factory = MODELS[name]
    if callable(factory):  # a model that has no spec string: put it in place of the spec's
        session._models[name] = factory().to(session.device)
    timer = ForwardTimer(session.model(name))
    return session, timer


@pytest.mark.parametrize("name", sorted(MODELS))
def test_suite_overhead(benchmark, name: str) -> None:
    if name == "walrus-tiny" and DEVICE == "cpu":
        pytest.skip("tiny Walrus suite: 350 forward passes of ~2 s each on a CPU; run it on a GPU")
    totals: list[tuple[float, float]] = []

    def run() -> None:
        session, timer = make_session(name)
        session.model(name)  # loading the model is not physcheck's overhead
        start = time.perf_counter()
        results = session.results(name)
        synchronize(DEVICE)
        totals.append((time.perf_counter() - start, timer.seconds))
        assert results and timer.calls > 0

    benchmark.group = f"suite-overhead-{DEVICE}"
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    total, forward = sorted(totals)[len(totals) // 2]
    benchmark.extra_info.update(
        {
            "total_s": total,
            "forward_s": forward,
            "overhead_s": total - forward,
            "overhead_fraction": (total - forward) / total,
        }
    )
    print(f"\nsuite {name} on {DEVICE}: {benchmark.extra_info}")
