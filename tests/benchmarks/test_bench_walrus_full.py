"""The full-size Walrus architecture (random weights, the released sizes) at 64^3 on a GPU.

One rollout step through physcheck's adapter in float32, bfloat16 and float64: seconds per step
(the device synchronised inside the timed region), peak GPU memory, the step's floating-point
work (counted by ``torch.utils.flop_counter``: matrix products, convolutions, attention) and
the achieved fraction of the GPU's peak rate for that dtype. Runs where CUDA and Polymathic's
walrus are both present; skips with the reason elsewhere. Run with::

    python -m pytest -m benchmark --benchmark-enable tests/benchmarks/test_bench_walrus_full.py -s

The released sizes are those of the Walrus paper's Table 2 and walrus's model README
(hidden 1408, 40 space-time blocks, 16 heads, projection 48, encoder 352, 16 norm groups,
parallel full spatial attention, causal time attention, 3-frame history).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from physcheck.models.walrus import WalrusSurrogate, build_walrus_model, walrus_missing_reason
from physcheck.strategies import mhd_state

pytestmark = [pytest.mark.walrus]  # not `gpu`: a user's `pytest -m gpu` gate never runs it

RELEASED_SIZES: dict[str, Any] = {
    "hidden_dim": 1408,
    "projection_dim": 48,
    "intermediate_dim": 352,
    "processor_blocks": 40,
    "groups": 16,
    "causal_in_time": True,
}
RELEASED_HEADS = 16
N_HISTORY = 3

#: dense peak rates in TFLOP/s from NVIDIA's data sheets (SXM parts; float32 without TF32,
#: which PyTorch leaves off for matrix products by default; float64 on the tensor cores)
PEAK_TFLOPS: dict[str, dict[torch.dtype, float]] = {
    "H100": {torch.float32: 67.0, torch.bfloat16: 989.0, torch.float64: 67.0},
    "H200": {torch.float32: 67.0, torch.bfloat16: 989.0, torch.float64: 67.0},
    "A100": {torch.float32: 19.5, torch.bfloat16: 312.0, torch.float64: 19.5},
}


def skip_reason() -> str | None:
    if not torch.cuda.is_available():
        return "full-size Walrus benchmark: no CUDA device (torch.cuda.is_available() is False)"
    reason = walrus_missing_reason()
    return f"full-size Walrus benchmark: {reason}" if reason else None


def peak_tflops(dtype: torch.dtype) -> float | None:
    name = torch.cuda.get_device_name()
    for key, table in PEAK_TFLOPS.items():
        if key in name:
            return table[dtype]
    return None


def released_model_config() -> Any:
    """walrus's isotropic model config with the released sizes."""
    import walrus
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf, open_dict

    config_dir = str(Path(walrus.__file__).parent / "configs")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        cfg = compose(config_name="model/isotropic_model").model
    with open_dict(cfg):
        for key, value in RELEASED_SIZES.items():
            cfg[key] = value
        cfg.processor.space_mixing = OmegaConf.create(
            {
                "_partial_": True,
                "_target_": "walrus.models.spatial_blocks.full_attention.FullAttention",
                "num_heads": RELEASED_HEADS,
                "mlp_dim": None,
            }
        )
        cfg.processor.time_mixing.num_heads = RELEASED_HEADS
    return cfg


@pytest.fixture(scope="module")
def model_on_cpu() -> torch.nn.Module:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    torch.manual_seed(0)
    return build_walrus_model(released_model_config()).eval()


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64], ids=str)
def test_full_size_walrus_step_64(benchmark, model_on_cpu: torch.nn.Module, dtype) -> None:
    from torch.utils.flop_counter import FlopCounterMode

    device = torch.device("cuda")
    n_params = sum(p.numel() for p in model_on_cpu.parameters())
    surrogate = WalrusSurrogate(model_on_cpu, n_history=N_HISTORY).to(device, dtype)
    frames = [mhd_state(64, seed=s, dtype=torch.float64) for s in range(N_HISTORY)]
    history = torch.stack(frames)[None].to(device, dtype)  # [1, T, 64, 64, 64, 7]

    def step() -> torch.Tensor:
        with torch.inference_mode():
            out = surrogate.step(history)
        torch.cuda.synchronize()
        return out

    try:
        out = step()  # warm-up (kernel selection, allocator)
        torch.cuda.reset_peak_memory_stats()
        with FlopCounterMode(display=False) as counter:
            step()
        flop = counter.get_total_flops()
        torch.cuda.reset_peak_memory_stats()
        seconds_each: list[float] = []

        def timed_step() -> None:
            start = time.perf_counter()
            step()
            seconds_each.append(time.perf_counter() - start)

        benchmark.group = "walrus-full-64^3-cuda"
        benchmark.pedantic(timed_step, rounds=3, iterations=1, warmup_rounds=0)
        peak_gib = torch.cuda.max_memory_allocated() / 2**30
    finally:
        surrogate.to("cpu", torch.float32)
        torch.cuda.empty_cache()
    seconds = statistics.median(seconds_each)
    achieved = flop / seconds / 1e12
    peak = peak_tflops(dtype)
    info = {
        "device": torch.cuda.get_device_name(),
        "dtype": str(dtype),
        "parameters": n_params,
        "seconds_per_step": seconds,
        "peak_memory_gib": peak_gib,
        "tflop_per_step": flop / 1e12,
        "achieved_tflops": achieved,
        "peak_tflops": peak,
        "fraction_of_peak": achieved / peak if peak else None,
    }
    benchmark.extra_info.update(info)
    print("\nwalrus-full-64^3", info)
    assert out.shape == (1, 64, 64, 64, 7)
    assert torch.isfinite(out).all(), f"non-finite output in {dtype}"
