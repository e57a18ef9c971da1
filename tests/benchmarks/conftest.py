"""Everything under tests/benchmarks is a benchmark: excluded from the default run.

Run them with ``python -m pytest -m benchmark --benchmark-enable tests/benchmarks``.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "benchmarks" in item.path.parts:
            item.add_marker(pytest.mark.benchmark)


def synchronize(device: str) -> None:
    """Wait for queued GPU work so that it counts inside the timed region."""
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()
