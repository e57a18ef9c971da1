"""The rollout engine: runs a surrogate autoregressively, owning the loop.

It slides the history window, runs in ``torch.inference_mode``, puts the model and data on
one device and dtype (restoring the model's afterwards), seeds torch, numpy and
``random`` per rollout, perturbs the history with relative noise, applies per-step hooks
(e.g. ``physcheck.diagnostics.project_state``), applies the non-finite policy and streams
each predicted frame to ``on_step`` so that diagnostics need not hold all K frames.

Layouts: ``history [B, T, *S, C]``; frames ``[B, K, *S, C]``, S the 1 to 3 spatial axes
(``[B, T, X, Y, Z, C]`` in 3D); steps are 1-based.
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
from physcheck.errors import ArgumentError, RolloutError
from physcheck.models.protocol import (
    Surrogate,
    check_surrogate,
    is_stateful,
    model_device,
    model_dtype,
)
from physcheck.timing import model_forward, phase

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

    ``frames``: ``[B, K, *S, C]`` predicted frames (``None`` with ``keep_frames=False``);
    ``first_nonfinite_step``: int64 ``[B]``, the first step with a NaN/Inf value per
    trajectory, K + 1 where every frame is finite; ``n_steps``: K; ``stopped_at``: the last
    step actually computed (< K when the ``stop`` policy ended the loop early; later frames
    are NaN); ``rejoined_at``: the step after which every following row (``leaders`` or
    ``follow`` of ``rollout``) repeated the rollout it follows, so that its later frames were
    copied, not computed (``None``: never).
    """

    frames: torch.Tensor | None
    first_nonfinite_step: torch.Tensor
    n_steps: int
    stopped_at: int
    rejoined_at: int | None = None

    @property
    def finite(self) -> torch.Tensor:
        """bool ``[B]``: every frame of the trajectory is finite."""
        return self.first_nonfinite_step > self.n_steps


def mark_nonfinite(
    first_bad: torch.Tensor, frame: torch.Tensor, step: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(first_bad, bad)`` after ``step``: ``bad [B]`` says which rows of ``frame
    [B, *S, C]`` hold NaN/Inf; ``first_bad [B]`` (initially K + 1) takes ``step`` where a
    row goes non-finite for the first time."""
    bad = ~torch.isfinite(frame).flatten(1).all(dim=1)
    first_bad = torch.where(bad & (first_bad > step), torch.full_like(first_bad, step), first_bad)
    return first_bad, bad


def same_bits(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """bool ``[B]``: row ``i`` of ``a`` and of ``b`` (``[B, ...]``, one dtype) hold the same bits
    everywhere (NaNs included; ``0.0`` and ``-0.0`` differ)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return torch.zeros(a.shape[0], dtype=torch.bool, device=a.device)
    if a.is_floating_point():
        ints = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
        as_int = ints[a.element_size()]
        a, b = a.contiguous().view(as_int), b.contiguous().view(as_int)
    return (a == b).flatten(1).all(dim=1)


class Rejoin:
    """Which rows of a rollout follow another rollout, and since when they repeat it.

    A row *follows* a leader: another row of the same batch (``leaders``) or the row of the
    same index in a rollout already made (``follow(step) -> [B, *S, C]``, its frame at
    ``step``). Once a row's last ``n_history`` frames equal its leader's bit for bit, its
    window is the leader's, so (the model's step being a function of its window and of the
    seeded random generators, drawn alike by both) every later frame is the leader's. When
    every following row has rejoined, the engine stops computing them.
    """

    def __init__(
        self,
        n_rows: int,
        n_history: int,
        leaders: Sequence[int | None] | None,
        follow: Callable[[int], torch.Tensor] | None,
        device: torch.device,
    ) -> None:
        if leaders is not None and follow is not None:
            raise ArgumentError("give leaders or follow, not both")
        self.leaders = list(leaders) if leaders is not None else None
        if self.leaders is not None:
            if len(self.leaders) != n_rows:
                raise ArgumentError(f"leaders has {len(self.leaders)} entries for {n_rows} rows")
            for row, leader in enumerate(self.leaders):
                if leader is not None and (
                    not 0 <= leader < n_rows or self.leaders[leader] is not None
                ):
                    raise ArgumentError(
                        f"row {row} follows row {leader}, which is not a leading row of the batch"
                    )
        self.follow = follow
        self.n_history = n_history
        followers = (
            [r for r, leader in enumerate(self.leaders) if leader is not None]
            if self.leaders is not None
            else list(range(n_rows))
        )
        self.followers = torch.tensor(followers, dtype=torch.long, device=device)
        self.leader_of_followers = (
            torch.tensor([self.leaders[r] for r in followers], dtype=torch.long, device=device)
            if self.leaders is not None
            else None
        )
        self.equal_for = torch.zeros(len(followers), dtype=torch.long, device=device)
        self.rejoined_at: int | None = None

    @property
    def active(self) -> bool:
        """Whether any row follows another (and has not rejoined yet)."""
        return (self.leaders is not None or self.follow is not None) and self.rejoined_at is None

    def observe(self, step: int, frame: torch.Tensor) -> bool:
        """Count, after ``step``, how many steps each following row of ``frame [B, *S, C]``
        has equalled its leader; True once every one has for ``n_history`` steps running."""
        if not self.active or self.followers.numel() == 0:
            return False
        mine = frame.index_select(0, self.followers)
        if self.leader_of_followers is not None:
            theirs = frame.index_select(0, self.leader_of_followers)
        else:
            assert self.follow is not None
            # no cast: a leader kept in another precision never matches (its bits are not the
            # frames the rollout it stands for fed back)
            theirs = self.follow(step).to(device=frame.device)
        equal = same_bits(mine, theirs)
        self.equal_for = torch.where(equal, self.equal_for + 1, torch.zeros_like(self.equal_for))
        if bool((self.equal_for >= self.n_history).all()):
            self.rejoined_at = step
            return True
        return False

    def leading_rows(self) -> tuple[list[int], torch.Tensor]:
        """After rejoining: the rows still computed (the leaders) and, for every row of the
        batch, the position among them of the row whose frame it takes."""
        assert self.leaders is not None
        kept = [r for r, leader in enumerate(self.leaders) if leader is None]
        position = {r: i for i, r in enumerate(kept)}
        source = [
            position[r if leader is None else leader] for r, leader in enumerate(self.leaders)
        ]
        return kept, torch.tensor(source, dtype=torch.long)


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
    """``eps * rms_S(channel) * N(0, 1)`` for ``history [B, T, *S, C]`` (rms over the spatial
    axes S of each frame).

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
    spatial = tuple(range(2 - history.ndim, -1))  # (-4, -3, -2) for [B, T, X, Y, Z, C]
    rms = torch.sqrt(torch.mean(history**2, dim=spatial, keepdim=True))
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


def within(
    seconds: float,
    step: int,
    modes: Callable[[], Any],
    fn: Callable[..., torch.Tensor],
    *args: Any,
) -> torch.Tensor:
    """``fn(*args)`` in a watchdog thread (in inference mode and ``modes()``, which a new
    thread does not inherit); ``RolloutError`` when it has not returned within ``seconds``."""
    import threading

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            with torch.inference_mode(), modes():
                outcome["value"] = fn(*args)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"physcheck-step-{step}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise RolloutError(
            f"step {step}: the model did not return within {seconds:g} s "
            "(--physcheck-step-timeout): it hung or is far slower than allowed"
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


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
    chunk = batch_size or n_traj
    stopped_at = n_steps
    wants_context = accepts_context(model)
    if is_stateful(model):  # its hidden state may tell the rows apart again
        leaders = follow = None
    rejoin = Rejoin(n_traj, n_hist, leaders, follow, device)
    computed_rows = rows  # the dataset index of each row the model still steps
    spread: torch.Tensor | None = None  # after rejoining with leaders: the source of each row

    def step_of(m: Any, batch: torch.Tensor, step: int, first: int) -> torch.Tensor:
        if not wants_context:
            return m.step(batch)  # type: ignore[no-any-return]
        context = (
            StepContext(start_frame + step - 1, computed_rows[first : first + batch.shape[0]])
            if start_frame is not None
            else None
        )
        return m.step(batch, context=context)  # type: ignore[no-any-return]

    def forward(m: Any, window: torch.Tensor, step: int) -> torch.Tensor:
        nonlocal chunk
        n_rows = window.shape[0]
        while True:
            try:
                with model_forward():
                    parts = [
                        call(step_of, m, window[i : i + chunk], step, i)
                        for i in range(0, n_rows, chunk)
                    ]
                return torch.cat(parts) if len(parts) > 1 else parts[0]
            except OUT_OF_MEMORY:
                if chunk == 1:
                    raise
                chunk = (chunk + 1) // 2
                if device.type == "cuda":
                    torch.cuda.empty_cache()

    def mixed_precision() -> Any:
        return (
            torch.autocast(device_type=device.type, dtype=autocast_dtype)
            if autocast_dtype is not None
            else nullcontext()
        )

    def call(fn: Callable[..., torch.Tensor], *args: Any) -> torch.Tensor:
        if step_timeout is None:
            return fn(*args)
        return within(step_timeout, args[2], mixed_precision, fn, *args)

    mixed = mixed_precision()
    seed_everything(seed)
    with placed(model, device, dtype) as m, tf32(allow_tf32), torch.inference_mode(), mixed:
        window: torch.Tensor | None = h
        for step in range(1, n_steps + 1):
            if window is None:  # every row repeats the rollout it follows
                assert follow is not None
                frame = follow(step).to(device=device, dtype=dtype)
            else:
                computed = forward(m, window, step)
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
                    computed_rows = tuple(rows[r] for r in kept)
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
