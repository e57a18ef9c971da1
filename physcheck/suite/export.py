"""Writing a model's rollouts to a prediction file (``physcheck export``), so that gating
the file gives the numbers and verdicts of gating the model in-process.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from physcheck.errors import ConfigError
from physcheck.suite.inputs import TORCH_DTYPES

if TYPE_CHECKING:
    from physcheck.suite.core import Suite


def _keeping(
    sink: Callable[[int, torch.Tensor], None], kept: list[torch.Tensor]
) -> Callable[[int, torch.Tensor], None]:
    """``sink`` that also keeps a CPU copy of each frame in ``kept`` (in the frame's dtype)."""

    def keep(step: int, frame: torch.Tensor) -> None:
        sink(step, frame)
        kept.append(frame.detach().to("cpu", copy=True))

    return keep


def export_rollouts(suite: Suite, name: str, path: str | Path) -> Path:
    """Write the rollouts of a model that the selected checks need (the base rollout; the
    float64 twin, the perturbed rollouts and the rollouts of transformed inputs where
    asked for) to a prediction file (``physcheck.data.predictions``; format by suffix),
    with the window, trajectories, history, channels, noise and seed they cover. Gating
    the file with ``--physcheck-predictions NAME=PATH`` and the same settings gives the
    numbers and verdicts of gating the model in-process."""
    if suite.saved(name) is not None:
        raise ConfigError(f"model {name!r} is saved rollouts already; there is nothing to export")
    from physcheck.data.predictions import check_free_space, prediction_writer

    diag = suite.diagnostics
    n_history = suite.n_history(name)
    truth = suite.truth(n_history)
    meta = {
        "start_frame": suite.window.first,
        "trajectories": list(suite.trajectories),
        "n_history": n_history,
        "field_names": list(suite.data.field_names),
        "noise_eps": diag.noise_eps,
        "seed": diag.seed,
        "precision_skip": suite.precision_skip(name) if suite.needs("float64") else None,
        "equivariance_skip": (
            suite.equivariance_skip(name) if suite.needs("equivariance") else None
        ),
        # the model declares equivariance by construction: judged in the exact tier
        "equivariant": (
            suite.equivariance_tier(name) == "exact" if suite.needs("equivariance") else None
        ),
    }
    shape = tuple(truth.truth.shape)
    variants = suite.variants(name)
    # the base frames, kept when perturbed rollouts follow them (``--physcheck-early-stop``)
    kept: list[torch.Tensor] | None = (
        [] if suite.settings.early_stop and any(v.startswith("noise") for v in variants) else None
    )
    base_frames: torch.Tensor | None = None
    # frames x 4 bytes (8 for a float64 twin) x variants, refused before any rollout runs
    n_values = math.prod(shape)
    check_free_space(
        path,
        sum(n_values * (8 if v == "float64" and suite.settings.reference_dtype == "float64" else 4) for v in variants),
    )
    with prediction_writer(path, meta, sources=suite.data.infos[0].sources) as writer:
        for variant in variants:
            dtype = TORCH_DTYPES[
                suite.settings.reference_dtype if variant == "float64" else suite.settings.dtype
            ]
            sink = writer.sink("" if variant == "base" else variant, shape, dtype)
            follow = None
            if variant == "base" and kept is not None:
                sink = _keeping(sink, kept)
            elif variant.startswith("noise") and kept:
                base_frames = torch.stack(kept, dim=1) if base_frames is None else base_frames
                follow = suite._follow(base_frames)
            suite._run_variant(name, variant, sink, follow=follow)
        if suite.needs("equivariance") and suite.equivariance_skip(name) is None:
            base, moved, finals = suite.equivariance_rollouts(name)
            shorts = {"equivariance:identity": base}
            shorts.update({f"equivariance:{t}": f for t, f in moved.items()})
            shorts.update({f"orbit:{t}": f[:, None] for t, f in finals.items()})
            for variant, frames in shorts.items():
                sink = writer.sink(variant, tuple(frames.shape), frames.dtype)
                for step in range(1, frames.shape[1] + 1):
                    sink(step, frames[:, step - 1])
    return Path(path)


__all__ = ["export_rollouts"]
