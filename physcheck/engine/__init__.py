"""The rollout engine: runs a surrogate autoregressively, owning the loop.

It slides the history window, runs in ``torch.inference_mode``, puts the model and data on
one device and dtype (restoring the model's afterwards), seeds torch, numpy and
``random`` per rollout, perturbs the history with relative noise, applies per-step hooks
(e.g. ``physcheck.diagnostics.project_state``), applies the non-finite policy and streams
each predicted frame to ``on_step`` so that diagnostics need not hold all K frames.

Layouts: ``history [B, T, *S, C]``; frames ``[B, K, *S, C]``, S the 1 to 3 spatial axes
(``[B, T, X, Y, Z, C]`` in 3D); steps are 1-based.

Its parts: ``loop`` (``rollout``, the autoregressive loop), ``stepping`` (how a step calls the
model: batches halved on out-of-memory, ``StepContext``, the step timeout, autocast),
``rejoin`` (rows that follow another rollout and stop being computed once they repeat it),
``result`` (``RolloutResult``, the non-finite bookkeeping), ``seeding`` (seeds and input
noise) and ``placement`` (device, dtype, TF32).
"""

from __future__ import annotations

from physcheck.engine.loop import Hook, NonFinitePolicy, StepCallback, rollout
from physcheck.engine.placement import LOW_PRECISION, placed, tf32
from physcheck.engine.rejoin import Rejoin, same_bits
from physcheck.engine.result import RolloutResult, mark_nonfinite
from physcheck.engine.seeding import noise_seed, relative_noise, seed_everything
from physcheck.engine.stepping import OUT_OF_MEMORY, StepContext, accepts_context, within

# the errors a rollout raises, importable from here as they always were
from physcheck.errors import ArgumentError as ArgumentError
from physcheck.errors import RolloutError as RolloutError

__all__ = [
    "LOW_PRECISION",
    "OUT_OF_MEMORY",
    "Hook",
    "NonFinitePolicy",
    "Rejoin",
    "RolloutResult",
    "StepCallback",
    "StepContext",
    "accepts_context",
    "mark_nonfinite",
    "noise_seed",
    "placed",
    "relative_noise",
    "rollout",
    "same_bits",
    "seed_everything",
    "tf32",
    "within",
]
