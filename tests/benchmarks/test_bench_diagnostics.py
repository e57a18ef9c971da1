"""Each diagnostic on one 7-channel frame at 16^3 and 64^3 (CPU; CUDA where present).

The diagnostics share intermediates through a memo keyed on the input tensor; it is cleared
before every round (outside the timing), so each round times a cold call.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

import physcheck.diagnostics as d
from physcheck.strategies import mhd_state
from tests.benchmarks.conftest import synchronize

DIAGNOSTICS: dict[str, Callable[[torch.Tensor, torch.Tensor], object]] = {
    "vrmse": lambda p, t: d.vrmse(p, t),
    "divb_ratio_spectral": lambda p, t: d.divb_ratio(p[..., 1:4], method="spectral"),
    "divb_ratio_central": lambda p, t: d.divb_ratio(p[..., 1:4], method="central"),
    "perpendicular_spectrum": lambda p, t: d.perpendicular_spectrum(p[..., 2:4]),
    "energies": lambda p, t: d.energies(p),
    "channel_variance": lambda p, t: d.channel_variance(p),
    "basin_label": lambda p, t: d.basin_label(d.amplification(p, t)),
    "solenoidal_projection": lambda p, t: d.project_state(p),
}

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("n", [16, 64])
@pytest.mark.parametrize("name", sorted(DIAGNOSTICS))
def test_diagnostic(benchmark, name: str, n: int, device: str) -> None:
    benchmark.group = f"diagnostics-{n}^3-{device}"
    truth = mhd_state(n, seed=0, dtype=torch.float32).to(device)[None]
    pred = (truth * 1.01).contiguous()
    fn = DIAGNOSTICS[name]

    def setup() -> tuple[tuple[()], dict[str, object]]:
        d.clear_cache()
        return (), {}

    def run() -> None:
        fn(pred, truth)
        synchronize(device)

    rounds = 200 if n == 16 else 40
    benchmark.pedantic(run, setup=setup, rounds=rounds, warmup_rounds=2)
    assert fn(pred, truth) is not None
