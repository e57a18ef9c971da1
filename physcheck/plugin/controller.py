"""The configured physics run inside pytest: owns the ``Suite``, collects its items, gathers
results from test reports (on the xdist controller too) and writes the outputs."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import physcheck
from physcheck.config import Settings
from physcheck.data.remote import local_path
from physcheck.errors import ModelRunError, PhyscheckError
from physcheck.plugin.items import SuiteCollector
from physcheck.plugin.progress import ProgressPrinter
from physcheck.plugin.regression import ScorecardCollector, with_baseline_series
from physcheck.plugin.runtime import output_path, rollout_threads
from physcheck.plugin.selection import SUITE_NODE, PhysicsSelection
from physcheck.plugin.xdist import (
    hand_usage_error_to_controller,
    is_worker,
    model_of,
    worker_index,
)

if TYPE_CHECKING:
    from physcheck.suite import Suite

PLUGIN_NAME = "physcheck-suite"


class PhyscheckPlugin:
    """Registered when models are configured (or with ``--physcheck-only``)."""

    def __init__(
        self,
        config: pytest.Config,
        settings: Settings,
        selection: PhysicsSelection | None = None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.selection = selection or PhysicsSelection(joins=True)
        self._printer = ProgressPrinter(config)
        self._suite: Suite | None = None
        self._executor: Any = None
        self.results: dict[str, dict[str, Any]] = {}
        self.key_numbers_by_model: dict[str, Any] = {}
        self.series_by_model: dict[str, Any] = {}
        self.series_sent: set[str] = set()
        #: each model's provenance block (physcheck.outputs.provenance), sent once per process
        self.provenance_by_model: dict[str, dict[str, Any]] = {}
        self.provenance_sent: set[str] = set()
        self.report_message: str | None = None
        self.crashed: dict[str, str] = {}
        self.scorecard = ScorecardCollector()
        self.snapshot_lines: list[str] = []
        #: outputs that could not be written (said in the summary; the run fails)
        self.output_errors: list[str] = []

    @property
    def suite(self) -> Suite:
        if self._suite is None:
            from physcheck.suite import Suite

            executor = None
            if self.settings.executor:
                from physcheck.executor import executor_for

                executor = self._executor = executor_for(self.settings, progress=self._progress)
            self._suite = Suite(
                self.settings,
                rootdir=self.config.rootpath,
                worker=worker_index(self.config),
                progress=self._progress,
                executor=executor,
            )
        return self._suite

    def _progress(self, line: str) -> None:
        """Rollout progress on the terminal, past pytest's capture (``physcheck.plugin.progress``)."""
        self._printer(line)

    def key_numbers(self, model: str) -> dict[str, Any]:
        from physcheck.outputs.payloads import key_numbers
        return key_numbers(self.suite, model)

    def series_once(self, model: str) -> dict[str, Any] | None:
        """The model's report series the first time it is asked for in this process (and on
        each xdist worker), when a report is wanted; else ``None``."""
        if not self.settings.report_dir or model in self.series_sent:
            return None
        from physcheck.outputs.payloads import series
        self.series_sent.add(model)
        return series(self.suite, model)

    def provenance_once(self, model: str) -> dict[str, Any] | None:
        """The model's provenance the first time it is asked for in this process (and on each
        xdist worker); else ``None``."""
        if model in self.provenance_sent:
            return None
        from physcheck.outputs.provenance import provenance
        self.provenance_sent.add(model)
        return provenance(self.suite, model)

    def settings_summary(self) -> dict[str, Any]:
        """The settings as written into the outputs, with the data named even when it was not
        given (the physcheck set the run built and read)."""
        settings = self.settings.summary()
        provenance = self.provenance()
        if settings["data"] is None and provenance is not None:
            settings["data"] = f"physcheck set {provenance['data']['recipe']!r}"
        if settings["profile"] is None and provenance is not None:
            # the profile the run found from the data (``generic`` where none knew them)
            settings["profile"] = (provenance["data"].get("profile") or {}).get("name")
        return settings

    def provenance(self) -> dict[str, Any] | None:
        """The run's provenance, merged over its models."""
        from physcheck.outputs.provenance import merge

        return merge([self.provenance_by_model[m] for m in sorted(self.provenance_by_model)])

    # -- collection ------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path: Path, config: pytest.Config) -> bool | None:
        return True if self.settings.only else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if not (self.settings.models and self.selection.joins):
            return
        try:
            # surface bad specs and data before any test runs; a data set built on first use
            # shows its progress bar on the terminal, not in pytest's capture
            capture = config.pluginmanager.get_plugin("capturemanager")
            with (
                capture.global_and_fixture_disabled() if capture is not None else nullcontext(),
                rollout_threads(config, self.settings),
            ):
                for entry in self.settings.models:
                    try:
                        self.suite.validate(entry.name)
                    except ModelRunError as exc:  # the model's own code raised: its items fail
                        self.suite.record_failure(entry.name, exc)
                if self.settings.export_dir:
                    self._export()
                    return
            collector = SuiteCollector.from_parent(
                session, name="physcheck", nodeid="physcheck", plugin=self
            )
            collected = collector.collect()
        except (PhyscheckError, FileNotFoundError, ImportError) as exc:
            self._usage_error(config, f"physcheck: {exc}")
            return
        except (Exception, SystemExit) as exc:  # a fault nobody named: one line, unless debugging
            if self.settings.debug:
                raise
            self._usage_error(
                config,
                f"physcheck: {type(exc).__name__} while preparing the suite: {exc} "
                "(--physcheck-debug shows the traceback)",
            )
            return
        # report the suite like any collected node, so counts, -q output and xdist see it
        config.hook.pytest_collectreport(
            report=pytest.CollectReport(collector.nodeid, "passed", None, list(collected))
        )
        items.extend(
            item
            for item in collected
            if isinstance(item, pytest.Item) and self.selection.wants(item.nodeid)
        )

    @staticmethod
    def _usage_error(config: pytest.Config, line: str) -> None:
        """End the session with exit 4 and ``line``; an xdist worker hands the line to the
        controller, which says it and ends the session so (a worker's own usage error would
        otherwise vanish into "no tests ran")."""
        if not hand_usage_error_to_controller(config, line):
            raise pytest.UsageError(line) from None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, None]:
        """physcheck's items roll out under the run's thread cap, given back afterwards."""
        if not item.nodeid.startswith(f"{SUITE_NODE}::"):
            yield
            return
        with rollout_threads(self.config, self.settings):
            yield

    def _export(self) -> None:
        """``--physcheck-export DIR``: each model's rollouts to ``DIR/NAME.FORMAT``; no checks."""
        assert self.settings.export_dir is not None
        target = output_path(self.config, self.settings.export_dir)
        for name, written in self.suite.export_models(target):
            shown = Path(local_path(self.settings.export_dir)) / written.name
            self._progress(
                f"exported {name}: {shown} (gate it with --physcheck-predictions {name}={shown})"
            )

    # -- results ---------------------------------------------------------------------------------
    def model_of(self, nodeid: str) -> str | None:
        """The configured model a physcheck node id belongs to."""
        return model_of(nodeid, [m.name for m in self.settings.models])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        value: Any
        phase: str = str(report.when)
        if report.failed and phase == "???" and report.nodeid.startswith("physcheck::"):
            # pytest-xdist: the worker running this item died (its report has no phase)
            model = self.model_of(report.nodeid)
            if model is not None:
                self.crashed.setdefault(
                    model,
                    f"the worker running {report.nodeid} crashed: "
                    + str(report.longrepr).strip().splitlines()[0],
                )
        self.scorecard.collect(report)
        if getattr(report, "physcheck_series", None) is not None:  # a baseline model's
            self.series_by_model[report.physcheck_series[0]] = report.physcheck_series[1]
        payload = getattr(report, "physcheck_payload", None)
        if isinstance(payload, dict):
            value = payload["result"]
            self.results[
                f"{value['check']}|{value['model']}|{value['trajectory']}|{value['channel']}"
            ] = value
            model, numbers = payload["key_numbers"]
            self.key_numbers_by_model[model] = numbers
            if payload.get("series") is not None:
                model, series = payload["series"]
                self.series_by_model[model] = series
            if payload.get("provenance") is not None:
                self.provenance_by_model[value["model"]] = payload["provenance"]
        for name, value in report.user_properties:
            if name == "physcheck_snapshot" and not str(value).startswith("  "):
                self.snapshot_lines.append(str(value))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        """Attach a physics item's numbers to its call report (pytest-xdist serialises report
        attributes, so they reach the controller)."""
        outcome = yield
        payload = getattr(item, "physcheck_payload", None)
        if call.when == "call" and payload is not None:
            outcome.get_result().physcheck_payload = payload
        for name in ("physcheck_comparisons", "physcheck_series"):  # regression items
            value = getattr(item, name, None)
            if call.when == "call" and value is not None:
                setattr(outcome.get_result(), name, value)

    def document(self) -> dict[str, Any]:
        """The results document of the run (``physcheck.outputs.results``)."""
        from physcheck.outputs.results import results_document

        settings = self.settings_summary()
        used = sorted(
            {str(k["device"]) for k in self.key_numbers_by_model.values() if "device" in k}
        )
        if used:  # the device the rollouts ran on, not "auto"
            settings["device"] = ", ".join(used)
        document = results_document(
            self.results.values(),
            settings,
            self.key_numbers_by_model,
            {"version": physcheck.__version__},
        )
        if self.series_by_model:
            document["series"] = {
                name: self.series_by_model[name] for name in sorted(self.series_by_model)
            }
        if self.crashed:
            document["crashed"] = dict(sorted(self.crashed.items()))
        self.scorecard.add_to(document)
        provenance = self.provenance()
        if provenance is not None:
            document["provenance"] = provenance
        return document

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._junit_provenance()
        if self._executor is not None:
            self._executor.close()
            self._executor = None
        if is_worker(self.config) or not (self.results or self.crashed):
            return
        if self.judged_nothing() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.crashed and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):  # a worker that died took its model's verdicts with it: the gate fails
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        document = self.document()
        json_path = self.settings.json_path
        if json_path:
            from physcheck.outputs.results import write_results

            target = output_path(self.config, json_path)
            try:
                write_results(target, document)
            except OSError as exc:  # a full or vanished disk at the very end: one line, a failure
                self.output_errors.append(
                    f"physcheck: the results were not written to {json_path} "
                    f"({exc.strerror or exc}); free space there or give another "
                    "--physcheck-json path, and run again"
                )
                if session.exitstatus == pytest.ExitCode.OK:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED
        failed_scorecard = self.scorecard.write(self.config, self.settings.markdown_path)
        if failed_scorecard is not None:
            self.output_errors.append(failed_scorecard)
        if self.settings.report_dir:
            from physcheck.report.build import write_report_safely

            target = output_path(self.config, self.settings.report_dir)
            shown = with_baseline_series(document, self.config, self.settings)
            message = write_report_safely(shown, target)
            # show the path as the user wrote it (relative to where pytest was invoked)
            self.report_message = message.replace(
                str(target), self.settings.report_dir.rstrip("/"), 1
            )

    def judged_nothing(self) -> bool:
        """Every physics result of the run skipped (and none crashed), and skips are not
        accepted (``--physcheck-allow-skips``): a gate that judged nothing must not pass."""
        results = list(self.results.values())
        return (
            bool(results)
            and not self.crashed
            and not self.settings.allow_skips
            and all(r.get("skipped") for r in results)
        )

    def _junit_provenance(self) -> None:
        """The run's provenance as JUnit XML global properties (``--junitxml``), written before
        pytest's own session-finish writes the file."""
        try:
            from _pytest.junitxml import xml_key
        except ImportError:  # pragma: no cover - a pytest without it
            return
        xml = self.config.stash.get(xml_key, None)
        if xml is None or is_worker(self.config):
            return
        from physcheck.outputs.provenance import junit_properties

        for name, value in junit_properties(self.provenance()):
            xml.add_global_property(name, value)

    def pytest_terminal_summary(
        self, terminalreporter: Any, exitstatus: int, config: pytest.Config
    ) -> None:
        if is_worker(self.config) or not (self.results or self.crashed):
            return
        from physcheck.outputs.summary import summary_lines

        terminalreporter.section("physcheck summary")
        if self.judged_nothing():
            terminalreporter.write_line(
                f"physcheck: every selected check skipped ({len(self.results)} items): the gate "
                "judged nothing, so the run fails (exit status 1); --physcheck-allow-skips "
                "accepts it",
                red=True,
                bold=True,
            )
        for line in summary_lines(
            self.results.values(),
            self.key_numbers_by_model,
            self.settings_summary(),
            crashed=self.crashed,
        ):
            terminalreporter.write_line(line)
        from physcheck.outputs.provenance import summary_lines as provenance_lines

        for line in provenance_lines(self.provenance()):
            terminalreporter.write_line(line)
        for line in self.snapshot_lines:
            terminalreporter.write_line(f"snapshot: {line}")
        for line in self.scorecard.summary_lines():
            terminalreporter.write_line(f"baseline: {line}")
        if self.report_message:
            terminalreporter.write_line(self.report_message)
        for line in self.output_errors:
            terminalreporter.write_line(line, red=True, bold=True)


__all__ = ["PLUGIN_NAME", "PhyscheckPlugin"]
