"""The whole physics suite's overhead: everything physcheck does except the model's forward.

One ``Suite`` runs every check on the shipped data (both test trajectories, the
early window: K = 50 steps, all variants: base, float64, five perturbed rollouts) with the
disk cache off, timed as a whole. The forward passes it made are then replayed on their own in
a plain feedback loop (same batch sizes and dtypes); ``extra_info`` holds the total, the forward
time and physcheck's share: ``(total - forward) / total``. A model whose cost depends on its
random draws (Walrus's adaptive patch sizes) is not replayed faithfully, so a second run times
the forward passes in place, synchronised: ``overhead_fraction_synchronised``, an upper bound.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.models.walrus import WalrusSurrogate, walrus_missing_reason
from physcheck.suite import Suite
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


class ForwardCounter:
    """Wraps ``model.step`` to record each forward pass's batch size and dtype."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[tuple[int, torch.dtype]] = []
        step = model.step

        self.synchronised_seconds = 0.0
        self.synchronise = False

        def counted(history: torch.Tensor) -> torch.Tensor:
            self.calls.append((history.shape[0], history.dtype))
            if not self.synchronise:
                return step(history)
            synchronize(DEVICE)
            start = time.perf_counter()
            out = step(history)
            synchronize(DEVICE)
            self.synchronised_seconds += time.perf_counter() - start
            return out

        model.step = counted
        self.step = step

    def bare_seconds(self, history: torch.Tensor) -> float:
        """Wall time of the same forward passes on their own: a plain feedback loop of the model
        over the same batch sizes and dtypes, the device synchronised once per dtype."""
        seconds = 0.0
        for dtype in dict.fromkeys(d for _, d in self.calls):
            sizes = [size for size, d in self.calls if d == dtype]
            self.model.to(dtype=dtype)
            window = history.to(dtype)
            synchronize(DEVICE)
            start = time.perf_counter()
            with torch.inference_mode():
                for size in sizes:
                    out = self.step(window[:size])
                    window = torch.cat((window[:size, 1:], out[:, None]), dim=1)
            synchronize(DEVICE)
            seconds += time.perf_counter() - start
        self.model.to(dtype=history.dtype)
        return seconds


def make_session(name: str) -> tuple[Suite, ForwardCounter]:
    settings = build_settings({}, {"models": [f"{name}=demo"], "cache": False, "device": DEVICE})
    session = Suite(settings)
    factory = MODELS[name]
    if callable(factory):  # a model that has no spec string: put it in place of the spec's
        session.provide_model(name, factory().to(session.device))
    return session, ForwardCounter(session.model(name))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_suite_overhead(benchmark, name: str) -> None:
    if name == "walrus-tiny" and DEVICE == "cpu":
        pytest.skip("tiny Walrus suite: 350 forward passes of ~2 s each on a CPU; run it on a GPU")
    totals: list[tuple[float, float]] = []

    def run() -> None:
        session, counter = make_session(name)
        history = session.truth(session.n_history(name)).history  # data loading is not timed
        synchronize(DEVICE)
        start = time.perf_counter()
        results = session.results(name)
        synchronize(DEVICE)
        total = time.perf_counter() - start
        assert results and counter.calls
        totals.append((total, counter.bare_seconds(history)))

    benchmark.group = f"suite-overhead-{DEVICE}"
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    timed = sorted(totals[1:] or totals)  # the warm-up round pays one-off costs (kernels, caches)
    total, forward = timed[len(timed) // 2]
    # an upper bound that needs no replay: the forward passes timed inside the run, the device
    # synchronised around each (which also stops physcheck's work overlapping the model's)
    session, counter = make_session(name)
    session.truth(session.n_history(name))
    counter.synchronise = True
    start = time.perf_counter()
    session.results(name)
    synchronize(DEVICE)
    synchronised_total = time.perf_counter() - start
    benchmark.extra_info.update(
        {
            "total_s": total,
            "forward_s": forward,
            "overhead_s": total - forward,
            "overhead_fraction": (total - forward) / total,
            "overhead_fraction_synchronised": 1 - counter.synchronised_seconds / synchronised_total,
        }
    )
    print(f"\nsuite {name} on {DEVICE}: {benchmark.extra_info}")
