"""The approximate tier's default, against small conv surrogates trained with and without
symmetry augmentation (``tests/calibrate_equivariance.py``; about two minutes of CPU)."""

from __future__ import annotations

import pytest
import torch

from physcheck.config.thresholds import Thresholds


@pytest.mark.slow
def test_the_default_passes_an_augmented_model_and_fails_an_unaugmented_one() -> None:
    from tests.calibrate_equivariance import calibrate

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        numbers = calibrate()
    finally:
        torch.set_num_threads(threads)
    bound = Thresholds().equivariance_approximate
    augmented = [w["ratio"] for w in numbers["augmented"]["windows"]]
    plain = [w["ratio"] for w in numbers["plain"]["windows"]]
    assert max(augmented) <= bound < min(plain), numbers
