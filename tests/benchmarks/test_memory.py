"""Streamed diagnostics keep memory flat in K: peak RSS of a K = 60 run at 64^3 against K = 10."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, resource, sys, torch
from physcheck.checks.record import RecordBuilder
from physcheck.checks.result import DiagnosticSettings
from physcheck.engine import rollout
from physcheck.fields import MHD_LAYOUT
from physcheck.strategies import mhd_state

K = int(sys.argv[1])
state = mhd_state(64, seed=0, dtype=torch.float32)
truth = state[None, None].expand(1, K, *state.shape)  # a view: the truth costs one frame

class Persistence:
    n_history = 1
    def step(self, history):
        return history[:, -1] * 1.0001

builder = RecordBuilder(truth, MHD_LAYOUT, DiagnosticSettings())
result = rollout(Persistence(), state[None, None], K, on_step=builder, keep_frames=False)
builder.finish(result.first_nonfinite_step)
print(json.dumps({"K": K, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def peak(k: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(k)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_mb"]


def test_streamed_diagnostics_memory_is_flat_in_k(benchmark) -> None:
    short, long = peak(10), peak(60)
    benchmark.extra_info.update({"peak_rss_mb_K10": short, "peak_rss_mb_K60": long})
    benchmark.pedantic(lambda: None, rounds=1)
    frame_mb = 64**3 * 7 * 4 / 2**20  # 7.0 MiB per frame: holding 50 more would add 350 MiB
    assert long - short < 5 * frame_mb, (
        f"peak RSS grew {long - short:.0f} MiB from K = 10 to K = 60"
    )
