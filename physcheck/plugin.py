"""pytest plugin entry point (registered under ``pytest11``): options, markers, collection
of the physics suite, fixtures, terminal summary and the results file.

Loading this module is cheap (no torch import): options are parsed by the torch-free
``physcheck.config``; data, models and rollouts load only once a model is configured and
the suite is collected. With ``--physcheck-model NAME=SPEC`` the plugin collects one test
per check, model, trajectory (and channel where it applies), e.g.
``solenoidality[demo-traj2]`` or ``channel_variance[demo-traj2-By]``.
"""

from __future__ import annotations

from typing import Any

import pytest

import physcheck
from physcheck.checks.result import CHECK_NAMES
from physcheck.config import ConfigError, Settings, build_settings, read_file_settings
from physcheck.snapshot import physcheck_snapshot  # noqa: F401  (fixture)

MARKERS = {
    "gpu": "needs a CUDA device; skipped with the reason where none is available (select with -m gpu)",
    "physics": "a physics check of a surrogate's rollout (collected by physcheck)",
    "walrus": "needs Polymathic's walrus package; skipped with the reason where it is not importable",
    "physcheck_snapshot(rtol=None, atol=None, overrides=None)": "tolerances of physcheck_snapshot comparisons in this test",
}
SETTINGS_KEY = pytest.StashKey[Settings]()
PLUGIN_NAME = "physcheck-suite"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("physcheck", "physics checks of neural PDE surrogates (physcheck)")
    group.addoption(
        "--physcheck-model",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="a model to check (repeatable): reference, demo, walrus:CONFIG.yaml:CHECKPOINT.pt or package.module:attr; append +projection to project each frame onto div B = 0",
    )
    group.addoption(
        "--physcheck-data",
        metavar="PATH",
        help="Well dataset dir, split dir or .hdf5 file (default: the shipped MHD_16 data)",
    )
    group.addoption(
        "--physcheck-split", metavar="SPLIT", help="split of a dataset dir (default: test)"
    )
    group.addoption(
        "--physcheck-window",
        metavar="WINDOW",
        help="early, paper or START:HISTORY:K (default: early)",
    )
    group.addoption(
        "--physcheck-trajectories",
        metavar="LIST",
        help="trajectories to check: all, 0,2,5 or 0-3 (default: all)",
    )
    group.addoption(
        "--physcheck-device", metavar="DEVICE", help="cpu, cuda, cuda:N or auto (default: auto)"
    )
    group.addoption(
        "--physcheck-dtype",
        metavar="DTYPE",
        help="precision of the base rollout: float32 (default), bfloat16 or float64",
    )
    group.addoption(
        "--physcheck-checks",
        metavar="LIST",
        help=f"comma-separated subset of: {', '.join(CHECK_NAMES)}",
    )
    group.addoption(
        "--physcheck-threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a threshold (repeatable), e.g. solenoidality_factor=5",
    )
    group.addoption(
        "--physcheck-perturbations",
        type=int,
        metavar="N",
        help="perturbed rollouts for basin_determinism (default: 5)",
    )
    group.addoption(
        "--physcheck-noise",
        type=float,
        metavar="EPS",
        help="relative input noise of the perturbed rollouts (default: 1e-6)",
    )
    group.addoption(
        "--physcheck-divergence",
        metavar="OP",
        help="div B operator of the solenoidality check: central (default) or spectral",
    )
    group.addoption(
        "--physcheck-json",
        metavar="PATH",
        help="write every result and the settings used to this JSON file",
    )
    group.addoption(
        "--physcheck-report",
        metavar="DIR",
        help="write the HTML report (needs matplotlib) to this directory",
    )
    group.addoption(
        "--physcheck-no-cache",
        action="store_true",
        default=False,
        help="recompute rollouts instead of reading the disk cache",
    )
    group.addoption(
        "--physcheck-no-snapshot",
        action="store_true",
        default=False,
        help="do not collect the snapshot tests of the suite",
    )
    group.addoption(
        "--physcheck-only",
        action="store_true",
        default=False,
        help="run only the physics suite (collect no test files)",
    )


def _settings(config: pytest.Config) -> Settings:
    opt = config.option
    cli = {
        "models": opt.physcheck_model,
        "data": opt.physcheck_data,
        "split": opt.physcheck_split,
        "window": opt.physcheck_window,
        "trajectories": opt.physcheck_trajectories,
        "device": opt.physcheck_device,
        "dtype": opt.physcheck_dtype,
        "checks": opt.physcheck_checks,
        "threshold_overrides": opt.physcheck_threshold,
        "perturbations": opt.physcheck_perturbations,
        "noise": opt.physcheck_noise,
        "divergence": opt.physcheck_divergence,
        "json": opt.physcheck_json,
        "cache": False if opt.physcheck_no_cache else None,
        "snapshot": False if opt.physcheck_no_snapshot else None,
    }
    return build_settings(read_file_settings(config.rootpath), cli)


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    try:
        settings = _settings(config)
    except ConfigError as exc:
        raise pytest.UsageError(f"physcheck: {exc}") from None
    config.stash[SETTINGS_KEY] = settings
    if settings.models:
        _group_models_on_workers(config)
    if settings.models or config.option.physcheck_only:
        config.pluginmanager.register(PhyscheckPlugin(config, settings), PLUGIN_NAME)


def _explicit_dist(config: pytest.Config) -> str | None:
    args = list(config.invocation_params.args)
    for i, arg in enumerate(args):
        if arg == "--dist" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--dist="):
            return arg.split("=", 1)[1]
    return None


def _group_models_on_workers(config: pytest.Config) -> None:
    """pytest-xdist: unless another ``--dist`` mode was asked for, schedule with ``loadgroup``
    so that each model's tests (grouped by an ``@model`` node-id suffix) run on one worker and its
    rollouts are computed once there (the disk cache shares them across workers otherwise)."""
    if _explicit_dist(config) not in (None, "load", "loadgroup"):
        return
    if hasattr(config, "workerinput"):
        config.option.loadgroup = True  # workers suffix node ids with their group
    elif getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def _cuda_unavailable_reason() -> str | None:
    import torch  # deferred: only when a gpu-marked test is about to run

    if not torch.cuda.is_available():
        return f"gpu test: no CUDA device is available to torch {torch.__version__}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("gpu") is not None:
        reason = _cuda_unavailable_reason()
        if reason:
            pytest.skip(reason)


class PhysicsCheckFailed(AssertionError):
    """A physics check failed; ``result`` holds the measured value and message."""

    def __init__(self, result: Any) -> None:
        super().__init__(result.message)
        self.result = result


class CheckItem(pytest.Item):
    """One physics check of one model on one trajectory (and channel)."""

    def __init__(
        self,
        *,
        check: str,
        model: str,
        trajectory: int,
        channel: str | None,
        plugin: PhyscheckPlugin,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.check, self.model, self.trajectory, self.channel = check, model, trajectory, channel
        self.plugin = plugin

    def runtest(self) -> None:
        session = self.plugin.session
        result = session.result(self.check, self.model, self.trajectory, self.channel)
        self.user_properties.append(("physcheck_result", result.to_dict()))
        self.user_properties.append(
            ("physcheck_key_numbers", (self.model, self.plugin.key_numbers(self.model)))
        )
        if self.plugin.wants_series and self.model not in self.plugin.series_sent:
            self.plugin.series_sent.add(self.model)  # once per process (and per xdist worker)
            self.user_properties.append(
                ("physcheck_series", (self.model, self.plugin.session.series(self.model)))
            )
        if result.skipped:
            pytest.skip(f"{result.test_id}: {result.skipped}")
        if not result.passed:
            raise PhysicsCheckFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PhysicsCheckFailed):
            r = excinfo.value.result
            return f"{r.message}\n  check {r.check}: value {r.value}, threshold {r.threshold}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "physcheck", None, self.name


class SnapshotItem(pytest.Item):
    """The diagnostic numbers of one model on one trajectory against its snapshot file."""

    def __init__(
        self, *, model: str, trajectory: int, plugin: PhyscheckPlugin, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.model, self.trajectory, self.plugin = model, trajectory, plugin

    @property
    def snapshot_path(self) -> Any:
        directory = self.config.rootpath / self.plugin.settings.snapshot_dir
        return directory / f"{self.model}-traj{self.trajectory}.json"

    def runtest(self) -> None:
        from physcheck.snapshot import check_file_snapshot, configured_tolerance, update_command

        payload = self.plugin.session.snapshot_payload(self.model, self.trajectory)
        update = bool(getattr(self.config.option, "update_snapshots", False))
        passed, lines = check_file_snapshot(
            self.snapshot_path,
            payload,
            configured_tolerance(self.config),
            update=update,
            command=update_command(self.config),
            label=f"{self.plugin.settings.snapshot_dir}/{self.snapshot_path.name}",
        )
        for line in lines:
            self.user_properties.append(("physcheck_snapshot", line))
        if not passed:
            raise SnapshotMismatch("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SnapshotMismatch):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "physcheck", None, self.name


class SnapshotMismatch(AssertionError):
    """The suite's numbers moved beyond tolerance from the snapshot (or it is missing)."""


class PhyscheckSuite(pytest.Collector):
    """The auto-collected physics suite (no test file needed)."""

    def __init__(self, *, plugin: PhyscheckPlugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin

    def child_nodeid(self, name: str, model: str) -> str:
        """``physcheck::name``; on a pytest-xdist worker under ``loadgroup`` with the ``@model``
        group suffix that keeps a model's tests (and so its rollouts) on one worker."""
        suffix = f"@{model}" if getattr(self.config.option, "loadgroup", False) else ""
        return f"{self.nodeid}::{name}{suffix}"

    def collect(self) -> list[pytest.Item]:
        session = self.plugin.session
        settings = self.plugin.settings
        gpu = session.device.type == "cuda"
        items: list[pytest.Item] = []
        item: pytest.Item
        for check in settings.checks:
            for entry in settings.models:
                for traj in session.trajectories:
                    channels = (
                        list(session.layout.short_names) if check == "channel_variance" else [None]
                    )
                    for channel in channels:
                        parts = [entry.name, f"traj{traj}"] + ([channel] if channel else [])
                        name = f"{check}[{'-'.join(parts)}]"
                        item = CheckItem.from_parent(
                            self,
                            name=name,
                            nodeid=self.child_nodeid(name, entry.name),
                            check=check,
                            model=entry.name,
                            trajectory=traj,
                            channel=channel,
                            plugin=self.plugin,
                        )
                        item.add_marker(pytest.mark.physics)
                        if gpu:
                            item.add_marker(pytest.mark.gpu)
                        items.append(item)
        if settings.snapshot:
            for entry in settings.models:
                for traj in session.trajectories:
                    name = f"snapshot[{entry.name}-traj{traj}]"
                    item = SnapshotItem.from_parent(
                        self,
                        name=name,
                        nodeid=self.child_nodeid(name, entry.name),
                        model=entry.name,
                        trajectory=traj,
                        plugin=self.plugin,
                    )
                    item.add_marker(pytest.mark.physics)
                    if gpu:
                        item.add_marker(pytest.mark.gpu)
                    items.append(item)
        return items


class PhyscheckPlugin:
    """The configured run: owns the library session and gathers results for the outputs."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self._session: Any = None
        self.results: dict[str, dict[str, Any]] = {}
        self.key_numbers_by_model: dict[str, Any] = {}
        self.series_by_model: dict[str, Any] = {}
        self.wants_series = bool(config.option.physcheck_report)
        self.series_sent: set[str] = set()

    @property
    def session(self) -> Any:
        if self._session is None:
            from physcheck.session import PhyscheckSession

            self._session = PhyscheckSession(self.settings, rootdir=self.config.rootpath)
        return self._session

    def key_numbers(self, model: str) -> dict[str, Any]:
        return self.session.key_numbers(model)

    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path: Any, config: pytest.Config) -> bool | None:
        return True if config.option.physcheck_only else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if not self.settings.models:
            return
        from physcheck.data import DataError
        from physcheck.models import ModelProtocolError, ModelSpecError

        errors = (
            DataError,
            ModelSpecError,
            ModelProtocolError,
            ConfigError,
            FileNotFoundError,
            ImportError,
        )
        try:
            for entry in self.settings.models:  # surface bad specs before any test runs
                self.session.model(entry.name)
                self.session.window.check(
                    self.session.n_history(entry.name), self.session.data.n_time
                )
            suite = PhyscheckSuite.from_parent(
                session, name="physcheck", nodeid="physcheck", plugin=self
            )
            collected = suite.collect()
        except errors as exc:
            raise pytest.UsageError(f"physcheck: {exc}") from None
        # report the suite like any collected node, so counts, -q output and xdist see it
        config.hook.pytest_collectreport(
            report=pytest.CollectReport(suite.nodeid, "passed", None, list(collected))
        )
        items.extend(collected)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        value: Any
        for name, value in report.user_properties:
            if name == "physcheck_result":
                self.results[
                    f"{value['check']}|{value['model']}|{value['trajectory']}|{value['channel']}"
                ] = value
            elif name == "physcheck_key_numbers":
                model, numbers = value
                self.key_numbers_by_model[model] = numbers
            elif name == "physcheck_series":
                model, series = value
                self.series_by_model[model] = series

    def _is_controller(self) -> bool:
        return not hasattr(self.config, "workerinput")

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self._is_controller() or not self.results:
            return
        from physcheck.summary import results_document, write_results

        document = results_document(
            self.results.values(),
            self.settings.summary(),
            self.key_numbers_by_model,
            {"version": physcheck.__version__},
        )
        if self.series_by_model:
            document["series"] = {
                name: self.series_by_model[name] for name in sorted(self.series_by_model)
            }
        if self.settings.json_path:
            write_results(
                self.config.rootpath / self.settings.json_path
                if not self.settings.json_path.startswith("/")
                else self.settings.json_path,
                document,
            )
        report_dir = self.config.option.physcheck_report
        if report_dir:
            from physcheck.report.build import write_report_safely

            self.report_message = write_report_safely(document, report_dir)

    def pytest_terminal_summary(
        self, terminalreporter: Any, exitstatus: int, config: pytest.Config
    ) -> None:
        if not self._is_controller() or not self.results:
            return
        from physcheck.summary import summary_lines

        terminalreporter.section("physcheck summary")
        for line in summary_lines(
            self.results.values(), self.key_numbers_by_model, self.settings.summary()
        ):
            terminalreporter.write_line(line)
        message = getattr(self, "report_message", None)
        if message:
            terminalreporter.write_line(message)


# -- fixtures for users' own physics tests ---------------------------------------------------------
@pytest.fixture(scope="session")
def physcheck_session(request: pytest.FixtureRequest) -> Any:
    """The run's ``PhyscheckSession`` (configured models, data, window, thresholds)."""
    plugin = request.config.pluginmanager.get_plugin(PLUGIN_NAME)
    if plugin is None:
        from physcheck.session import PhyscheckSession

        return PhyscheckSession(request.config.stash[SETTINGS_KEY], rootdir=request.config.rootpath)
    return plugin.session


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "physcheck_model" in metafunc.fixturenames:
        settings = metafunc.config.stash.get(SETTINGS_KEY, None)
        names = [m.name for m in settings.models] if settings else []
        if names:
            metafunc.parametrize("physcheck_model_name", names, ids=names, scope="session")


@pytest.fixture(scope="session")
def physcheck_model_name(request: pytest.FixtureRequest) -> str:
    pytest.skip(
        "no model configured: pass --physcheck-model NAME=SPEC or set [tool.physcheck] models"
    )


@pytest.fixture(scope="session")
def physcheck_model(physcheck_session: Any, physcheck_model_name: str) -> Any:
    """The surrogate of each configured model (tests using it run once per model)."""
    return physcheck_session.model(physcheck_model_name)


@pytest.fixture(scope="session")
def physcheck_truth(physcheck_session: Any, physcheck_model_name: str) -> Any:
    """``TruthWindow`` (``history``, ``truth``, ``record``) of the configured window for the model's history length."""
    return physcheck_session.truth(physcheck_session.n_history(physcheck_model_name))


@pytest.fixture(scope="session")
def physcheck_rollout(physcheck_session: Any, physcheck_model_name: str) -> Any:
    """The model's base-rollout ``DiagnosticRecord`` (computed once per session)."""
    return physcheck_session.record(physcheck_model_name, "base")
