"""The settings table: one ``Setting`` row per setting (``physcheck.config.row``) says its key
in ``[tool.physcheck]`` / ``physcheck.toml``, its command-line option, its help, how its value
is parsed (``physcheck.config.parsers``), which ``Settings`` field it fills and how the results
file shows it. The plugin builds its options from the table; ``build_settings`` and
``Settings.summary`` are loops over it. Torch-free.

Adding a setting: one row here and one ``Settings`` field.
"""

from __future__ import annotations

from physcheck.baseline.numbers import parse_baseline, parse_compare, with_path
from physcheck.config.parsers import (
    as_auto_or_count,
    as_boolean,
    as_choice,
    as_integer,
    as_number,
    as_optional_text,
    as_positive_seconds,
    as_text,
    merge_threshold_overrides,
    parse_batch,
    parse_checks,
    parse_device,
    parse_early_stop,
    parse_executor,
    parse_models,
    parse_predictions,
    parse_profile,
    parse_spectrum_steps,
    parse_starts,
    parse_thresholds,
    parse_timeout,
    parse_trajectories,
    parse_window_setting,
)
from physcheck.config.row import Setting, same
from physcheck.config.thresholds import DiagnosticSettings, Thresholds
from physcheck.data.formats import FORMATS, format_names
from physcheck.formatting import redact_url

#: base precisions a rollout can run in
DTYPES = ("float32", "float64", "bfloat16")
#: precisions of the precision check's twin rollout
REFERENCE_DTYPES = ("float64", "float32")
DIVERGENCE_OPERATORS = ("central", "spectral")
VRMSE_CONVENTIONS = ("well", "ddof0")


def _formats_help() -> str:
    """``hdf5 (Well layout, default), npz or pt``: the prediction formats, the default first."""
    names = [
        f"{cls.name} ({cls.note + ', ' if cls.note else ''}default)" if i == 0 else cls.name
        for i, cls in enumerate(FORMATS.values())
    ]
    return f"{', '.join(names[:-1])} or {names[-1]}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "models", parse_models, (),
        "a model to check (repeatable): reference, demo, walrus:CONFIG.yaml:CHECKPOINT.pt or "
        "package.module:attr; append +projection to project each frame onto div B = 0",
        "--physcheck-model", "NAME=SPEC", "append",
        show=lambda models: {m.name: m.text for m in models},
    ),
    Setting(
        "fallback_models", parse_models, (),
        "a model to check only when none is configured anywhere (repeatable; physcheck run "
        "gives its defaults this way)",
        "--physcheck-fallback-model", "NAME=SPEC", "append", file=False, field=None,
    ),
    Setting(
        "predictions", parse_predictions, (),
        "gate rollouts computed elsewhere (repeatable): a Well-format .hdf5, .npz or .pt file of "
        "[B, K, X, Y, Z, C] frames, e.g. from physcheck export; NAME=PATH[,start=N]"
        "[,trajectories=0-3][,history=T][,float64=PATH][,noise0=PATH...] when the file does "
        "not record them",
        "--physcheck-predictions", "NAME=PATH", "append", field=None,
    ),
    Setting(
        "data", lambda raw: as_optional_text("data", raw), None,
        "Well dataset dir, split dir or .hdf5 file (default: the 32^3 default set, built on first use; PHYSCHECK_DATASET picks another)",
        "--physcheck-data", "PATH", show=lambda data: redact_url(data) if data else None,
    ),
    Setting(
        "profile", parse_profile, None,
        "the data set's profile (its fields, constraints and the checks that apply), by name: "
        "a built-in one (mhd, shear_flow, a structural profile of a Well dataset), one "
        "registered with physcheck.profiles.register_profile, or generic (default: found from "
        "the data's dataset_name, else its channels, else the generic profile built from the "
        "data's own metadata)",
        "--physcheck-profile", "NAME", show=same,
    ),
    Setting(
        "split", lambda raw: as_text("split", raw), "test",
        "split of a dataset dir (default: test)",
        "--physcheck-split", "SPLIT", show=same,
    ),
    Setting(
        "manifest", lambda raw: as_optional_text("manifest", raw), None,
        "refuse data that do not match this dataset manifest (a JSON file from `physcheck data "
        "manifest`, a shipped name such as mhd64 or smoke, or auto: the data's dataset_name)",
        "--physcheck-manifest", "PATH_OR_NAME",
    ),
    Setting(
        "window", parse_window_setting, "early",
        "early, paper or START:HISTORY:K (default: early)",
        "--physcheck-window", "WINDOW", show=lambda window: window.label,
    ),
    Setting(
        "trajectories", parse_trajectories, None,
        "trajectories to check: all, 0,2,5 or 0-3 (default: all)",
        "--physcheck-trajectories", "LIST",
        show=lambda chosen: list(chosen) if chosen is not None else "all",
    ),
    Setting(
        "device", parse_device, "auto",
        "cpu, cuda, cuda:N or auto (default: auto)",
        "--physcheck-device", "DEVICE", show=same,
    ),
    Setting(
        "dtype", lambda raw: as_choice("dtype", raw, DTYPES, "dtype"), "float32",
        "precision of the base rollout: float32 (default), bfloat16 (autocast: float32 weights "
        "and state, bfloat16 operations) or float64",
        "--physcheck-dtype", "DTYPE", show=same,
    ),
    Setting(
        "reference_dtype",
        lambda raw: as_choice("reference_dtype", raw, REFERENCE_DTYPES, "reference precision"),
        "float64",
        "precision of the twin rollout the precision check compares the base rollout with: "
        "float64 (default) or float32 (for a bfloat16 base)",
        "--physcheck-reference-dtype", "DTYPE", show=same,
    ),
    Setting(
        "checks", parse_checks, None,
        "comma-separated subset of the checks (default: all)",
        "--physcheck-checks", "LIST", show=list,
    ),
    Setting(
        "thresholds", parse_thresholds, {},
        "override a threshold (repeatable), e.g. solenoidality_factor=5",
        "--physcheck-threshold", "NAME=VALUE", "append", combine=merge_threshold_overrides,
        show=lambda th: {k: getattr(th, k) for k in Thresholds.names()},
    ),
    Setting(
        "perturbations", lambda raw: as_integer("perturbations", raw, low=0), 5,
        "perturbed rollouts for basin_determinism (default: 5)",
        "--physcheck-perturbations", "N", field="diagnostics.n_perturbations", show=same,
    ),
    Setting(
        "noise", lambda raw: as_number("noise", raw), 1e-6,
        "relative input noise of the perturbed rollouts (default: 1e-6)",
        "--physcheck-noise", "EPS", field="diagnostics.noise_eps", show=same,
    ),
    Setting(
        "seed", lambda raw: as_integer("seed", raw, low=0), 0,
        "base seed of every rollout",
        field="diagnostics.seed", show=same,
    ),
    Setting(
        "executor", lambda raw: parse_executor(raw), None,
        "run the rollouts on a Dask cluster: dask://HOST:PORT, the scheduler's address (one task "
        "per model, trajectory and variant; needs physcheck[dask])",
        "--physcheck-executor", "URL",
    ),
    Setting(
        "timeout", parse_timeout, 60.0,
        "seconds a remote data read (connect, or wait for bytes) and a Dask cluster (to show "
        "workers, to return each task's results) may take before it is one error; stalled or "
        "dropped reads are tried twice more (default: 60)",
        "--physcheck-timeout", "SECONDS",
    ),
    Setting(
        "batch", parse_batch, "auto",
        "roll the base and perturbed rollouts (and the equivariance rollouts) out as one batch: "
        "on, off or auto (default: on for CUDA, where small batches leave the GPU idle; off on "
        "the CPU, where large batches run slower per row)",
        "--physcheck-batch", "on|off|auto", field="batch_variants",
    ),
    Setting(
        "batch_rows", lambda raw: as_auto_or_count("batch_rows", raw), "auto",
        "at most N rows (trajectories x variants) per forward pass (default auto: all of them, "
        "halved on a CUDA out-of-memory error)",
        "--physcheck-batch-rows", "N",
    ),
    Setting(
        "early_stop", parse_early_stop, "on",
        "stop computing a perturbed rollout once every trajectory has rejoined the unperturbed "
        "one (its last n_history frames equal bit for bit: the rest repeats it, so no number "
        "changes): on (default) or off, for a model whose step is not a function of its input "
        "window and the seeded random generators",
        "--physcheck-early-stop", "on|off",
    ),
    Setting(
        "divergence",
        lambda raw: as_choice("divergence", raw, DIVERGENCE_OPERATORS, "divergence operator"),
        "central",
        "div B operator of the solenoidality check: central (default) or spectral",
        "--physcheck-divergence", "OP", field="diagnostics.divergence_method", show=same,
    ),
    Setting(
        "vrmse_convention",
        lambda raw: as_choice("vrmse_convention", raw, VRMSE_CONVENTIONS, "VRMSE convention"),
        "well",
        "VRMSE variance convention: well (ddof 1, eps 1e-7) or ddof0",
        field="diagnostics.vrmse_convention", show=same,
    ),
    Setting(
        "spectrum_steps", parse_spectrum_steps, DiagnosticSettings.spectrum_steps,
        "rollout steps whose spectra are kept (step 1 and the last step always are)",
        field="diagnostics.spectrum_steps", show=list,
    ),
    Setting(
        "guide_axis", lambda raw: as_integer("guide_axis", raw, low=0, high=2), 0,
        "spatial axis of the guide field (0 = x)",
        show=same,
    ),
    Setting(
        "json", lambda raw: as_optional_text("json", raw), None,
        "write every result and the settings used to this JSON file",
        "--physcheck-json", "PATH", field="json_path",
    ),
    Setting(
        "report", lambda raw: as_optional_text("report", raw), None,
        "write the HTML report (needs matplotlib) to this directory",
        "--physcheck-report", "DIR", field="report_dir",
    ),
    Setting(
        "baseline", parse_baseline, None,
        "compare every model with an accepted run: its results JSON, or a directory of its saved "
        "rollouts (physcheck export DIR: NAME.hdf5 per model, gated in this run as the "
        "baseline); regression[model-check] items fail where a number got worse beyond its "
        "margin ([tool.physcheck.baseline] sets path, relative and absolute margins)",
        "--physcheck-baseline", "PATH", combine=with_path,
        show=lambda baseline: None if baseline is None else baseline.summary(),
    ),
    Setting(
        "compare", parse_compare, (),
        "compare model NEW with model OLD of the same run, as with a baseline (repeatable)",
        "--physcheck-compare", "NEW=OLD", cli="append",
        show=lambda pairs: [f"{new}={old}" for new, old in pairs],
    ),
    Setting(
        "markdown", lambda raw: as_optional_text("markdown", raw), None,
        "write the baseline scorecard (a Markdown table per model) to this file, e.g. "
        "$GITHUB_STEP_SUMMARY",
        "--physcheck-markdown", "PATH", field="markdown_path",
    ),
    Setting(
        "cache", lambda raw: as_boolean("cache", raw), True,
        "recompute rollouts instead of reading the disk cache",
        "--physcheck-no-cache", cli="disable", field="use_cache",
    ),
    Setting(
        "cache_dir", lambda raw: as_text("cache_dir", raw), ".physcheck-cache",
        "directory of the rollout cache",
    ),
    Setting(
        "snapshot", lambda raw: as_boolean("snapshot", raw), True,
        "do not collect the snapshot tests of the suite",
        "--physcheck-no-snapshot", cli="disable",
    ),
    Setting(
        "snapshot_dir", lambda raw: as_text("snapshot_dir", raw), "__snapshots__/physcheck",
        "where the suite's snapshot files live",
    ),
    Setting(
        "snapshot_rtol", lambda raw: None if raw is None else as_number("snapshot_rtol", raw), None,
        "relative tolerance of snapshot comparisons",
    ),
    Setting(
        "snapshot_atol", lambda raw: None if raw is None else as_number("snapshot_atol", raw), None,
        "absolute tolerance of snapshot comparisons",
    ),
    Setting(
        "starts", lambda raw: parse_starts(raw), None,
        "first predicted frames of extra windows for the basin map, e.g. 3,17,31 (each with the "
        "run's K and the model's history; basin, onset and perturbation spread per window)",
        "--physcheck-starts", "LIST", show=lambda starts: list(starts) if starts else None,
    ),
    Setting(
        "threads", lambda raw: as_auto_or_count("threads", raw), "auto",
        "torch CPU threads per process (default auto: the cores this process may use, divided "
        "among the pytest-xdist workers)",
        "--physcheck-threads", "N",
    ),
    Setting(
        "export", lambda raw: as_optional_text("export", raw), None,
        "write each model's rollouts (those the selected checks need) to DIR/NAME.hdf5 instead of "
        "checking them (physcheck export)",
        "--physcheck-export", "DIR", file=False, field="export_dir",
    ),
    Setting(
        "export_format",
        lambda raw: as_choice("export_format", raw, format_names(), "export format"),
        format_names()[0],
        f"file format of --physcheck-export: {_formats_help()}",
        "--physcheck-export-format", "FORMAT", file=False,
    ),
    Setting(
        "only", lambda raw: as_boolean("only", raw), False,
        "run only the physics suite (collect no test files)",
        "--physcheck-only", cli="enable", file=False,
    ),
    Setting(
        "step_timeout", lambda raw: as_positive_seconds("step_timeout", raw), None,
        "seconds one model step may take; a step that takes longer fails the model's items "
        "naming the step (default: no limit)",
        "--physcheck-step-timeout", "SECONDS",
    ),
    Setting(
        "debug", lambda raw: as_boolean("debug", raw), False,
        "show Python tracebacks of physcheck's errors instead of one line",
        "--physcheck-debug", cli="enable", file=False,
    ),
    Setting(
        "allow_skips", lambda raw: as_boolean("allow_skips", raw), False,
        "accept a gate whose every selected check skipped (by default such a run fails: it "
        "judged nothing)",
        "--physcheck-allow-skips", cli="enable",
    ),
)
SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
FILE_KEYS = tuple(s.key for s in SETTINGS if s.file)


__all__ = [
    "DIVERGENCE_OPERATORS",
    "DTYPES",
    "FILE_KEYS",
    "REFERENCE_DTYPES",
    "SETTINGS",
    "SETTINGS_BY_KEY",
    "VRMSE_CONVENTIONS",
]
