"""The terminal summary of a run: per model its key numbers and each check's counts; and what
the data's profile and boundaries mean for the verdicts (``profile_lines``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from physcheck.config import check_names
from physcheck.formatting import fmt
from physcheck.outputs.results import sort_results


def _g(x: Any) -> str:
    return fmt(x, missing="-")


def _symmetry_lines(numbers: Mapping[str, Any]) -> list[str]:
    """The equivariance gaps and the basin map of a model, where they were measured."""
    lines = []
    eq = numbers.get("equivariance")
    if eq:
        gaps = eq.get("step1_relative_median") or {}
        judged = set(eq.get("judged") or gaps)
        worst = max(
            (t for t in gaps if t in judged), key=lambda t: _as_float(gaps[t]), default=None
        )
        if worst is not None:
            tier = f"{eq['tier']} tier; " if eq.get("tier") else ""
            lines.append(
                f"  equivariance ({tier}distribution-keeping symmetries): worst step-1 gap "
                f"{_g(_as_float(gaps[worst]))} x the truth's change under "
                f"{worst} ({eq.get('forward_passes_per_trajectory')} extra model steps per trajectory)"
            )
    rows = numbers.get("basin_map") or []
    if rows:
        lines.append("  basin map (start frame: trajectory basin, blow-up onset, perturbed basins):")
        for start in sorted({r["start"] for r in rows}):
            mine = [r for r in rows if r["start"] == start]
            if "skipped" in mine[0]:
                lines.append(f"    start {start}: {mine[0]['skipped']}")
                continue
            cells = []
            for r in mine:
                perturbed = r["perturbed_basins"]
                alike = sum(p == r["basin"] for p in perturbed)
                onset = f"onset {r['onset']}, " if r.get("onset") else ""
                cells.append(
                    f"traj {r['trajectory']} {r['basin']} ({onset}{alike}/{len(perturbed)} perturbed alike)"
                )
            lines.append(f"    start {start}: " + "; ".join(cells))
        labels = {(r.get("trajectory"), r.get("start")): r.get("basin") for r in rows if "basin" in r}
        by_traj: dict[Any, set[str]] = {}
        for (traj, _), label in labels.items():
            by_traj.setdefault(traj, set()).add(str(label))
        split = [t for t, seen in by_traj.items() if len(seen) > 1]
        if split:
            lines.append(
                f"    different start frames land in different basins for trajectories {split}: "
                "the basin is chosen by the input slice"
            )
    return lines


def _as_float(value: Any) -> float:
    from physcheck.jsonio import from_json_value

    number = from_json_value(value)
    return float(number) if isinstance(number, (int, float)) else float("nan")


def _trajectories(numbers: Mapping[str, Any], settings: Mapping[str, Any]) -> list[Any]:
    chosen = settings.get("trajectories")
    n = len(numbers.get("parameters") or [])
    return list(chosen) if isinstance(chosen, list) else list(range(n))


def profile_lines(data: Mapping[str, Any]) -> list[str]:
    """What the provenance's ``data`` block says of the verdicts: data judged under the generic
    profile (and the checks a dataset-specific profile would add), and data whose boundaries
    are not a periodic box (the periodic-box assumptions of spectra and translations)."""
    lines = []
    profile = data.get("profile") or {}
    if profile.get("generic"):
        adds = profile.get("would_add") or []
        add = (
            f"; register a profile to add {', '.join(adds)} (physcheck.profiles.register_profile)"
            if adds
            else ""
        )
        lines.append(
            f"profile: generic: no profile knows data set {data.get('dataset_name')!r}, so it "
            "was judged under the generic profile built from its own metadata (fields, "
            f"dimensions, boundaries) and no physics constraint was checked{add}"
        )
    boundaries = data.get("boundaries") or {}
    if any(kind != "PERIODIC" for kind in boundaries.values()):
        sides = ", ".join(f"{axis} {kind.lower()}" for axis, kind in boundaries.items())
        periodic = profile.get("periodic_checks") or []
        judged = (
            f"{', '.join(periodic)} judged them anyway: read those verdicts with care"
            if periodic
            else "no check that assumes them was judged"
        )
        lines.append(
            f"boundaries: not a periodic box ({sides}): the periodic-box assumptions of "
            f"spectra and translations do not hold; {judged}"
        )
    return lines


def summary_lines(
    results: Iterable[Mapping[str, Any]],
    key_numbers: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any],
    *,
    crashed: Mapping[str, str] | None = None,
) -> list[str]:
    """Per model: the key numbers, then each check's pass/fail/skip counts."""
    results = sort_results(results)
    lines: list[str] = []
    crashed = crashed or {}
    models = sorted({r["model"] for r in results} | set(key_numbers) | set(crashed))
    for model in models:
        spec = settings.get("models", {}).get(model, "?")
        k = key_numbers.get(model)
        device = (k or {}).get("device") or settings.get("device")
        lines.append(
            f"model {model} ({spec}) on {settings.get('data') or 'not recorded'} [{settings.get('split')}], window {settings.get('window')}, device {device}"
        )
        if model in crashed:
            lines.append(f"  CRASHED: {crashed[model]}")
        if k:
            skill = k.get("skill") or {}
            lines.append(
                f"  step-1 VRMSE median {_g(k.get('step1_vrmse_median'))} | {k.get('window') or 'window'} median {_g(k.get('window_vrmse_median'))} | "
                f"stability horizon {', '.join(map(str, k.get('horizon', [])))} (K {k.get('n_steps')}) | "
                f"predictability horizon {', '.join(map(str, k.get('predictability_horizon', [])))}"
            )
            divb = (
                f"worst divB {_g(k.get('worst_divb_over_truth'))} x truth in ratio, {_g(k.get('worst_abs_divb_over_truth'))} x absolute "
                f"(floor {_g(k.get('divb_truth_floor'))}) | "
                if "worst_divb_over_truth" in k  # a dataset without a magnetic field has none
                else ""
            )
            lines.append(
                f"  VRMSE / persistence's: steps {skill.get('steps', '?')} median {_g(skill.get('ratio_median'))}, "
                f"{k.get('window') or 'window'} median {_g(skill.get('window_ratio_median'))} | "
                f"{divb}basins {', '.join(k.get('basins', []))}"
            )
            lines += _symmetry_lines(k)
            params = k.get("parameters") or []
            if any(params):
                lines.append(
                    "  trajectories: "
                    + "; ".join(
                        f"{t}: " + ", ".join(f"{key} {_g(float(v))}" for key, v in p.items())
                        for t, p in zip(_trajectories(k, settings), params, strict=False)
                    )
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


__all__ = ["profile_lines", "summary_lines"]
