"""Rolling a run's models out (``Runner``): every rollout goes through ``roll_out`` (the
run's device, seed, per-step hooks, rows per forward pass); one variant at a time
(``run_variant``; saved rollouts are read instead) or several as one batch
(``compute_batch``), streamed into diagnostic records; perturbed rollouts follow the base
one for ``--physcheck-early-stop``; progress lines go to the ``progress`` callback.

The runner memoises nothing and knows no cache: what a variant compares with (the base
record's kept frames) is handed to it (``BaseFrames``). It counts what it computed
(``rollout_counts``, ``batches``, ``rejoined``).

Layouts: histories ``[B, T, *S, C]``, frames ``[B, *S, C]``, kept frames ``[B, K, *S, C]``
(S the data profile's spatial axes: ``X, Y, Z`` for MHD; the shapes below are written for it).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

import torch

from physcheck import timing
from physcheck.data.windows import Window
from physcheck.engine import RolloutResult, mark_nonfinite, noise_seed, relative_noise, rollout
from physcheck.formatting import step_line
from physcheck.models.saved import SavedRollouts
from physcheck.records import DiagnosticRecord, RecordBuilder, StreamedReference
from physcheck.suite.inputs import TORCH_DTYPES, Inputs, TruthWindow
from physcheck.suite.variant import BASE, Variant

#: the base record's kept frames ``[B, K, X, Y, Z, C]`` (``None`` when it keeps none),
#: asked for only when a variant compares with them
BaseFrames = Callable[[], torch.Tensor | None]
#: ``engine.rollout``'s ``follow``: the base rollout's frame after a step
Follow = Callable[[int], torch.Tensor]
#: a frame sink ``(step, frame [B, X, Y, Z, C])``
FrameSink = Callable[[int, torch.Tensor], None]


class Runner:
    """Rolls out (or reads) the variants of ``inputs``' models. ``progress``: where progress
    lines go (``None``: nowhere)."""

    def __init__(self, inputs: Inputs, *, progress: Callable[[str], None] | None = None) -> None:
        self.inputs = inputs
        self.progress = progress
        #: the rollouts actually computed, per ``(model, variant name)``
        self.rollout_counts: collections.Counter[tuple[str, str]] = collections.Counter()
        #: the batched rollouts run: (model, variant names of its row blocks)
        self.batches: list[tuple[str, tuple[str, ...]]] = []
        #: the step after which a perturbed rollout repeated the base rollout and was copied,
        #: not computed (``--physcheck-early-stop``), per ``(model, variant name)``
        self.rejoined: dict[tuple[str, str], int] = {}

    def say(self, line: str) -> None:
        """One progress line (nothing without a ``progress`` callback)."""
        if self.progress is not None:
            self.progress(line)

    # -- one rollout -----------------------------------------------------------------------------
    def roll_out(
        self,
        name: str,
        history: torch.Tensor,
        n_steps: int,
        *,
        first: int | None = None,
        rows: list[int] | None = None,
        dtype: torch.dtype | None = None,
        noise: float = 0.0,
        noise_seed: int | None = None,
        on_step: FrameSink | None = None,
        keep_frames: bool = False,
        leaders: list[int | None] | None = None,
        follow: Follow | None = None,
    ) -> RolloutResult:
        """``engine.rollout`` of model ``name`` from ``history [B, T, X, Y, Z, C]``, as every
        rollout of a run goes: on the run's device, seeded with its seed, with the model's
        per-step hooks (``+projection``), at most ``batch_rows`` rows per forward pass, from
        frame ``first`` (default: the window's first) of dataset trajectories ``rows`` (default:
        the run's), in ``dtype`` (default: the run's). The other keywords are the engine's."""
        inputs, settings = self.inputs, self.inputs.settings
        return rollout(
            inputs.model(name),
            history,
            n_steps,
            device=inputs.device,
            dtype=dtype or TORCH_DTYPES[settings.dtype],
            seed=inputs.diagnostics.seed,
            hooks=self.hooks(inputs.model_entry(name).projection),
            noise=noise,
            noise_seed=noise_seed,
            on_step=on_step,
            keep_frames=keep_frames,
            start_frame=inputs.window.first if first is None else first,
            trajectories=inputs.trajectories if rows is None else rows,
            batch_size=settings.batch_rows,
            leaders=leaders,
            follow=follow,
            step_timeout=settings.step_timeout,
        )

    def hooks(self, projection: bool) -> list[Callable[[torch.Tensor], torch.Tensor]]:
        """Per-step hooks of a model's rollouts (the div B projection of ``+projection``)."""
        if not projection:
            return []
        from physcheck.diagnostics import project_state

        layout, spacing = self.inputs.layout, self.inputs.diagnostics.spacing
        return [lambda frame: project_state(frame, layout=layout, spacing=spacing)]

    def record_builder(
        self,
        truth: TruthWindow,
        reference: torch.Tensor | StreamedReference | None,
        *,
        keep_frames: bool,
    ) -> RecordBuilder:
        """The streaming record of one rollout of ``truth``'s window (against ``reference``
        frames for a variant)."""
        return RecordBuilder(
            truth.truth,
            self.inputs.layout,
            self.inputs.diagnostics,
            truth_record=truth.record,
            reference=reference,
            previous=truth.history[:, -1],
            keep_frames=keep_frames,
        )

    def run_variant(
        self, name: str, variant: Variant, on_frame: FrameSink, *, follow: Follow | None = None
    ) -> torch.Tensor:
        """Roll out (or, for saved rollouts, read) one variant of a model over the window,
        streaming each frame ``[B, X, Y, Z, C]`` to ``on_frame(step, frame)``; returns the
        first non-finite step per trajectory (``[B]``, K + 1 where finite). ``follow``: the
        base rollout's frame at a step, which a perturbed rollout that has rejoined it repeats
        (``engine.rollout``)."""
        inputs = self.inputs
        saved = inputs.saved(name)
        if saved is not None:
            return self.read_variant(name, saved, variant, on_frame)
        truth = inputs.truth(inputs.n_history(name))
        diag = inputs.diagnostics
        dtype = TORCH_DTYPES[inputs.settings.dtype]
        noise, seed = 0.0, None
        if variant.is_twin:  # the twin, in the reference precision
            dtype = TORCH_DTYPES[inputs.settings.reference_dtype]
        elif variant.is_perturbed:
            noise, seed = diag.noise_eps, noise_seed(diag.seed, variant.noise_index)
        label = str(variant)
        started = time.perf_counter()
        n_steps = inputs.window.n_steps
        shape = f"{truth.history.shape[0]} trajectories x {n_steps} steps"
        self.say(f"rolling out {name} ({label}, {shape}, {dtype}, {inputs.device})")
        every = max(1, n_steps // 5)

        def on_step(step: int, frame: torch.Tensor) -> None:
            on_frame(step, frame)
            if step % every == 0 and step < n_steps:
                elapsed = time.perf_counter() - started
                self.say(step_line(name, label, step, n_steps, elapsed))

        with timing.variant(label):
            result = self.roll_out(
                name,
                truth.history,
                n_steps,
                dtype=dtype,
                noise=noise,
                noise_seed=seed,
                on_step=on_step if self.progress is not None else on_frame,
                follow=follow,
            )
        self.note_rejoined(name, [label], result.rejoined_at)
        self.rollout_counts[(name, label)] += 1
        self.say(f"rolled out {name} ({label}) in {time.perf_counter() - started:.1f} s")
        return result.first_nonfinite_step

    def read_variant(
        self, name: str, saved: SavedRollouts, variant: Variant, on_frame: FrameSink
    ) -> torch.Tensor:
        """Stream a saved rollout's frames as a rollout would; the first non-finite step per
        trajectory as the engine records it."""
        inputs = self.inputs
        n_steps = inputs.window.n_steps
        self.say(f"reading {name} ({variant}) from {saved.weight_files[0].name}")
        frames = saved.frames(str(variant), inputs.trajectories, n_steps).to(inputs.device)
        first_bad = torch.full(
            (frames.shape[0],), n_steps + 1, dtype=torch.int64, device=inputs.device
        )
        for step in range(1, n_steps + 1):
            frame = frames[:, step - 1]
            first_bad, _ = mark_nonfinite(first_bad, frame, step)
            on_frame(step, frame)
        return first_bad

    def compute(
        self, name: str, variant: Variant, *, base_frames: BaseFrames, keep_base_frames: bool
    ) -> DiagnosticRecord:
        """One variant's record, rolled out (or read) on its own. A variant other than the
        base compares with ``base_frames()``; the base record keeps its frames when
        ``keep_base_frames``."""
        truth = self.inputs.truth(self.inputs.n_history(name))
        # variants compare with the base rollout's kept (float32) frames; their variances are
        # computed from those frames, as in a batch (``compute_batch``)
        reference = base_frames() if not variant.is_base else None
        builder = self.record_builder(
            truth, reference, keep_frames=variant.is_base and keep_base_frames
        )
        follow = self.follow(reference) if reference is not None and variant.is_perturbed else None
        return builder.finish(self.run_variant(name, variant, builder, follow=follow))

    # -- several rollouts as one batch -----------------------------------------------------------
    def compute_batch(
        self,
        name: str,
        variants: list[Variant],
        *,
        base_frames: BaseFrames | None = None,
        keep_base_frames: bool = False,
        window: Window | None = None,
        truth: TruthWindow | None = None,
    ) -> dict[Variant, DiagnosticRecord]:
        """The base rollout (when among ``variants``) and perturbed ones as one rollout of
        ``len(variants) x B`` rows: row block j holds variant j's inputs, perturbed exactly as
        its own rollout would be (``relative_noise`` draws per trajectory), so each block's
        frames and records equal the one-at-a-time ones wherever the model's step is
        batch-invariant (tested). The perturbed blocks compare with the base block at each step
        (``StreamedReference``), or, without the base, with ``base_frames()``. ``window`` /
        ``truth``: another window than the run's (the basin map's; nothing counted or kept)."""
        inputs = self.inputs
        model = inputs.model(name)
        main = window is None
        window = window or inputs.window
        truth = truth or inputs.truth(inputs.n_history(name))
        diag, dtype = inputs.diagnostics, TORCH_DTYPES[inputs.settings.dtype]
        rows = list(inputs.trajectories)
        n_traj = len(rows)
        # the engine keeps the model's last n_history frames; noise is drawn on exactly those
        history = truth.history[:, -model.n_history :].to(device=inputs.device, dtype=dtype)
        blocks = []
        for v in variants:
            if v.is_base:
                blocks.append(history)
            else:
                seed = noise_seed(diag.seed, v.noise_index)
                blocks.append(history + relative_noise(history, diag.noise_eps, seed, rows))
        reference: torch.Tensor | StreamedReference | None
        if BASE in variants:
            reference = StreamedReference()
        else:
            reference = base_frames() if base_frames is not None else None
        builders = {
            v: self.record_builder(
                truth,
                None if v.is_base else reference,
                keep_frames=main and v.is_base and keep_base_frames,
            )
            for v in variants
        }
        n_steps = window.n_steps
        leaders, follow = self.followers(variants, n_traj, reference)
        label = " + ".join(str(v) for v in variants)
        self.say(
            f"rolling out {name} ({label} batched: {len(variants) * n_traj} rows x {n_steps} steps, "
            f"{dtype}, {inputs.device})"
        )
        started = time.perf_counter()
        every = max(1, n_steps // 5)

        def on_step(step: int, frame: torch.Tensor) -> None:
            for j, v in enumerate(variants):
                part = frame[j * n_traj : (j + 1) * n_traj]
                if v.is_base and isinstance(reference, StreamedReference):
                    reference.put(step, part)
                builders[v](step, part)
            if self.progress is not None and step % every == 0 and step < n_steps:
                elapsed = time.perf_counter() - started
                self.say(step_line(name, label, step, n_steps, elapsed))

        with timing.variant(label if main else f"basin map {label}"):
            result = self.roll_out(
                name,
                torch.cat(blocks),
                n_steps,
                first=window.first,
                rows=rows * len(variants),
                dtype=dtype,
                on_step=on_step,
                leaders=leaders,
                follow=follow,
            )
        first_bad = result.first_nonfinite_step.view(len(variants), n_traj)
        out = {v: builders[v].finish(first_bad[j]) for j, v in enumerate(variants)}
        if main:
            self.batches.append((name, tuple(str(v) for v in variants)))
            perturbed = [str(v) for v in variants if not v.is_base]
            self.note_rejoined(name, perturbed, result.rejoined_at)
            for v in variants:
                self.rollout_counts[(name, str(v))] += 1
        self.say(f"rolled out {name} ({label}) in {time.perf_counter() - started:.1f} s")
        return out

    # -- following the base rollout (``--physcheck-early-stop``) ---------------------------------
    def followers(
        self,
        variants: list[Variant],
        n_traj: int,
        reference: torch.Tensor | StreamedReference | None,
    ) -> tuple[list[int | None] | None, Follow | None]:
        """How the rows of a batch of ``variants`` (blocks of ``n_traj`` rows) follow the base
        rollout for ``--physcheck-early-stop``: ``leaders`` (the base block of the same batch)
        or ``follow`` (the base record's kept frames), as ``engine.rollout`` takes them."""
        if not self.inputs.settings.early_stop or variants == [BASE]:
            return None, None
        if BASE in variants:
            first = variants.index(BASE) * n_traj
            return [None if v.is_base else first + i for v in variants for i in range(n_traj)], None
        if not isinstance(reference, torch.Tensor):
            return None, None
        return None, self.follow(reference, blocks=len(variants))

    def follow(self, frames: torch.Tensor, *, blocks: int = 1) -> Follow | None:
        """The base rollout's kept frames ``[B, K, X, Y, Z, C]`` as ``engine.rollout``'s
        ``follow`` for ``blocks`` perturbed rollouts stacked row-wise (``None`` with
        ``--physcheck-early-stop off``)."""
        if not self.inputs.settings.early_stop:
            return None

        def follow(step: int) -> torch.Tensor:
            frame = frames[:, step - 1]
            return frame if blocks == 1 else frame.repeat(blocks, *([1] * (frame.ndim - 1)))

        return follow

    def note_rejoined(self, name: str, variants: list[str], step: int | None) -> None:
        """Record (and say) that the rollouts ``variants`` of a model rejoined the base rollout
        after ``step`` (``None``: never), so that later steps were copied."""
        n_steps = self.inputs.window.n_steps
        if step is None or step >= n_steps or not variants:
            return
        for v in variants:
            self.rejoined[(name, v)] = step
        self.say(
            f"  {name} ({', '.join(variants)}): every trajectory rejoined the base rollout at step "
            f"{step}; steps {step + 1}-{n_steps} repeat it (copied, not computed)"
        )


__all__ = ["BaseFrames", "Follow", "FrameSink", "Runner"]
