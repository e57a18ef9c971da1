"""Per-step diagnostics of a rollout against the truth, built while the rollout streams.

A ``RecordBuilder`` is the engine's ``on_step`` callback: at each step it computes, on the
rollout's device and batched over trajectories, every number the checks need, so that the
K predicted frames need not be held. Layouts: see ``physcheck.records.record``.
"""

from __future__ import annotations

import math
from typing import cast

import torch

import physcheck.diagnostics as d
from physcheck.config.thresholds import DiagnosticSettings
from physcheck.diagnostics.metrics import Convention
from physcheck.errors import ArgumentError
from physcheck.fields import FieldLayout
from physcheck.records.record import DiagnosticRecord, TruthRecord
from physcheck.records.series import (
    SERIES_FIELDS,
    SeriesStore,
    frame_series,
    nan_spectra,
    spectrum_shells,
    spectrum_steps,
    trailing_shape,
)

#: frames (all trajectories) the CUDA path buffers to process several steps in one batch
DEVICE_STEP_BATCH = 8
#: ... as long as they take at most this many bytes
DEVICE_STEP_BATCH_BYTES = 256 * 2**20


class StreamedReference:
    """The frames of a reference rollout that runs in the same batch (the unperturbed rows of
    a batched rollout), usable as a ``RecordBuilder``'s ``reference``: ``put(step, frame)``
    stores a float32 copy (what a kept reference frame is) before the builders comparing with
    it see that step, and ``reference[:, span]`` gives ``[B, n, X, Y, Z, C]``. Only the last
    ``keep`` steps are held (a builder buffers at most ``DEVICE_STEP_BATCH`` steps), so memory
    is independent of K."""

    def __init__(self, keep: int = DEVICE_STEP_BATCH + 1) -> None:
        self.keep = keep
        self._frames: dict[int, torch.Tensor] = {}

    def put(self, step: int, frame: torch.Tensor) -> None:
        self._frames[step] = frame.detach().to(torch.float32, copy=True)
        for old in [s for s in self._frames if s <= step - self.keep]:
            del self._frames[old]

    def __getitem__(self, index: tuple[slice, slice]) -> torch.Tensor:
        span = index[1]
        steps = range(span.start + 1, span.stop + 1)  # 0-based span of 1-based steps
        missing = [s for s in steps if s not in self._frames]
        if missing:
            raise KeyError(f"reference frames of steps {missing} are no longer (or not yet) held")
        return torch.stack([self._frames[s] for s in steps], dim=1)


class RecordBuilder:
    """Streams a rollout into a ``DiagnosticRecord`` (use as ``rollout(..., on_step=builder)``).

    ``truth``: ``[B, K, *S, C]`` on the rollout's device (``[B, K, X, Y, Z, C]`` in 3D). ``truth_record``: the truth's
    diagnostics, if already computed (their variances are reused for VRMSE). ``reference``:
    frames of another rollout ``[B, K, ...]`` (any device; or a ``StreamedReference``) to
    compare with step by step, with its per-step channel variances ``reference_variance
    [B, K, C]`` if known (else computed from the reference frames). ``previous``: the frame before step 1 (the last history frame,
    ``[B, *S, C]``), from which the step-1 ``change`` is measured. ``keep_frames``: keep a
    float32 CPU copy of each frame (needed when later rollouts compare with this one).

    Each step costs one ``frame_statistics`` pass over the frame plus one squared-error sum per
    comparison, and nothing is synchronised with the device until ``finish``. ``step_batch``:
    how many steps to buffer and process as one batch (default: one on the CPU, where the work
    is bound by memory bandwidth; on CUDA up to ``DEVICE_STEP_BATCH`` steps within
    ``DEVICE_STEP_BATCH_BYTES``, which amortises kernel launches). Memory stays independent of K.
    """

    def __init__(
        self,
        truth: torch.Tensor,
        layout: FieldLayout,
        settings: DiagnosticSettings,
        *,
        truth_record: TruthRecord | None = None,
        reference: torch.Tensor | StreamedReference | None = None,
        reference_variance: torch.Tensor | None = None,
        previous: torch.Tensor | None = None,
        keep_frames: bool = False,
        step_batch: int | None = None,
    ) -> None:
        self.truth, self.layout, self.settings = truth, layout, settings
        self.reference = reference
        self.keep_frames = keep_frames
        self.n_steps = truth.shape[1]
        self.n_points = math.prod(truth.shape[2:-1])
        self.steps = spectrum_steps(settings, self.n_steps)
        self.truth_variance = (
            truth_record.variance.to(truth.device) if truth_record is not None else None
        )
        self.reference_variance = reference_variance
        if step_batch is not None and step_batch < 1:
            raise ArgumentError(f"step_batch must be >= 1, got {step_batch}")
        self.step_batch = step_batch
        self.series = SeriesStore(truth.shape[0], self.n_steps, truth.shape[-1])
        self.n_done = 0
        self.previous = previous
        self.frames: list[torch.Tensor] = []
        self._pending: torch.Tensor | None = None
        self._pending_steps: list[int] = []

    def _batch_size(self, frame: torch.Tensor) -> int:
        if self.step_batch is not None:
            return self.step_batch
        if frame.device.type == "cpu":
            return 1
        fitting = DEVICE_STEP_BATCH_BYTES // max(frame.numel() * frame.element_size(), 1)
        return int(max(1, min(DEVICE_STEP_BATCH, fitting)))

    def __call__(self, step: int, frame: torch.Tensor) -> None:
        size = self._batch_size(frame)
        if size == 1:
            self._process([step], frame[:, None])
            return
        pending, shape = self._pending, (frame.shape[0], size, *frame.shape[1:])
        if (
            pending is None
            or tuple(pending.shape) != shape
            or pending.dtype != frame.dtype
            or pending.device != frame.device
        ):
            self._flush()
            pending = self._pending = frame.new_empty(shape)
        pending[:, len(self._pending_steps)].copy_(frame)  # a copy: the model may reuse its output
        self._pending_steps.append(step)
        if len(self._pending_steps) == size:
            self._flush()

    def _flush(self) -> None:
        if self._pending is not None and self._pending_steps:
            steps, self._pending_steps = self._pending_steps, []
            self._process(steps, self._pending[:, : len(steps)])

    def _known_or_computed(
        self, known: torch.Tensor | None, frames: torch.Tensor, span: slice, like: torch.Tensor
    ) -> torch.Tensor:
        """Per-step channel variances ``[B, n, C]``: given, or computed from ``frames [B, n, ...]``."""
        if known is not None:
            return known[:, span].to(device=like.device, dtype=like.dtype)
        b, n = frames.shape[:2]
        variance = d.channel_moments(frames.reshape(b * n, *frames.shape[2:]))[1]
        return variance.view(b, n, -1).to(device=like.device, dtype=like.dtype)

    @torch.inference_mode()  # the store is written inside the rollout's inference mode, too
    def _process(self, steps: list[int], frames: torch.Tensor) -> None:
        """The numbers of consecutive ``steps`` from their frames ``[B, n, *S, C]``."""
        settings, store = self.settings, self.series
        b, n = frames.shape[:2]
        span = slice(steps[0] - 1, steps[0] - 1 + n)
        flat = frames.reshape(b * n, *frames.shape[2:])
        spectrum_at = [j for j, s in enumerate(steps) if s in self.steps]
        values, spectra, stats = frame_series(
            frames, self.previous, self.layout, settings, spectrum_at=spectrum_at
        )
        self.previous = frames[:, -1].clone()
        convention = cast(Convention, settings.vrmse_convention)

        def series(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, *t.shape[1:])

        truth = self.truth[:, span]
        sse = series(d.squared_error_sums(flat, truth.reshape(flat.shape)))
        truth_var = self._known_or_computed(self.truth_variance, truth, span, sse)
        store.put(
            "vrmse", span, d.vrmse_from_sums(sse, truth_var, self.n_points, convention=convention)
        )
        for name, value in values.items():
            store.put(name, span, value)
        if spectra is not None:
            for j, per_traj in zip(spectrum_at, spectra):
                store.put_spectrum(self.steps.index(steps[j]), per_traj, len(self.steps))
        if self.reference is not None:
            ref = self.reference[:, span].to(device=flat.device, dtype=flat.dtype)
            ref_sse = series(d.squared_error_sums(flat, ref.reshape(flat.shape)))
            ref_var = self._known_or_computed(self.reference_variance, ref, span, ref_sse)
            ref_vrmse = d.vrmse_from_sums(ref_sse, ref_var, self.n_points, convention=convention)
            store.put("vs_ref_vrmse", span, ref_vrmse.mean(dim=-1))
            # |frame|^2 = S (var + mean^2), summed over channels: no second pass over the frame
            frame_sq = series((stats.variance + stats.mean.square()).sum(dim=-1) * self.n_points)
            store.put("vs_ref_rel", span, torch.sqrt(ref_sse.sum(dim=-1) / frame_sq))
        self.n_done += n
        if self.keep_frames:
            self.frames.append(frames.detach().to("cpu", torch.float32, copy=True))

    def finish(self, first_nonfinite_step: torch.Tensor) -> DiagnosticRecord:
        """The record; steps never reached (the ``stop`` policy) are NaN."""
        self._flush()
        self._pending = None
        out = self.series.finished()
        b = self.truth.shape[0]
        n_shells = spectrum_shells(self.layout, self.truth.shape[2:-1])

        def series(name: str, *shape: int) -> torch.Tensor:
            if name in out:
                return out[name]
            return torch.full((b, self.n_steps, *shape), float("nan"), dtype=torch.float64)

        n_channels = self.truth.shape[-1]
        spectra = out.get("spectra")
        if spectra is None:
            spectra = nan_spectra(b, len(self.steps), n_shells)
        compared = self.reference is not None
        return DiagnosticRecord(
            n_steps=self.n_steps,
            vrmse=series("vrmse", n_channels),
            **{
                name: series(name, *trailing_shape(f, n_channels))
                for name, f in SERIES_FIELDS.items()
            },
            spectrum_steps=self.steps,
            spectra=spectra,
            first_nonfinite_step=first_nonfinite_step.cpu(),
            vs_reference_vrmse=series("vs_ref_vrmse") if compared else None,
            vs_reference_relative=series("vs_ref_rel") if compared else None,
            frames=torch.cat(self.frames, dim=1) if self.frames else None,
        )


__all__ = ["DEVICE_STEP_BATCH", "DEVICE_STEP_BATCH_BYTES", "RecordBuilder", "StreamedReference"]
