"""The basin map: rollouts (and perturbed ones) of a model from extra start frames
(``--physcheck-starts``), with their basins, blow-up onsets and spreads.

Layouts: histories ``[B, T, X, Y, Z, C]``; truth windows ``[B, K, X, Y, Z, C]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from physcheck.checks.measures import Measures
from physcheck.data.windows import Window
from physcheck.engine import noise_seed
from physcheck.errors import DataError
from physcheck.records import DiagnosticRecord, TruthRecord
from physcheck.suite.inputs import TruthWindow

if TYPE_CHECKING:
    from physcheck.suite.core import Suite


def basin_map_rows(suite: Suite, name: str) -> list[dict[str, object]]:
    """For each configured start frame (``starts``) and trajectory: the final basin of a
    rollout from that window, the onset of its variance blow-up, the basins and the spread
    (max VRMSE against the unperturbed rollout at K) of the perturbed rollouts. Windows
    that do not fit the trajectories are left out with a note."""
    rows: list[dict[str, object]] = []
    if suite.saved(name) is not None:
        reason = "saved rollouts cover one window; the basin map rolls the model out from others"
        rows = [{"start": start, "skipped": reason} for start in suite.settings.starts or ()]
        return rows
    n_history = suite.n_history(name)
    diag = suite.diagnostics
    for start in suite.settings.starts or ():
        window = Window(start, suite.window.n_steps)
        try:
            window.check(n_history, suite.data.n_time)
        except DataError as exc:
            rows.append({"start": start, "skipped": str(exc)})
            continue
        pairs = [suite.data.read_window(t, window, n_history) for t in suite.trajectories]
        history = torch.stack([h for h, _ in pairs]).to(suite.device)
        truth = torch.stack([k for _, k in pairs]).to(suite.device)
        truth_record = TruthRecord.compute(truth, suite.layout, diag, history=history)

        suite._say(f"basin map of {name}: window starting at frame {start}")
        truth_window = TruthWindow(history, truth, truth_record)
        noises = [f"noise{i}" for i in range(diag.n_perturbations)]
        if suite.batching:  # the base and perturbed rollouts as one batch, as in the run
            records = suite._compute_batch(
                name, ["base", *noises], window=window, truth=truth_window
            )
            base, perturbed = records["base"], [records[v] for v in noises]
        else:
            base = window_rollout(suite, name, window, truth_window)
            perturbed = [
                window_rollout(
                    suite, name, window, truth_window, noise_index=i, reference=base.frames
                )
                for i in range(diag.n_perturbations)
            ]
        thresholds, spectral = suite.settings.thresholds, suite.spectral_range(name)
        m = Measures(base, truth_record, suite.layout, thresholds, spectral)
        others = [
            Measures(r, truth_record, suite.layout, thresholds, spectral) for r in perturbed
        ]
        for i, t in enumerate(suite.trajectories):
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
    suite: Suite,
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
    diag = suite.diagnostics
    builder = suite._record_builder(
        truth, reference, keep_frames=reference is None and diag.n_perturbations > 0
    )
    result = suite.roll_out(
        name,
        truth.history,
        window.n_steps,
        first=window.first,
        noise=0.0 if noise_index is None else diag.noise_eps,
        noise_seed=None if noise_index is None else noise_seed(diag.seed, noise_index),
        on_step=builder,
        follow=suite._follow(reference) if reference is not None else None,
    )
    return builder.finish(result.first_nonfinite_step)


__all__ = ["basin_map_rows", "window_rollout"]
