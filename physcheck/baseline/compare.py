"""Compare a model's results with a baseline's, number by number (torch-free).

``compare_results`` pairs two lists of result dicts (the ``results`` of a results JSON, or
``CheckResult.to_dict()``); ``compare_documents`` does it for two results documents after
refusing incomparable ones (``physcheck.baseline.comparable``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from physcheck.baseline.comparable import differences
from physcheck.baseline.numbers import NUMBERS, Margins
from physcheck.baseline.statistics import Comparison, compare_units
from physcheck.baseline.units import paired_units
from physcheck.errors import ConfigError


def compare_results(
    new: Iterable[Mapping[str, Any]],
    old: Iterable[Mapping[str, Any]],
    *,
    margins: Margins | None = None,
    checks: Sequence[str] | None = None,
) -> list[Comparison]:
    """Every number both result lists have, compared over the units both have
    (``physcheck.baseline.units``; ``checks``: only these checks)."""
    margins = margins or Margins()
    new, old = list(new), list(old)
    out: list[Comparison] = []
    for spec in NUMBERS:
        if checks is not None and spec.check not in checks:
            continue
        units = paired_units(spec, new, old)
        compared = compare_units(
            spec.name,
            spec.check,
            units.new,
            units.old,
            lower_is_better=spec.lower_is_better,
            margin_of=lambda mean, spec=spec: margins.of(spec, mean),
            unit=units.kind,
        )
        if compared is not None:
            out.append(compared)
    return out


def model_results(document: Mapping[str, Any], model: str) -> list[Mapping[str, Any]]:
    return [r for r in document.get("results", []) if r.get("model") == model]


def pair_models(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(new model, baseline model)`` pairs: the same name, or the only model of each."""
    new_models = list(dict.fromkeys(r.get("model") for r in new.get("results", [])))
    old_models = list(dict.fromkeys(r.get("model") for r in old.get("results", [])))
    pairs = [(m, m) for m in new_models if m in old_models]
    if not pairs and len(new_models) == 1 and len(old_models) == 1:
        pairs = [(str(new_models[0]), str(old_models[0]))]
    return [(str(a), str(b)) for a, b in pairs]


def refuse_incomparable(new: Mapping[str, Any], old: Mapping[str, Any], label: str) -> None:
    """``ConfigError`` with one line naming every difference, when there is one."""
    found = differences(new, old)
    if found:
        raise ConfigError(f"the baseline {label} cannot be compared with this run: {'; '.join(found)}")


def compare_documents(
    new: Mapping[str, Any],
    old: Mapping[str, Any],
    *,
    label: str = "",
    margins: Margins | None = None,
) -> dict[str, tuple[str, list[Comparison]]]:
    """``{new model: (baseline model, comparisons)}`` for two comparable documents."""
    refuse_incomparable(new, old, label or "results")
    pairs = pair_models(new, old)
    if not pairs:
        raise ConfigError(
            f"the baseline {label or 'results'} has none of this run's models; name the pair "
            "with --physcheck-compare NEW=OLD or compare one model each"
        )
    return {
        a: (b, compare_results(model_results(new, a), model_results(old, b), margins=margins))
        for a, b in pairs
    }


__all__ = ["compare_documents", "compare_results", "model_results", "pair_models", "refuse_incomparable"]
