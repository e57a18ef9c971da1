"""The run's outputs: the results JSON file and the terminal summary table.

Both are built from plain result dicts (``CheckResult.to_dict()``) and per-model key
numbers, which is all that crosses from pytest-xdist workers to the controller.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from physcheck.checks.result import CHECK_NAMES, json_ready

_ORDER = {name: i for i, name in enumerate(CHECK_NAMES)}


def sort_results(results: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Results in a stable order: model, check (spec order), trajectory, channel."""
    return sorted(
        (dict(r) for r in results),
        key=lambda r: (r["model"], _ORDER.get(r["check"], 99), r["trajectory"], r["channel"] or ""),
    )


def results_document(
    results: Iterable[Mapping[str, Any]],
    settings: Mapping[str, Any],
    key_numbers: Mapping[str, Any],
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "physcheck": dict(meta),
        "settings": dict(settings),
        "models": {name: json_ready(key_numbers[name]) for name in sorted(key_numbers)},
        "results": sort_results(results),
    }


def write_results(path: str | Path, document: Mapping[str, Any]) -> Path:
    """Write the results JSON deterministically (sorted keys, no timestamps), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n")
    tmp.replace(path)
    return path


def _g(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def summary_lines(
    results: Iterable[Mapping[str, Any]],
    key_numbers: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any],
) -> list[str]:
    """Per model: the key numbers, then each check's pass/fail/skip counts."""
    results = sort_results(results)
    lines: list[str] = []
    models = sorted({r["model"] for r in results} | set(key_numbers))
    for model in models:
        spec = settings.get("models", {}).get(model, "?")
        k = key_numbers.get(model)
        device = (k or {}).get("device") or settings.get("device")
        lines.append(
            f"model {model} ({spec}) on {settings.get('data') or 'the shipped MHD_16'} [{settings.get('split')}], window {settings.get('window')}, device {device}"
        )
        if k:
            lines.append(
                f"  step-1 VRMSE median {_g(k.get('step1_vrmse_median'))} | {k.get('window') or 'window'} median {_g(k.get('window_vrmse_median'))} | "
                f"horizon {', '.join(map(str, k.get('horizon', [])))} (K {k.get('n_steps')}) | "
                f"worst divB {_g(k.get('worst_divb_over_truth'))} x truth (floor {_g(k.get('divb_truth_floor'))}) | basins {', '.join(k.get('basins', []))}"
            )
        lines.append(f"  {'check':<24}{'pass':>6}{'fail':>6}{'skip':>6}")
        for check in CHECK_NAMES:
            mine = [r for r in results if r["model"] == model and r["check"] == check]
            if not mine:
                continue
            skipped = sum(1 for r in mine if r.get("skipped"))
            failed = sum(1 for r in mine if not r.get("skipped") and not r["passed"])
            passed = len(mine) - skipped - failed
            flag = (
                "  <-- "
                + next(r["message"] for r in mine if not r.get("skipped") and not r["passed"])
                if failed
                else ""
            )
            lines.append(f"  {check:<24}{passed:>6}{failed:>6}{skipped:>6}{flag[:160]}")
    return lines
