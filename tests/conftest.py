"""Settings for physcheck's own test suite (inherited by the pytester sessions it starts)."""

from __future__ import annotations

import os

# every results JSON written during the tests is validated against the shipped JSON Schema
os.environ.setdefault("PHYSCHECK_VALIDATE_RESULTS", "1")
# the unit tests run on the shipped 16^3 smoke set; `physcheck run` and users' sessions get the
# 32^3 default set (built on first use)
os.environ.setdefault("PHYSCHECK_DATASET", "smoke")
