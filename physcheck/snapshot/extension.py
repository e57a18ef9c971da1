"""A syrupy extension that writes physcheck's numeric JSON and compares values with
tolerances (``physcheck_snapshot`` fixture; see ``physcheck.snapshot.compare``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from physcheck.snapshot.compare import Tolerance, compare, dumps


class PhyscheckSnapshotExtension(SingleFileSnapshotExtension):
    """syrupy extension: one JSON file per test, numeric comparison within ``tolerance``."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"
    tolerance: Tolerance = Tolerance()
    update_command: str = "pytest <this test> --snapshot-update"

    def serialize(
        self, data: Any, *, exclude: Any = None, include: Any = None, matcher: Any = None
    ) -> str:
        return dumps(data)

    def matches(self, *, serialized_data: Any, snapshot_data: Any) -> bool:
        try:
            return not compare(
                json.loads(snapshot_data), json.loads(serialized_data), self.tolerance
            )
        except (TypeError, ValueError):
            return False

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        if not snapshot_data:
            yield f"no snapshot yet: create it with `{self.update_command}`"
            return
        try:
            differences = compare(
                json.loads(snapshot_data), json.loads(serialized_data), self.tolerance
            )
        except (TypeError, ValueError):
            yield from super().diff_lines(serialized_data, snapshot_data)
            return
        yield f"{len(differences)} value(s) differ from the snapshot beyond tolerance:"
        for difference in differences:
            yield "  " + difference.line()
        yield f"accept the new numbers on purpose with `{self.update_command}`"


def extension_for(
    tolerance: Tolerance, update_command: str | None = None
) -> type[PhyscheckSnapshotExtension]:
    """A ``PhyscheckSnapshotExtension`` subclass bound to a tolerance (syrupy instantiates classes)."""
    attrs: dict[str, Any] = {"tolerance": tolerance}
    if update_command:
        attrs["update_command"] = update_command
    return type("PhyscheckSnapshotExtension", (PhyscheckSnapshotExtension,), attrs)


__all__ = ["PhyscheckSnapshotExtension", "extension_for"]
