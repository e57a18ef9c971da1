"""Streamed diagnostics keep memory flat in K: peak memory of a K = 60 run at 64^3 against K = 10.

On the CPU the peak resident set of a fresh process; on CUDA (where present) the peak of
``torch.cuda.max_memory_allocated``. The truth is an expanded view of one frame, so the
numbers measure the rollout and its diagnostics, not the truth's storage.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

SCRIPT = """
import json, resource, sys, torch
from physcheck.records import RecordBuilder, TruthRecord
from physcheck.config import DiagnosticSettings
from physcheck.engine import rollout
from physcheck.fields import MHD_LAYOUT
from physcheck.strategies import mhd_state

K, device = int(sys.argv[1]), sys.argv[2]
state = mhd_state(64, seed=0, dtype=torch.float32).to(device)
truth = state[None, None].expand(1, K, *state.shape)  # a view: the truth costs one frame

class Persistence:
    n_history = 1
    def step(self, history):
        return history[:, -1] * 1.0001

settings = DiagnosticSettings()
truth_record = TruthRecord.compute(truth, MHD_LAYOUT, settings)
builder = RecordBuilder(truth, MHD_LAYOUT, settings, truth_record=truth_record)
result = rollout(Persistence(), state[None, None], K, device=device, on_step=builder, keep_frames=False)
builder.finish(result.first_nonfinite_step)
peak = (
    torch.cuda.max_memory_allocated() / 2**20
    if device == "cuda"
    else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
)
print(json.dumps({"K": K, "peak_mb": peak}))
"""

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def peak(k: int, device: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(k), device], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]


@pytest.mark.parametrize("device", DEVICES)
def test_streamed_diagnostics_memory_is_flat_in_k(benchmark, device: str) -> None:
    short, long = peak(10, device), peak(60, device)
    benchmark.extra_info.update({"device": device, "peak_mb_K10": short, "peak_mb_K60": long})
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\npeak memory on {device}: K = 10 {short:.0f} MiB, K = 60 {long:.0f} MiB")
    frame_mb = 64**3 * 7 * 4 / 2**20  # 7.0 MiB per frame: holding 50 more would add 350 MiB
    # the CPU heap's own jitter is a few frames' worth; growth with K would be fifty
    assert long - short < 10 * frame_mb, (
        f"peak memory grew {long - short:.0f} MiB from K = 10 to K = 60"
    )
