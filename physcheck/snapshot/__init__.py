"""Snapshots that guard diagnostic numbers.

- ``compare``: numeric comparison of JSON documents (tolerances, NaN rules, ``_meta`` skipped);
- ``files``: the suite's snapshot files (one per model and trajectory);
- ``extension``: the syrupy extension behind the ``physcheck_snapshot`` fixture.
"""

from physcheck.snapshot.compare import META_KEY, Difference, Tolerance, compare, dumps, to_payload
from physcheck.snapshot.files import check_file_snapshot

__all__ = [
    "META_KEY",
    "Difference",
    "Tolerance",
    "check_file_snapshot",
    "compare",
    "dumps",
    "to_payload",
]
