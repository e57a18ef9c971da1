"""A physcheck run as a library object: data, models, rollouts, records, check results.

Every rollout (base precision, float64 twin, each perturbation) is computed at most once
per session however many checks or tests use it, and with the disk cache once across
sessions. Works without pytest; the plugin is a thin shell over it.
"""

from __future__ import annotations

import collections
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import torch

import physcheck
from physcheck.cache import RecordCache, cache_key
from physcheck.checks.physics import CheckContext, run_checks
from physcheck.checks.record import DiagnosticRecord, RecordBuilder, TruthRecord
from physcheck.checks.result import CheckResult
from physcheck.config import ConfigError, ModelEntry, Settings
from physcheck.data import DataError, WellData, Window, open_dataset, parse_window
from physcheck.engine import rollout
from physcheck.fields import FieldLayout
from physcheck.models import load, model_hash, supports_precision

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}


def resolve_device(device: str) -> torch.device:
    """``auto`` -> CUDA where available. Under pytest-xdist, ``cuda``/``auto`` give each
    worker its own GPU (worker ``gwN`` -> ``cuda:N mod count``) when there are several."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and torch.cuda.is_available() and torch.cuda.device_count() > 1:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        if worker.startswith("gw") and worker[2:].isdigit():
            return torch.device(f"cuda:{int(worker[2:]) % torch.cuda.device_count()}")
    return torch.device(device)


@dataclass
class TruthWindow:
    """History and truth of the configured trajectories for one history length."""

    history: torch.Tensor  # [B, T, X, Y, Z, C]
    truth: torch.Tensor  # [B, K, X, Y, Z, C]
    record: TruthRecord


class PhyscheckSession:
    """Lazily computes and memoises everything a run needs. ``rollout_counts`` counts the
    rollouts actually computed (cache hits excluded), per ``(model, variant)``."""

    def __init__(self, settings: Settings, *, rootdir: str | Path = ".") -> None:
        self.settings = settings
        self.rootdir = Path(rootdir)
        self.rollout_counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.cache_hits: collections.Counter[tuple[str, str]] = collections.Counter()
        self._models: dict[str, Any] = {}
        self._truth: dict[int, TruthWindow] = {}
        self._records: dict[tuple[str, str], DiagnosticRecord] = {}
        self._results: dict[str, list[CheckResult]] = {}
        cache_dir = Path(settings.cache_dir)
        self.cache = (
            RecordCache(cache_dir if cache_dir.is_absolute() else self.rootdir / cache_dir)
            if settings.use_cache
            else None
        )

    # -- inputs ----------------------------------------------------------------------------------
    @cached_property
    def data(self) -> WellData:
        if self.settings.data:
            path = Path(self.settings.data)
            return open_dataset(
                path if path.is_absolute() else self.rootdir / path, split=self.settings.split
            )
        from physcheck.fixtures import default_dataset

        return open_dataset(
            default_dataset(splits=(self.settings.split,)), split=self.settings.split
        )

    @cached_property
    def layout(self) -> FieldLayout:
        return self.data.layout(self.settings.guide_axis)

    @cached_property
    def device(self) -> torch.device:
        return resolve_device(self.settings.device)

    @cached_property
    def window(self) -> Window:
        return parse_window(self.settings.window)

    @cached_property
    def trajectories(self) -> list[int]:
        available = self.data.n_trajectories
        wanted = (
            list(self.settings.trajectories)
            if self.settings.trajectories is not None
            else list(range(available))
        )
        missing = [t for t in wanted if not 0 <= t < available]
        if missing:
            raise DataError(
                f"trajectories {missing} do not exist; the {self.settings.split} split has 0..{available - 1}"
            )
        return wanted

    def model_entry(self, name: str) -> ModelEntry:
        for entry in self.settings.models:
            if entry.name == name:
                return entry
        raise ConfigError(
            f"no model named {name!r}; configured: {[m.name for m in self.settings.models]}"
        )

    def model(self, name: str) -> Any:
        if name not in self._models:
            entry = self.model_entry(name)
            self._models[name] = load(entry.spec, data=self.data, device=self.device)
        return self._models[name]

    def n_history(self, name: str) -> int:
        return self.window.resolve_history(self.model(name).n_history)

    def truth(self, n_history: int) -> TruthWindow:
        if n_history not in self._truth:
            self.window.check(n_history, self.data.n_time)
            pairs = [self.data.read_window(t, self.window, n_history) for t in self.trajectories]
            history = torch.stack([h for h, _ in pairs]).to(self.device)
            truth = torch.stack([t for _, t in pairs]).to(self.device)
            record = TruthRecord.compute(truth, self.layout, self.settings.diagnostics)
            self._truth[n_history] = TruthWindow(history, truth, record)
        return self._truth[n_history]

    # -- rollouts --------------------------------------------------------------------------------
    def variants(self, name: str) -> list[str]:
        """The rollouts the configured checks need for a model."""
        out = ["base"]
        checks = self.settings.checks
        if "precision" in checks and self.precision_skip(name) is None:
            out.append("float64")
        if "basin_determinism" in checks:
            out += [f"noise{i}" for i in range(self.settings.diagnostics.n_perturbations)]
        return out

    def precision_skip(self, name: str) -> str | None:
        reason = supports_precision(self.model(name))
        if reason:
            return reason
        if self.settings.dtype == "float64":
            return "the base rollout already runs in float64"
        return None

    def _key(self, name: str, variant: str, n_history: int) -> str:
        entry = self.model_entry(name)
        s = self.settings
        return cache_key(
            {
                "model": model_hash(self.model(name), entry.spec),
                "projection": entry.projection,
                "data": self.data.content_hash(),
                "split": s.split,
                "window": [self.window.first, self.window.n_steps, n_history],
                "trajectories": self.trajectories,
                "variant": variant,
                "dtype": s.dtype,
                "device": self.device.type,
                "diagnostics": s.summary()["diagnostics"],
                "guide_axis": s.guide_axis,
                "keep_frames": self._keeps_frames(name),
                "versions": [physcheck.__version__, torch.__version__],
            }
        )

    def _keeps_frames(self, name: str) -> bool:
        return len(self.variants(name)) > 1

    def record(self, name: str, variant: str = "base") -> DiagnosticRecord:
        """The diagnostic record of one rollout variant of a model (computed once)."""
        memo = (name, variant)
        if memo in self._records:
            return self._records[memo]
        model = self.model(name)
        n_history = self.n_history(name)
        key = self._key(name, variant, n_history) if self.cache is not None else None
        if self.cache is not None and key is not None:
            with self.cache.lock(key):
                state = self.cache.get(key)
                if state is None:
                    record = self._compute(name, variant, model, n_history)
                    self.cache.put(key, record.state())
                else:
                    record = DiagnosticRecord.from_state(state)
                    self.cache_hits[memo] += 1
        else:
            record = self._compute(name, variant, model, n_history)
        self._records[memo] = record
        return record

    def _compute(self, name: str, variant: str, model: Any, n_history: int) -> DiagnosticRecord:
        entry = self.model_entry(name)
        truth = self.truth(n_history)
        diag = self.settings.diagnostics
        dtype = DTYPES[self.settings.dtype]
        reference = reference_variance = None
        noise, noise_seed = 0.0, None
        if variant != "base":
            base = self.record(name, "base")
            reference, reference_variance = base.frames, base.variance
        if variant == "float64":
            dtype = torch.float64
        elif variant.startswith("noise"):
            index = int(variant[len("noise") :])
            noise, noise_seed = diag.noise_eps, diag.seed + 1 + index
        hooks = []
        if entry.projection:
            from physcheck.diagnostics import project_state

            layout = self.layout
            hooks.append(lambda frame: project_state(frame, layout=layout, spacing=diag.spacing))
        builder = RecordBuilder(
            truth.truth,
            self.layout,
            diag,
            truth_record=truth.record,
            reference=reference,
            reference_variance=reference_variance,
            keep_frames=variant == "base" and self._keeps_frames(name),
        )
        result = rollout(
            model,
            truth.history,
            self.window.n_steps,
            device=self.device,
            dtype=dtype,
            seed=diag.seed,
            hooks=hooks,
            noise=noise,
            noise_seed=noise_seed,
            on_step=builder,
            keep_frames=False,
        )
        self.rollout_counts[(name, variant)] += 1
        return builder.finish(result.first_nonfinite_step)

    # -- checks ----------------------------------------------------------------------------------
    def context(self, name: str) -> CheckContext:
        checks = self.settings.checks
        n_history = self.n_history(name)
        base = self.record(name, "base")
        float64 = float64_skip = None
        if "precision" in checks:
            float64_skip = self.precision_skip(name)
            if float64_skip is None:
                float64 = self.record(name, "float64")
        perturbed = None
        if "basin_determinism" in checks and self.settings.diagnostics.n_perturbations > 0:
            perturbed = [
                self.record(name, f"noise{i}")
                for i in range(self.settings.diagnostics.n_perturbations)
            ]
        return CheckContext(
            model=name,
            trajectories=self.trajectories,
            layout=self.layout,
            thresholds=self.settings.thresholds,
            truth=self.truth(n_history).record,
            base=base,
            float64=float64,
            float64_skip=float64_skip,
            perturbed=perturbed,
            noise_eps=self.settings.diagnostics.noise_eps,
            divergence_method=self.settings.diagnostics.divergence_method,
        )

    def results(self, name: str) -> list[CheckResult]:
        if name not in self._results:
            self._results[name] = run_checks(self.context(name), self.settings.checks)
        return self._results[name]

    def result(
        self, check: str, name: str, trajectory: int, channel: str | None = None
    ) -> CheckResult:
        for r in self.results(name):
            if r.check == check and r.trajectory == trajectory and r.channel == channel:
                return r
        raise KeyError(
            f"no result for {check}[{name}-traj{trajectory}{'-' + channel if channel else ''}]"
        )

    def all_results(self) -> list[CheckResult]:
        return [r for m in self.settings.models for r in self.results(m.name)]

    def key_numbers(self, name: str) -> dict[str, Any]:
        """The numbers the terminal summary and the report headline show for a model."""
        from physcheck.diagnostics import basin_label, basin_names, stability_horizon

        base, truth, th = (
            self.record(name, "base"),
            self.truth(self.n_history(name)).record,
            self.settings.thresholds,
        )
        per_step = base.vrmse.mean(dim=-1)  # [B, K]
        first, last = th.vrmse_window_first, min(th.vrmse_window_last, base.n_steps)
        window = per_step[:, first - 1 : last].mean(dim=1) if first <= last else None
        divb_excess = (base.divb / truth.divb).amax(dim=1)
        labels = basin_names(
            basin_label(
                base.variance[:, -1] / truth.variance[:, -1],
                layout=self.layout,
                tau=th.basin_tau,
            ),
            layout=self.layout,
        )
        return {
            "step1_vrmse_median": float(per_step[:, 0].median()),
            "window": f"T {first}-{last}" if window is not None else None,
            "window_vrmse_median": float(torch.quantile(window, 0.5))
            if window is not None
            else None,
            "horizon": [
                int(h) for h in stability_horizon(base.vrmse, threshold=th.stability_threshold)
            ],
            "worst_divb_over_truth": float(divb_excess.max()),
            "divb_truth_floor": float(truth.divb.median()),
            "basins": labels,
            "n_steps": base.n_steps,
            "device": str(self.device),
        }

    def series(self, name: str) -> dict[str, Any]:
        """Per-step series of a model for the report (JSON-able; ``[B, K]`` lists unless noted)."""
        from physcheck.checks.record import json_tensor as lists

        base = self.record(name, "base")
        truth = self.truth(self.n_history(name)).record
        out: dict[str, Any] = {
            "trajectories": self.trajectories,
            "channels": list(self.layout.short_names),
            "vrmse": lists(base.vrmse.mean(dim=-1)),
            "divb": lists(base.divb),
            "divb_truth": lists(truth.divb),
            "variance_last": lists(base.variance[:, -1]),
            "variance_last_truth": lists(truth.variance[:, -1]),
            "energy_ratio": lists(base.energy_ratio),
            "energy_ratio_truth": lists(truth.energy_ratio),
            "spectrum_steps": base.spectrum_steps,
            "spectra": lists(base.spectra.sum(dim=2)),  # [B, S, M], B_perp summed
            "spectra_truth": lists(truth.spectra.sum(dim=2)),
            "divergence_method": self.settings.diagnostics.divergence_method,
            "noise_eps": self.settings.diagnostics.noise_eps,
        }
        variants = self.variants(name)
        noise = [v for v in variants if v.startswith("noise")]
        if noise:
            spreads = [self.record(name, v).vs_reference_vrmse for v in noise]
            spread = torch.stack([s for s in spreads if s is not None]).amax(dim=0)
            out["perturbation_spread"] = lists(spread)
        if "float64" in variants:
            r64 = self.record(name, "float64")
            out["precision_relative"] = lists(r64.vs_reference_relative)
            out["vrmse_float64"] = lists(r64.vrmse.mean(dim=-1))
        return out

    def snapshot_payload(self, name: str, trajectory: int) -> dict[str, Any]:
        """The numbers a model's snapshot guards for one trajectory, plus a ``_meta`` block."""
        import the_well

        from physcheck.diagnostics import (
            basin_label,
            basin_names,
            low_high_ratio,
            pile_up,
            spectral_slope,
            stability_horizon,
        )

        i = self.trajectories.index(trajectory)
        base, truth, th = (
            self.record(name, "base"),
            self.truth(self.n_history(name)).record,
            self.settings.thresholds,
        )
        names = self.layout.short_names
        first, last = th.vrmse_window_first, min(th.vrmse_window_last, base.n_steps)
        vrmse: dict[str, Any] = {"step1": dict(zip(names, base.vrmse[i, 0].tolist(), strict=True))}
        if first <= last:
            vrmse[f"T{first}-{last}"] = dict(
                zip(names, base.vrmse[i, first - 1 : last].mean(0).tolist(), strict=True)
            )
        steps = [s for s in base.spectrum_steps]
        divb = {
            f"step{s}": {"pred": float(base.divb[i, s - 1]), "truth": float(truth.divb[i, s - 1])}
            for s in steps
        }
        k = base.spectrum_steps.index(base.n_steps)
        e_pred, e_truth = base.spectra[i, k].sum(0), truth.spectra[i, k].sum(0)
        shells = torch.arange(e_pred.shape[-1], dtype=e_pred.dtype)
        first_spec = base.spectrum_steps.index(1)
        amplification = base.variance[i, -1] / truth.variance[i, -1]
        return {
            "vrmse": vrmse,
            "horizon": int(stability_horizon(base.vrmse[i], threshold=th.stability_threshold)),
            "divb_ratio": divb,
            "spectrum": {
                "slope": {
                    "pred": float(spectral_slope(shells, e_pred)),
                    "truth": float(spectral_slope(shells, e_truth)),
                },
                "low_high": {
                    "pred": float(low_high_ratio(e_pred)),
                    "truth": float(low_high_ratio(e_truth)),
                },
                "pile_up": {
                    "pred": float(pile_up(e_pred, base.spectra[i, first_spec].sum(0))),
                    "truth": float(pile_up(e_truth, truth.spectra[i, first_spec].sum(0))),
                },
            },
            "basin": basin_names(
                basin_label(amplification, layout=self.layout, tau=th.basin_tau), layout=self.layout
            ),
            "energy": {
                "EB_over_EK": {
                    "pred": float(base.energy_ratio[i, -1]),
                    "truth": float(truth.energy_ratio[i, -1]),
                },
                "mean_abs_B": {
                    "pred": float(base.mean_abs_b[i, -1]),
                    "truth": float(truth.mean_abs_b[i, -1]),
                },
            },
            "_meta": {
                "physcheck": physcheck.__version__,
                "torch": torch.__version__,
                "the_well": getattr(the_well, "__version__", "unknown"),
                "device": str(self.device),
                "dtype": self.settings.dtype,
                "window": self.settings.window,
                "n_steps": base.n_steps,
                "conventions": {
                    "vrmse": self.settings.diagnostics.vrmse_convention,
                    "divergence": self.settings.diagnostics.divergence_method,
                    "spacing": self.settings.diagnostics.spacing,
                },
                "model": self.model_entry(name).spec,
                "checkpoint_hash": model_hash(self.model(name), self.model_entry(name).spec),
                "data_hash": self.data.content_hash(),
            },
        }
