"""The basin map: rollouts (and perturbed ones) of a model from extra start frames
(``--physcheck-starts``), with their basins, blow-up onsets and spreads.

Layouts: histories ``[B, T, X, Y, Z, C]``; truth windows ``[B, K, X, Y, Z, C]``.
"""

from __future__ import annotations

import torch

from physcheck.checks.measures import Measures
from physcheck.data.windows import Window
from physcheck.engine import noise_seed
from physcheck.errors import DataError
from physcheck.records import DiagnosticRecord, TruthRecord
from physcheck.suite.inputs import Inputs, TruthWindow
from physcheck.suite.runner import Runner
from physcheck.suite.variant import BASE, perturbations


def basin_map_rows(inputs: Inputs, runner: Runner, name: str) -> list[dict[str, object]]:
    """For each configured start frame (``starts``) and trajectory: the final basin of a
    rollout from that window, the onset of its variance blow-up, the basins and the spread
    (max VRMSE against the unperturbed rollout at K) of the perturbed rollouts. Windows
    that do not fit the trajectories are left out with a note. ``runner`` rolls out."""
    rows: list[dict[str, object]] = []
    if inputs.saved(name) is not None:
        reason = "saved rollouts cover one window; the basin map rolls the model out from others"
        rows = [{"start": start, "skipped": reason} for start in inputs.settings.starts or ()]
        return rows
    n_history = inputs.n_history(name)
    diag = inputs.diagnostics
    for start in inputs.settings.starts or ():
        window = Window(start, inputs.window.n_steps)
        try:
            window.check(n_history, inputs.data.n_time)
        except DataError as exc:
            rows.append({"start": start, "skipped": str(exc)})
            continue
        pairs = [inputs.data.read_window(t, window, n_history) for t in inputs.trajectories]
        history = torch.stack([h for h, _ in pairs]).to(inputs.device)
        truth = torch.stack([k for _, k in pairs]).to(inputs.device)
        truth_record = TruthRecord.compute(truth, inputs.layout, diag, history=history)

        runner.say(f"basin map of {name}: window starting at frame {start}")
        truth_window = TruthWindow(history, truth, truth_record)
        noises = perturbations(diag.n_perturbations)
        if inputs.batching:  # the base and perturbed rollouts as one batch, as in the run
            records = runner.compute_batch(
                name, [BASE, *noises], window=window, truth=truth_window
            )
            base, perturbed = records[BASE], [records[v] for v in noises]
        else:
            base = window_rollout(inputs, runner, name, window, truth_window)
            perturbed = [
                window_rollout(
                    inputs, runner, name, window, truth_window, noise_index=i, reference=base.frames
                )
                for i in range(diag.n_perturbations)
            ]
        thresholds, spectral = inputs.settings.thresholds, inputs.spectral_range(name)
        m = Measures(base, truth_record, inputs.layout, thresholds, spectral)
        others = [
            Measures(r, truth_record, inputs.layout, thresholds, spectral) for r in perturbed
        ]
        for i, t in enumerate(inputs.trajectories):
            blow = m.blow_up(i)
            spreads = [
                float(r.vs_reference_vrmse[i, -1])
                for r in perturbed
                if r.vs_reference_vrmse is not None
            ]
            rows.append(
                {
                    "start": start,
                    "trajectory": t,
                    "basin": m.final_basins[i],
                    "onset": blow.onset if blow.happened else None,
                    "perturbed_basins": [o.final_basins[i] for o in others],
                    "spread": max(spreads) if spreads else None,
                }
            )
    return rows


def window_rollout(
    inputs: Inputs,
    runner: Runner,
    name: str,
    window: Window,
    truth: TruthWindow,
    *,
    noise_index: int | None = None,
    reference: torch.Tensor | None = None,
) -> DiagnosticRecord:
    """One rollout of model ``name`` from another window, streamed into its record (not
    cached): the unperturbed one, or (``noise_index``) the perturbed one of that index, which
    compares with the unperturbed rollout's kept frames ``reference`` and stops early as the
    main window's do (``--physcheck-early-stop``)."""
    diag = inputs.diagnostics
    builder = runner.record_builder(
        truth, reference, keep_frames=reference is None and diag.n_perturbations > 0
    )
    result = runner.roll_out(
        name,
        truth.history,
        window.n_steps,
        first=window.first,
        noise=0.0 if noise_index is None else diag.noise_eps,
        noise_seed=None if noise_index is None else noise_seed(diag.seed, noise_index),
        on_step=builder,
        follow=runner.follow(reference) if reference is not None else None,
    )
    return builder.finish(result.first_nonfinite_step)


__all__ = ["basin_map_rows", "window_rollout"]
