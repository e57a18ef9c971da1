"""Settings for physcheck's own test suite (inherited by the pytester sessions it starts)."""

from __future__ import annotations

import os

# every results JSON written during the tests is validated against the shipped JSON Schema
os.environ.setdefault("PHYSCHECK_VALIDATE_RESULTS", "1")
