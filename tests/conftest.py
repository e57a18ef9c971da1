"""Settings for physcheck's own test suite, applied while its tests run (and inherited by the
pytester sessions they start), never at import: a ``physcheck run`` or a user's session in this
checkout loads this file too, and must keep its own data set and outputs."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def physcheck_test_environment() -> Iterator[None]:
    """The unit tests run on the shipped 16^3 smoke set (``PHYSCHECK_DATASET=default`` picks the
    32^3 set for the benchmarks), and every results JSON they write is validated against the
    shipped JSON Schema."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PHYSCHECK_VALIDATE_RESULTS", "1")
    if not os.environ.get("PHYSCHECK_DATASET", "").strip():
        patch.setenv("PHYSCHECK_DATASET", "smoke")
    yield
    patch.undo()

