"""The rollout engine: runs a surrogate autoregressively, owning the loop.

It slides the history window, runs in ``torch.inference_mode``, puts the model and data on
one device and dtype (restoring the model's afterwards), seeds torch, numpy and
``random`` per rollout, perturbs the history with relative noise, applies per-step hooks
(e.g. ``physcheck.diagnostics.project_state``), applies the non-finite policy and streams
each predicted frame to ``on_step`` so that diagnostics need not hold all K frames.

Layouts: ``history [B, T, X, Y, Z, C]``; frames ``[B, K, X, Y, Z, C]``; steps are 1-based.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from physcheck.diagnostics._tensor import as_tensor
from physcheck.errors import RolloutError
from physcheck.models.protocol import Surrogate, check_surrogate, model_device, model_dtype

Hook = Callable[[torch.Tensor], torch.Tensor]
#: precisions a rollout runs in with autocast (float32 weights and state)
LOW_PRECISION = (torch.bfloat16, torch.float16)
OUT_OF_MEMORY: type[BaseException] = getattr(
    torch, "OutOfMemoryError", getattr(torch.cuda, "OutOfMemoryError", MemoryError)
)
StepCallback = Callable[[int, torch.Tensor], None]
NonFinitePolicy = Literal["record", "stop", "raise"]


@dataclass(frozen=True)
class StepContext:
    """What a model may know about a step besides its history, for models whose ``step``
    accepts a ``context`` keyword (the reference oracle needs it to reproduce the data's
    forcing): ``frame`` is the index, in its trajectory, of the frame being predicted;
    ``trajectories`` the dataset index of each row of the batch. Learned surrogates ignore it.
    """

    frame: int
    trajectories: tuple[int, ...]


def accepts_context(model: Any) -> bool:
    """Whether ``model.step`` takes a ``context`` keyword."""
    import inspect

    try:
        params = inspect.signature(model.step).parameters
    except (TypeError, ValueError):
        return False
    return "context" in params


@dataclass
class RolloutResult:
    """A finished rollout.

    ``frames``: ``[B, K, X, Y, Z, C]`` predicted frames (``None`` with ``keep_frames=False``);
    ``first_nonfinite_step``: int64 ``[B]``, the first step with a NaN/Inf value per
    trajectory, K + 1 where every frame is finite; ``n_steps``: K; ``stopped_at``: the last
    step actually computed (< K when the ``stop`` policy ended the loop early; later frames
    are NaN).
    """

    frames: torch.Tensor | None
    first_nonfinite_step: torch.Tensor
    n_steps: int
    stopped_at: int

    @property
    def finite(self) -> torch.Tensor:
        """bool ``[B]``: every frame of the trajectory is finite."""
        return self.first_nonfinite_step > self.n_steps


def mark_nonfinite(
    first_bad: torch.Tensor, frame: torch.Tensor, step: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(first_bad, bad)`` after ``step``: ``bad [B]`` says which rows of ``frame
    [B, X, Y, Z, C]`` hold NaN/Inf; ``first_bad [B]`` (initially K + 1) takes ``step`` where a
    row goes non-finite for the first time."""
    bad = ~torch.isfinite(frame).flatten(1).all(dim=1)
    first_bad = torch.where(bad & (first_bad > step), torch.full_like(first_bad, step), first_bad)
    return first_bad, bad


def noise_seed(seed: int, index: int) -> int:
    """The seed of the ``index``-th perturbed rollout of a run with base seed ``seed``."""
    return seed + 1 + index


def seed_everything(seed: int) -> None:
    """Seed torch (all devices), numpy's global RNG and ``random``: Walrus's patch jitter draws from both."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def relative_noise(
    history: torch.Tensor, eps: float, seed: int, rows: Sequence[int] | None = None
) -> torch.Tensor:
    """``eps * rms_S(channel) * N(0, 1)`` for ``history [B, T, X, Y, Z, C]``.

    Each row draws from its own CPU generator in float64 (then moved), seeded by ``seed`` and
    the row's trajectory index (``rows``, default ``0..B-1``): the same seed gives the same
    perturbation of a trajectory on every device and dtype, whichever trajectories share its
    batch (a batched, a per-trajectory and a distributed run perturb alike).
    """
    rows = list(range(history.shape[0])) if rows is None else list(rows)
    draws = []
    for row in rows:
        gen = torch.Generator().manual_seed(seed * 1_000_003 + row)
        draws.append(torch.randn(history.shape[1:], generator=gen, dtype=torch.float64))
    z = torch.stack(draws).to(device=history.device, dtype=history.dtype)
    rms = torch.sqrt(torch.mean(history**2, dim=(-4, -3, -2), keepdim=True))
    return eps * rms * z


@contextmanager
def placed(model: Any, device: torch.device, dtype: torch.dtype) -> Iterator[Any]:
    """Put the model on ``device``/``dtype`` for the block, then back where it was (where it
    says where it was).

    float32 -> float64 -> float32 is exact, so the round trip leaves weights bit-identical.
    """
    to = getattr(model, "to", None)
    before_dtype, before_device = model_dtype(model), model_device(model)
    # a model that does not say where it lives (no parameters, no ``device``) is placed anyway
    moved = callable(to) and (
        before_dtype != dtype or before_device is None or before_device != device
    )
    if moved and to is not None:
        result = to(device=device, dtype=dtype)
        model = result if result is not None else model
    try:
        yield model
    finally:
        if moved and callable(getattr(model, "to", None)):
            model.to(device=before_device or device, dtype=before_dtype or dtype)


@contextmanager
def tf32(allow: bool) -> Iterator[None]:
    """CUDA's TF32 switches (matrix products and cuDNN convolutions) set to ``allow``, restored
    on exit."""
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    before = (matmul.allow_tf32, cudnn.allow_tf32)
    matmul.allow_tf32 = cudnn.allow_tf32 = allow
    try:
        yield
    finally:
        matmul.allow_tf32, cudnn.allow_tf32 = before


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
    start_frame: int | None = None,
    trajectories: Sequence[int] | None = None,
) -> RolloutResult:
    """Roll ``model`` out for ``n_steps`` from ``history [B, T, X, Y, Z, C]`` (physical units).

    - ``device``/``dtype``: where and in what precision to run (default: the history's).
      ``bfloat16``/``float16`` run with autocast (mixed precision, as such models are served):
      the weights and the fed-back state stay float32, the model's operations run in the
      low precision where autocast allows, and the frames are float32.
    - ``seed``: seeds torch, numpy and ``random`` before the first step.
    - ``noise``/``noise_seed``: perturb the history by ``noise * rms_S(channel) * N(0, 1)``
      (``noise_seed`` defaults to ``seed``).
    - ``hooks``: functions ``frame [B, X, Y, Z, C] -> frame`` applied to each prediction
      before it is fed back.
    - ``nonfinite``: ``record`` the first NaN/Inf step per trajectory and go on; ``stop`` once
      every trajectory has gone non-finite (the rest is NaN); ``raise`` a ``RolloutError``.
    - ``on_step(step, frame)``: called after each step with the ``[B, X, Y, Z, C]`` frame.
    - ``keep_frames=False``: do not keep the frames (streaming; memory independent of K).
    - ``batch_size``: forward at most this many trajectories at a time (same results for a
      batch-invariant model); on an out-of-memory error (``torch.OutOfMemoryError``, what CUDA
      raises) the engine halves it and retries the step, down to one trajectory.
    - ``allow_tf32``: let CUDA matrix products and convolutions use TF32 (off by default, so a
      float32 rollout is IEEE float32, as the precision and determinism checks assume; PyTorch
      otherwise lets cuDNN convolutions round to TF32, ~1e-4 relative). Restored afterwards.
    - ``start_frame``/``trajectories``: the index of the first predicted frame in its
      trajectory and the dataset index of each row; a model whose ``step`` accepts ``context``
      gets a ``StepContext`` built from them (``None`` when they are not given).
    """
    if nonfinite not in ("record", "stop", "raise"):
        raise ValueError(f"nonfinite must be 'record', 'stop' or 'raise', got {nonfinite!r}")
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps}")
    model = check_surrogate(model)
    h = as_tensor(history)
    if h.ndim != 6:
        raise RolloutError(f"history must be [B, T, X, Y, Z, C]; got shape {tuple(h.shape)}")
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
    chunk = batch_size or n_traj
    stopped_at = n_steps
    wants_context = accepts_context(model)

    def step_of(m: Any, batch: torch.Tensor, step: int, first: int) -> torch.Tensor:
        if not wants_context:
            return m.step(batch)  # type: ignore[no-any-return]
        context = (
            StepContext(start_frame + step - 1, rows[first : first + batch.shape[0]])
            if start_frame is not None
            else None
        )
        return m.step(batch, context=context)  # type: ignore[no-any-return]

    def forward(m: Any, window: torch.Tensor, step: int) -> torch.Tensor:
        nonlocal chunk
        while True:
            try:
                parts = [step_of(m, window[i : i + chunk], step, i) for i in range(0, n_traj, chunk)]
                return torch.cat(parts) if len(parts) > 1 else parts[0]
            except OUT_OF_MEMORY:
                if chunk == 1:
                    raise
                chunk = (chunk + 1) // 2
                if device.type == "cuda":
                    torch.cuda.empty_cache()

    mixed = (
        torch.autocast(device_type=device.type, dtype=autocast_dtype)
        if autocast_dtype is not None
        else nullcontext()
    )
    seed_everything(seed)
    with placed(model, device, dtype) as m, tf32(allow_tf32), torch.inference_mode(), mixed:
        window = h
        for step in range(1, n_steps + 1):
            frame = forward(m, window, step)
            expected = (n_traj, *h.shape[2:])
            if tuple(frame.shape) != expected:
                raise RolloutError(
                    f"step {step}: the model returned shape {tuple(frame.shape)}; expected [B, X, Y, Z, C] = {expected}"
                )
            frame = frame.to(device=device, dtype=dtype)
            for hook in hooks:
                frame = hook(frame)
            first_bad, bad = mark_nonfinite(first_bad, frame, step)
            if nonfinite == "raise" and bool(bad.any()):
                trajs = torch.nonzero(bad).flatten().tolist()
                raise RolloutError(f"step {step}: non-finite values in trajectories {trajs}")
            if on_step is not None:
                on_step(step, frame)
            if keep_frames:
                frames.append(frame)
            if nonfinite == "stop" and bool((first_bad <= n_steps).all()):
                stopped_at = step
                break
            window = torch.cat((window[:, 1:], frame[:, None]), dim=1)
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
    return RolloutResult(result_frames, first_bad, n_steps, stopped_at)
