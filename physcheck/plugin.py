"""pytest plugin entry point (registered under ``pytest11``).

Loading this module must stay cheap: no torch import here. Heavy work happens
lazily inside hooks and fixtures.
"""

from __future__ import annotations

import pytest

MARKERS = {
    "gpu": "needs a CUDA device; skipped with the reason where none is available (select with -m gpu)",
    "physics": "a physics check of a surrogate's rollout (collected by physcheck)",
    "walrus": "needs Polymathic's walrus package; skipped with the reason where it is not importable",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


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
