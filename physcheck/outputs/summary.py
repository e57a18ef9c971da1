"""The terminal summary of a run: per model its key numbers and each check's counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from physcheck.config import check_names
from physcheck.formatting import fmt
from physcheck.outputs.results import sort_results


def _g(x: Any) -> str:
    return fmt(x, missing="-")


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
        for check in check_names():
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


__all__ = ["summary_lines"]
