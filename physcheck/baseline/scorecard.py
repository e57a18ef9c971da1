"""The pull-request scorecard: one Markdown table per model (check, number, the paired units,
value, baseline, difference with its interval, arrow, verdict), within GitHub's
65,536-character comment limit and fit for ``$GITHUB_STEP_SUMMARY``. Torch-free."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from physcheck.baseline.statistics import LEVEL, Comparison

#: GitHub's limit on a pull-request comment, in characters
COMMENT_LIMIT = 65_536
_MARK = {
    "regression": "❌ regression",
    "improvement": "✅ improvement",
    "equivalent": "= equivalent",
    "inconclusive": "? inconclusive",
}


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.4g}"


def _arrow(c: Comparison) -> str:
    """Which way the number moved, in its own units: ↑ up, ↓ down, → no change."""
    if c.value == c.baseline or (math.isnan(c.value) and math.isnan(c.baseline)):
        return "→"
    return "↑" if c.value > c.baseline or math.isnan(c.value) else "↓"


def row(c: Comparison) -> str:
    better = "lower" if c.lower_is_better else "higher"
    interval = f"{_number(c.difference)} [{_number(c.low)}, {_number(c.high)}]"
    verdict = _MARK[c.verdict]
    if c.verdict == "inconclusive" and c.units_needed is not None:
        verdict += f" (~{c.units_needed} units would decide)"
    return (
        f"| {c.check} | {c.number} ({better} is better) | {units(c)} | {_number(c.value)} | "
        f"{_number(c.baseline)} | {interval} ± {_number(c.margin)} | {_arrow(c)} | {verdict} |"
    )


def units(c: Comparison) -> str:
    """How many units were paired and what one is: ``4 (trajectory × perturbation)``."""
    return f"{c.units} ({c.unit})"


def model_table(model: str, baseline: str, comparisons: Sequence[Comparison]) -> str:
    regressions = sum(c.failed for c in comparisons)
    head = (
        f"### `{model}` against `{baseline}`: "
        f"{regressions} regression{'s' if regressions != 1 else ''} in {len(comparisons)} numbers\n\n"
        "| check | number | units | value | baseline | difference (worse > 0) "
        f"[{LEVEL:.0%} interval] ± margin | | verdict |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    return head + "\n".join(row(c) for c in comparisons) + "\n"


def scorecard(
    tables: Mapping[str, tuple[str, Sequence[Comparison]]], *, title: str = "physcheck scorecard"
) -> str:
    """The Markdown of every model's table, cut to ``COMMENT_LIMIT`` characters (with a note)."""
    parts = [f"## {title}\n"]
    parts += [model_table(m, b, cs) for m, (b, cs) in tables.items()]
    parts.append(
        "\nDifferences are means over the paired units (trajectories; trajectories and channels; "
        "trajectories and perturbed rollouts where both runs drew the same), signed so that > 0 "
        f"is worse, with a {LEVEL:.0%} bootstrap interval; a regression's whole interval lies "
        "beyond the margin.\n"
    )
    text = "\n".join(parts)
    if len(text) > COMMENT_LIMIT:
        note = "\n\n… cut to fit a pull-request comment; the results JSON has every number.\n"
        text = text[: COMMENT_LIMIT - len(note)].rsplit("\n", 1)[0] + note
    return text


__all__ = ["COMMENT_LIMIT", "model_table", "row", "scorecard", "units"]
