"""Regression items: ``regression[MODEL-CHECK]`` compares a model's numbers of one check with
those of an accepted run (``--physcheck-baseline PATH``: a results JSON, or a directory of
saved rollouts gated in this run, ``physcheck.plugin.saved_baseline``) or of another model
of the same run (``--physcheck-compare NEW=OLD``), with the statistics of
``physcheck.baseline``. A regression (worse beyond the margin, with confidence) fails the
item; improvements, equivalence and inconclusive numbers pass and are reported.

The baseline is read and checked for comparability (data, window, trajectories, settings)
at collection, so an unusable baseline is a usage error before any rollout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from physcheck.baseline import Comparison, compare_results, refuse_incomparable
from physcheck.baseline.numbers import NUMBERS, Margins
from physcheck.errors import ConfigError, DataError
from physcheck.plugin.items import PhyscheckPlugin, concise_failure

if TYPE_CHECKING:
    from physcheck.config import Settings

#: the checks that have comparable numbers
COMPARED_CHECKS = tuple(dict.fromkeys(n.check for n in NUMBERS))


class RegressionFound(AssertionError):
    """A number got worse than its baseline beyond the margin; the message lists them."""


def load_baseline(path: Path) -> dict[str, Any]:
    """The baseline's results document; one-line errors for a missing or unreadable file."""
    if not path.is_file():
        raise DataError(
            f"--physcheck-baseline {path}: no such results file or directory (write a results "
            "JSON with --physcheck-json, or saved rollouts with physcheck export DIR)"
        )
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"--physcheck-baseline {path}: not a results JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise DataError(f"--physcheck-baseline {path}: no 'results' in it (write it with --physcheck-json)")
    return document


def this_run(plugin: PhyscheckPlugin, settings_summary: dict[str, Any]) -> dict[str, Any]:
    """What is known of this run's document before it runs: version, settings, data."""
    import physcheck
    from physcheck.outputs.provenance import data_provenance

    return {
        "physcheck": {"version": physcheck.__version__},
        "settings": settings_summary,
        "provenance": {"data": data_provenance(plugin.suite)},
    }


class Pairing(NamedTuple):
    """A model of the run and what its numbers are compared with: ``against`` (a model of the
    run, or of the baseline results JSON when ``theirs`` holds its results), as ``label``
    says it, under the item name's ``suffix``."""

    model: str
    against: str
    label: str
    theirs: list[dict[str, Any]] | None = None
    suffix: str = ""


def pairings(settings: Settings, baseline: dict[str, Any] | None) -> list[Pairing]:
    """Each ``NEW=OLD`` pair of this run, and each model with the baseline run's model of the
    same name (or its only model)."""
    names = [m.name for m in settings.models]
    out: list[Pairing] = []
    for new, old in settings.compare:
        unknown = [n for n in (new, old) if n not in names]
        if unknown:
            raise ConfigError(
                f"--physcheck-compare {new}={old}: no model {', '.join(map(repr, unknown))} in "
                f"this run; its models are {', '.join(names)}"
            )
        out.append(Pairing(new, old, f"model {old}", suffix=f"-vs-{old}"))
    if baseline is not None:
        theirs = list(dict.fromkeys(str(r.get("model")) for r in baseline["results"]))
        found = [(name, name) for name in names if name in theirs]
        if not found and len(theirs) == 1 and len(names) == 1:
            found = [(names[0], theirs[0])]
        if not found:
            raise ConfigError(
                f"--physcheck-baseline: it holds models {', '.join(theirs)}, none of this run's "
                f"({', '.join(names)}); give the model the baseline's name"
            )
        for name, against in found:
            results = [r for r in baseline["results"] if r.get("model") == against]
            out.append(Pairing(name, against, f"baseline {against}", results))
    return out


class RegressionItem(pytest.Item):
    """One model's numbers of one check against the baseline (or another model)."""

    def __init__(
        self,
        *,
        pairing: Pairing,
        check: str,
        margins: Margins,
        plugin: PhyscheckPlugin,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model, self.against, self.label = pairing.model, pairing.against, pairing.label
        self.baseline = pairing.theirs
        self.check, self.margins, self.plugin = check, margins, plugin

    def runtest(self) -> None:
        suite = self.plugin.suite
        new = [r.to_dict() for r in suite.results(self.model)]
        old = self.baseline if self.baseline is not None else [r.to_dict() for r in suite.results(self.against)]
        compared = compare_results(new, old, margins=self.margins, checks=[self.check])
        self.physcheck_comparisons = [self.model, self.label, [c.to_dict() for c in compared]]
        if self.baseline is None:  # a model of the run: the report draws its series too
            series = self.plugin.series_once(self.against)
            self.physcheck_series = [self.against, series] if series is not None else None
        self.user_properties += [
            (f"physcheck_regression:{c.number}", f"{c.verdict}: {c.difference:.4g} [{c.low:.4g}, {c.high:.4g}]")
            for c in compared
        ]
        if not compared:
            pytest.skip(f"{self.name}: no {self.check} numbers in both runs (skipped in one)")
        regressions = [c for c in compared if c.failed]
        if regressions:
            raise RegressionFound("\n".join(describe(self.model, self.label, c) for c in regressions))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RegressionFound):
            return str(excinfo.value)
        debug = self.plugin.settings.debug
        return concise_failure(excinfo, debug) or str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "physcheck", None, self.name


def describe(model: str, label: str, c: Comparison) -> str:
    better = "lower" if c.lower_is_better else "higher"
    return (
        f"{model}: {c.number} regressed against {label}: {c.value:.4g} vs {c.baseline:.4g} "
        f"({better} is better); difference {c.difference:.4g}, 90% interval "
        f"[{c.low:.4g}, {c.high:.4g}] beyond the margin {c.margin:.4g} over {c.units} units "
        f"({c.unit})"
    )


def regression_items(collector: pytest.Collector, plugin: PhyscheckPlugin, mark: Any) -> list[pytest.Item]:
    """The regression items of the run (none without a baseline or a comparison)."""
    settings = plugin.settings
    setting = settings.baseline
    if not settings.compare and (setting is None or setting.path is None):
        return []
    from physcheck.plugin.runtime import output_path

    baseline = None
    saved: list[Pairing] = []
    margins = setting.margins if setting is not None else Margins()
    if setting is not None and setting.path is not None:
        path = output_path(collector.config, setting.path)
        if path.is_dir():  # saved rollouts: gated in this run as baseline models
            from physcheck.plugin.saved_baseline import saved_baselines

            found = saved_baselines(plugin, path)
            saved = [Pairing(model, against, label) for model, (against, label) in found.items()]
        else:
            baseline = load_baseline(path)
            refuse_incomparable(this_run(plugin, plugin.settings_summary()), baseline, str(setting.path))
    items: list[pytest.Item] = []
    for pairing in pairings(settings, baseline) + saved:
        for check in settings.checks:
            if check not in COMPARED_CHECKS:
                continue
            name = f"regression[{pairing.model}-{check}{pairing.suffix}]"
            item = RegressionItem.from_parent(
                collector,
                name=name,
                nodeid=f"{collector.nodeid}::{name}",
                pairing=pairing,
                check=check,
                margins=margins,
                plugin=plugin,
            )
            items.append(mark(item))
    return items


__all__ = ["COMPARED_CHECKS", "Pairing", "RegressionFound", "RegressionItem", "load_baseline", "regression_items"]


class ScorecardCollector:
    """On the controller: the comparisons the regression items made (they travel on the test
    reports, so from xdist workers too), as the document's ``comparisons``, the Markdown
    scorecard (``--physcheck-markdown``) and summary lines."""

    def __init__(self) -> None:
        #: model -> (against, {number: comparison as a dict})
        self.tables: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {}

    def collect(self, report: pytest.TestReport) -> None:
        found = getattr(report, "physcheck_comparisons", None)
        if not isinstance(found, list) or len(found) != 3:
            return
        model, label, comparisons = found
        _, numbers = self.tables.setdefault(str(model), (str(label), {}))
        for c in comparisons:
            numbers[str(c["number"])] = c

    def comparisons(self) -> dict[str, tuple[str, list[Comparison]]]:
        order = {n.name: i for i, n in enumerate(NUMBERS)}
        return {
            model: (label, [Comparison.from_dict(numbers[k]) for k in sorted(numbers, key=order.__getitem__)])
            for model, (label, numbers) in sorted(self.tables.items())
        }

    def add_to(self, document: dict[str, Any]) -> None:
        if self.tables:
            document["comparisons"] = {
                model: {"against": label, "numbers": [c.to_dict() for c in compared]}
                for model, (label, compared) in self.comparisons().items()
            }

    def write(self, config: pytest.Config, path: str | None) -> str | None:
        """Write the scorecard to ``path`` (when given and there is one); an error line if it
        cannot be written."""
        if not path or not self.tables:
            return None
        from physcheck.baseline import scorecard
        from physcheck.errors import PhyscheckError
        from physcheck.jsonio import write_text_atomic
        from physcheck.plugin.runtime import output_path

        try:
            write_text_atomic(output_path(config, path), scorecard(self.comparisons()))
        except (OSError, PhyscheckError) as exc:
            return f"physcheck: the scorecard was not written to {path} ({exc})"
        return None

    def summary_lines(self) -> list[str]:
        lines = []
        for model, (label, compared) in self.comparisons().items():
            counts = {v: sum(c.verdict == v for c in compared) for v in ("regression", "improvement", "equivalent", "inconclusive")}
            lines.append(
                f"{model} against {label}: "
                + ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
            )
        return lines


def with_baseline_series(
    document: dict[str, Any], config: pytest.Config, settings: Settings
) -> dict[str, Any]:
    """The report's document: ``document`` plus each compared model's baseline series as a
    model ``NAME (baseline)``, so every figure draws the baseline beside the model (when the
    baseline was written with its series, ``--physcheck-report``)."""
    setting = settings.baseline
    series = document.get("series")
    if setting is None or setting.path is None or not series:
        return document
    from physcheck.plugin.runtime import output_path

    try:
        baseline = load_baseline(output_path(config, setting.path))
    except DataError:
        return document
    theirs = baseline.get("series") or {}
    added = dict(series)
    for model, compared in (document.get("comparisons") or {}).items():
        against = str(compared.get("against", ""))
        if not against.startswith("baseline "):
            continue  # a comparison with another model of the run: it is in the figures already
        label = against.removeprefix("baseline ")
        if model in series and label in theirs:
            added[f"{model} (baseline)"] = theirs[label]
    return {**document, "series": added} if len(added) > len(series) else document
