"""Writing a model's rollouts to a prediction file (``physcheck export``), so that gating
the file gives the numbers and verdicts of gating the model in-process.

Layouts: frames ``[B, X, Y, Z, C]`` streamed step by step into ``[B, K, X, Y, Z, C]`` per
variant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import torch

from physcheck.errors import ConfigError
from physcheck.suite.equivariance import SymmetryRollouts
from physcheck.suite.inputs import TORCH_DTYPES, Inputs
from physcheck.suite.plan import RolloutPlan
from physcheck.suite.runner import FrameSink, Runner
from physcheck.suite.variant import Variant


def export_file_name(name: str, export_format: str) -> str:
    """``NAME.SUFFIX``: the file a model's rollouts are exported to (the suffix from the
    prediction-format registry, ``physcheck.data.formats``)."""
    from physcheck.data.formats import export_suffix

    return f"{name}{export_suffix(export_format)}"


def data_files(inputs: Inputs) -> list[str]:
    """``NAME:SHA256`` of each data file the trajectories were read from (``NAME:`` for a
    remote one): what a baseline of saved rollouts is refused by on other data."""
    from physcheck.data.checksums import file_sha256

    out = []
    for path in dict.fromkeys(inputs.data.trajectories[t].file for t in inputs.trajectories):
        digest = ""
        if isinstance(path, Path):
            try:
                digest = file_sha256(path)
            except OSError:
                pass
        out.append(f"{path.name}:{digest}")
    return out


def _keeping(sink: FrameSink, kept: list[torch.Tensor]) -> FrameSink:
    """``sink`` that also keeps a CPU copy of each frame in ``kept`` (in the frame's dtype)."""

    def keep(step: int, frame: torch.Tensor) -> None:
        sink(step, frame)
        kept.append(frame.detach().to("cpu", copy=True))

    return keep


def export_rollouts(
    inputs: Inputs,
    plan: RolloutPlan,
    runner: Runner,
    name: str,
    path: str | Path,
    *,
    symmetry_rollouts: Callable[[], SymmetryRollouts],
) -> Path:
    """Write the rollouts of a model that the selected checks need (the base rollout; the
    float64 twin, the perturbed rollouts and the rollouts of transformed inputs,
    ``symmetry_rollouts()``, where asked for) to a prediction file
    (``physcheck.data.predictions``; format by suffix), with the window, trajectories,
    history, channels, data files, noise and seed they cover. Gating the file with
    ``--physcheck-predictions NAME=PATH`` and the same settings gives the numbers and
    verdicts of gating the model in-process."""
    if inputs.saved(name) is not None:
        raise ConfigError(f"model {name!r} is saved rollouts already; there is nothing to export")
    from physcheck.data.predictions import check_free_space, prediction_writer

    settings, diag = inputs.settings, inputs.diagnostics
    n_history = inputs.n_history(name)
    truth = inputs.truth(n_history)
    meta = {
        "start_frame": inputs.window.first,
        "trajectories": list(inputs.trajectories),
        "n_history": n_history,
        "field_names": list(inputs.data.field_names),
        "data_files": data_files(inputs),
        "noise_eps": diag.noise_eps,
        "seed": diag.seed,
        "precision_skip": plan.precision_skip(name) if plan.needs("float64") else None,
        "equivariance_skip": (
            plan.equivariance_skip(name) if plan.needs("equivariance") else None
        ),
        # the model declares equivariance by construction: judged in the exact tier
        "equivariant": (
            plan.equivariance_tier(name) == "exact" if plan.needs("equivariance") else None
        ),
    }
    shape = tuple(truth.truth.shape)
    variants = plan.variants(name)
    # the base frames, kept when perturbed rollouts follow them (``--physcheck-early-stop``)
    kept: list[torch.Tensor] | None = (
        [] if settings.early_stop and any(v.is_perturbed for v in variants) else None
    )
    base_frames: torch.Tensor | None = None
    # frames x 4 bytes (8 for a float64 twin) x variants, refused before any rollout runs
    n_values = math.prod(shape)
    check_free_space(
        path,
        sum(n_values * (8 if v.is_twin and settings.reference_dtype == "float64" else 4) for v in variants),
    )
    with prediction_writer(
        path, meta, sources=inputs.data.infos[0].sources, spatial_dims=inputs.layout.spatial_dims
    ) as writer:
        for variant in variants:
            dtype = TORCH_DTYPES[settings.reference_dtype if variant.is_twin else settings.dtype]
            sink = writer.sink("" if variant.is_base else str(variant), shape, dtype)
            follow = None
            if variant.is_base and kept is not None:
                sink = _keeping(sink, kept)
            elif variant.is_perturbed and kept:
                base_frames = torch.stack(kept, dim=1) if base_frames is None else base_frames
                follow = runner.follow(base_frames)
            runner.run_variant(name, variant, sink, follow=follow)
        if plan.needs("equivariance") and plan.equivariance_skip(name) is None:
            base, moved, finals = symmetry_rollouts()
            shorts = {Variant("equivariance", transform="identity"): base}
            shorts.update({Variant("equivariance", transform=t): f for t, f in moved.items()})
            shorts.update({Variant("orbit", transform=t): f[:, None] for t, f in finals.items()})
            for short, frames in shorts.items():
                sink = writer.sink(str(short), tuple(frames.shape), frames.dtype)
                for step in range(1, frames.shape[1] + 1):
                    sink(step, frames[:, step - 1])
    return Path(path)


__all__ = ["data_files", "export_file_name", "export_rollouts"]
