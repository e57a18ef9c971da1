"""The auto-collected physics suite: one item per check, model, trajectory (and channel),
plus one snapshot item per model and trajectory. Items only read the ``Suite``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from physcheck.checks.result import CheckResult, test_id
from physcheck.config import Settings, check_spec
from physcheck.errors import PhyscheckError

if TYPE_CHECKING:
    from physcheck.suite import Suite


class PhyscheckPlugin(Protocol):
    """What items need of the plugin that collected them (``physcheck.plugin.controller``)."""

    settings: Settings

    @property
    def suite(self) -> Suite: ...

    def key_numbers(self, model: str) -> dict[str, Any]: ...

    def series_once(self, model: str) -> dict[str, Any] | None: ...

    def provenance_once(self, model: str) -> dict[str, Any] | None: ...

    def settings_summary(self) -> dict[str, Any]: ...


class PhysicsCheckFailed(AssertionError):
    """A physics check failed; ``result`` holds the measured value and message."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


class SnapshotMismatch(AssertionError):
    """The suite's numbers moved beyond tolerance from the snapshot (or it is missing)."""


def concise_failure(
    excinfo: pytest.ExceptionInfo[BaseException], debug: bool = False
) -> str | None:
    """One readable line for an error physcheck raises on purpose (a model that raised, bad
    data found late), instead of pytest's internals; ``None`` for anything else (a bug) and
    under ``--physcheck-debug`` (the traceback)."""
    if isinstance(excinfo.value, PhyscheckError) and not debug:
        return f"physcheck: {excinfo.value}"
    return None


class CheckItem(pytest.Item):
    """One physics check of one model on one trajectory (and channel)."""

    def __init__(
        self,
        *,
        check: str,
        model: str,
        trajectory: int | None,
        channel: str | None,
        plugin: PhyscheckPlugin,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.check, self.model, self.trajectory, self.channel = check, model, trajectory, channel
        self.plugin = plugin

    def runtest(self) -> None:
        result = self.plugin.suite.result(self.check, self.model, self.trajectory, self.channel)
        # the structured numbers travel on the report (to the xdist controller too); JUnit XML
        # and other readers of user_properties get plain values
        self.physcheck_payload: dict[str, Any] = {
            "result": result.to_dict(),
            "key_numbers": [self.model, self.plugin.key_numbers(self.model)],
            "series": None,
        }
        series = self.plugin.series_once(self.model)
        if series is not None:
            self.physcheck_payload["series"] = [self.model, series]
        self.physcheck_payload["provenance"] = self.plugin.provenance_once(self.model)
        self.user_properties += [
            ("physcheck_check", result.check),
            ("physcheck_model", result.model),
            ("physcheck_status", result.outcome),
            ("physcheck_value", result.to_dict()["value"]),
            ("physcheck_threshold", result.to_dict()["threshold"]),
        ]
        if result.skipped:
            pytest.skip(f"{result.test_id}: {result.skipped}")
        if not result.passed:
            raise PhysicsCheckFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PhysicsCheckFailed):
            r = excinfo.value.result
            return f"{r.message}\n  check {r.check}: value {r.value}, threshold {r.threshold}"
        debug = self.plugin.settings.debug
        return concise_failure(excinfo, debug) or str(super().repr_failure(excinfo, style=style))

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
    def snapshot_path(self) -> Path:
        directory = self.config.rootpath / self.plugin.settings.snapshot_dir
        return directory / f"{self.model}-traj{self.trajectory}.json"

    def runtest(self) -> None:
        from physcheck.outputs.payloads import snapshot_payload
        from physcheck.plugin.snapshots import configured_tolerance, update_command
        from physcheck.snapshot import check_file_snapshot

        payload = snapshot_payload(self.plugin.suite, self.model, self.trajectory)
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
        debug = self.plugin.settings.debug
        return concise_failure(excinfo, debug) or str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "physcheck", None, self.name


class SuiteCollector(pytest.Collector):
    """The auto-collected physics suite (no test file needed)."""

    def __init__(self, *, plugin: PhyscheckPlugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin

    def child_nodeid(self, name: str, model: str) -> str:
        """``physcheck::name``, the same in serial and pytest-xdist runs."""
        return f"{self.nodeid}::{name}"

    def _mark(self, item: pytest.Item, gpu: bool) -> pytest.Item:
        item.add_marker(pytest.mark.physics)
        if gpu:
            item.add_marker(pytest.mark.gpu)
        return item

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        suite = self.plugin.suite
        settings = self.plugin.settings
        gpu = suite.device.type == "cuda"
        items: list[pytest.Item | pytest.Collector] = []
        for check in settings.checks:
            spec = check_spec(check)
            channels: list[str | None] = (
                list(suite.layout.short_names) if spec.per_channel else [None]
            )
            trajectories: list[int | None] = (
                [None] if spec.scope == "model" else list(suite.trajectories)
            )
            for entry in settings.models:
                for traj in trajectories:
                    for channel in channels:
                        name = test_id(check, entry.name, traj, channel)
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
                        items.append(self._mark(item, gpu))
        if settings.snapshot:
            for entry in settings.models:
                for traj in suite.trajectories:
                    name = f"snapshot[{entry.name}-traj{traj}]"
                    snapshot = SnapshotItem.from_parent(
                        self,
                        name=name,
                        nodeid=self.child_nodeid(name, entry.name),
                        model=entry.name,
                        trajectory=traj,
                        plugin=self.plugin,
                    )
                    items.append(self._mark(snapshot, gpu))
        from physcheck.plugin.regression import regression_items

        items += regression_items(self, self.plugin, lambda item: self._mark(item, gpu))
        return items


__all__ = ["CheckItem", "PhysicsCheckFailed", "SnapshotItem", "SnapshotMismatch", "SuiteCollector"]
