"""The autoregressive loop: slides the history window, feeds each prediction back after the
per-step hooks, applies the non-finite policy, streams each frame to ``on_step`` and, once
every following row has rejoined the rollout it follows, stops computing it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import torch

from physcheck.diagnostics._tensor import as_tensor
from physcheck.engine.placement import LOW_PRECISION, placed, tf32
from physcheck.engine.rejoin import Rejoin
from physcheck.engine.result import RolloutResult, mark_nonfinite
from physcheck.engine.seeding import relative_noise, seed_everything
from physcheck.engine.stepping import ModelStep
from physcheck.errors import ArgumentError, RolloutError
from physcheck.models.protocol import Surrogate, check_surrogate, is_stateful
from physcheck.timing import phase

Hook = Callable[[torch.Tensor], torch.Tensor]
StepCallback = Callable[[int, torch.Tensor], None]
NonFinitePolicy = Literal["record", "stop", "raise"]


def rollout(
    model: Surrogate,
    history: Any,
    n_steps: int,
    *,
    device: str | torch.device | None = None,
    dtype: torch.dtype | None = None,
    seed: int = 0,
    hooks: Sequence[Hook] = (),
    nonfinite: NonFinitePolicy = "record",
    noise: float = 0.0,
    noise_seed: int | None = None,
    on_step: StepCallback | None = None,
    keep_frames: bool = True,
    batch_size: int | None = None,
    allow_tf32: bool = False,
    step_timeout: float | None = None,
    start_frame: int | None = None,
    trajectories: Sequence[int] | None = None,
    leaders: Sequence[int | None] | None = None,
    follow: Callable[[int], torch.Tensor] | None = None,
) -> RolloutResult:
    """Roll ``model`` out for ``n_steps`` from ``history [B, T, *S, C]`` (physical units; S the
    1 to 3 spatial axes).

    - ``device``/``dtype``: where and in what precision to run (default: the history's).
      ``bfloat16``/``float16`` run with autocast (mixed precision, as such models are served):
      the weights and the fed-back state stay float32, the model's operations run in the
      low precision where autocast allows, and the frames are float32.
    - ``seed``: seeds torch, numpy and ``random`` before the first step.
    - ``noise``/``noise_seed``: perturb the history by ``noise * rms_S(channel) * N(0, 1)``
      (``noise_seed`` defaults to ``seed``).
    - ``hooks``: functions ``frame [B, *S, C] -> frame`` applied to each prediction
      before it is fed back.
    - ``nonfinite``: ``record`` the first NaN/Inf step per trajectory and go on; ``stop`` once
      every trajectory has gone non-finite (the rest is NaN); ``raise`` a ``RolloutError``.
    - ``on_step(step, frame)``: called after each step with the ``[B, *S, C]`` frame.
    - ``keep_frames=False``: do not keep the frames (streaming; memory independent of K).
    - ``batch_size``: forward at most this many trajectories at a time (same results for a
      batch-invariant model); on an out-of-memory error (``torch.OutOfMemoryError``, what CUDA
      raises) the engine halves it and retries the step, down to one trajectory.
    - ``step_timeout``: seconds a model step may take; a step that has not returned by then
      raises ``RolloutError`` naming it (the step keeps running in a daemon thread, its result
      unused), so a hung model fails instead of hanging the run. ``None`` (default): no limit.
    - ``allow_tf32``: let CUDA matrix products and convolutions use TF32 (off by default, so a
      float32 rollout is IEEE float32, as the precision and determinism checks assume; PyTorch
      otherwise lets cuDNN convolutions round to TF32, ~1e-4 relative). Restored afterwards.
    - ``start_frame``/``trajectories``: the index of the first predicted frame in its
      trajectory and the dataset index of each row; a model whose ``step`` accepts ``context``
      gets a ``StepContext`` built from them (``None`` when they are not given).
    - ``leaders``/``follow``: rows that follow another rollout (``Rejoin``): ``leaders[i]`` the
      row of this batch that row ``i`` follows (``None``: none); or ``follow(step)`` the frame
      ``[B, *S, C]`` at ``step`` of a rollout of the same model from this history without
      noise, with the same seed, device, dtype, hooks and batching, that every row follows.
      Once every following row's last ``n_history`` frames equal its leader's bit for bit, its
      later frames are copied from the leader instead of computed: the leaders alone go on
      (``leaders``), or nothing is computed any more (``follow``). Exact for a model whose step
      is a function of its window and of the seeded random generators: a model that says
      ``stateful = True`` is always computed in full.
    """
    if nonfinite not in ("record", "stop", "raise"):
        raise ArgumentError(f"nonfinite must be 'record', 'stop' or 'raise', got {nonfinite!r}")
    if n_steps < 1:
        raise ArgumentError(f"n_steps must be >= 1, got {n_steps}")
    model = check_surrogate(model)
    h = as_tensor(history)
    if not 4 <= h.ndim <= 6:
        raise RolloutError(
            "history must be [B, T, *S, C] with 1 to 3 spatial axes S ([B, T, X, Y, Z, C] in "
            f"3D); got shape {tuple(h.shape)}"
        )
    n_hist = model.n_history
    if h.shape[1] < n_hist:
        raise RolloutError(f"the model needs {n_hist} history frames; the history has {h.shape[1]}")
    device = torch.device(device) if device is not None else h.device
    dtype = dtype or h.dtype
    autocast_dtype = None
    if dtype in LOW_PRECISION:
        autocast_dtype, dtype = dtype, torch.float32
    # a private copy: a model that edits its input in place cannot touch the caller's history
    # (the truth window other models and variants share)
    h = h[:, -n_hist:].to(device=device, dtype=dtype, copy=True)
    n_traj = h.shape[0]
    rows = tuple(trajectories) if trajectories is not None else tuple(range(n_traj))
    if noise:
        h = h + relative_noise(h, noise, seed if noise_seed is None else noise_seed, rows)
    first_bad = torch.full((n_traj,), n_steps + 1, dtype=torch.int64, device=device)
    frames: list[torch.Tensor] = []
    stopped_at = n_steps
    model_step = ModelStep(
        model,
        chunk=batch_size or n_traj,
        device=device,
        autocast_dtype=autocast_dtype,
        step_timeout=step_timeout,
        start_frame=start_frame,
        rows=rows,  # the dataset index of each row the model still steps
    )
    if is_stateful(model):  # its hidden state may tell the rows apart again
        leaders = follow = None
    rejoin = Rejoin(n_traj, n_hist, leaders, follow, device)
    spread: torch.Tensor | None = None  # after rejoining with leaders: the source of each row

    mixed = model_step.mixed_precision()
    seed_everything(seed)
    with placed(model, device, dtype) as m, tf32(allow_tf32), torch.inference_mode(), mixed:
        window: torch.Tensor | None = h
        for step in range(1, n_steps + 1):
            if window is None:  # every row repeats the rollout it follows
                assert follow is not None
                frame = follow(step).to(device=device, dtype=dtype)
            else:
                computed = model_step.forward(m, window, step)
                expected = (window.shape[0], *h.shape[2:])
                if tuple(computed.shape) != expected:
                    raise RolloutError(
                        f"step {step}: the model returned shape {tuple(computed.shape)}; expected [B, *S, C] = {expected}"
                    )
                computed = computed.to(device=device, dtype=dtype)
                for hook in hooks:
                    computed = hook(computed)
                window = torch.cat((window[:, 1:], computed[:, None]), dim=1)
                frame = computed if spread is None else computed.index_select(0, spread)
            first_bad, bad = mark_nonfinite(first_bad, frame, step)
            if nonfinite == "raise" and bool(bad.any()):
                trajs = torch.nonzero(bad).flatten().tolist()
                raise RolloutError(f"step {step}: non-finite values in trajectories {trajs}")
            if on_step is not None:
                with phase("diagnostics"):
                    on_step(step, frame)
            if keep_frames:
                frames.append(frame)
            if nonfinite == "stop" and bool((first_bad <= n_steps).all()):
                stopped_at = step
                break
            if step < n_steps and rejoin.observe(step, frame):
                if follow is not None:
                    window = None
                else:
                    kept, source = rejoin.leading_rows()
                    assert window is not None
                    window = window.index_select(0, torch.tensor(kept, device=device))
                    spread = source.to(device)
                    model_step.rows = tuple(rows[r] for r in kept)
    result_frames = None
    if keep_frames:
        stacked = torch.stack(frames, dim=1)
        if stopped_at < n_steps:
            pad = torch.full(
                (n_traj, n_steps - stopped_at, *h.shape[2:]),
                float("nan"),
                dtype=dtype,
                device=device,
            )
            stacked = torch.cat((stacked, pad), dim=1)
        result_frames = stacked
    rejoined_at = rejoin.rejoined_at
    if rejoined_at is not None and rejoined_at >= stopped_at:
        rejoined_at = None
    return RolloutResult(result_frames, first_bad, n_steps, stopped_at, rejoined_at)


__all__ = ["Hook", "NonFinitePolicy", "StepCallback", "rollout"]
