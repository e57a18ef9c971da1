"""Every diagnostic keeps dtype and device, accepts numpy and batches over leading dims."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

import physcheck.diagnostics as d
from physcheck.strategies import mhd_state

STATE_FUNCTIONS: dict[str, Callable[[torch.Tensor], object]] = {
    "vrmse": lambda s: d.vrmse(s * 1.1, s),
    "divergence": lambda s: d.divergence(s[..., 1:4]),
    "divb_ratio_central": lambda s: d.divb_ratio(s[..., 1:4], method="central"),
    "spectrum": lambda s: d.perpendicular_spectrum(s[..., 2:4])[1],
    "energies": lambda s: d.energies(s).ratio,
    "variance": d.channel_variance,
    "amplification": lambda s: d.amplification(s * 2, s),
    "projection": d.project_state,
}


@pytest.mark.parametrize("name", sorted(STATE_FUNCTIONS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtype_is_kept(name: str, dtype: torch.dtype) -> None:
    out = STATE_FUNCTIONS[name](mhd_state(8, seed=1).to(dtype))
    assert isinstance(out, torch.Tensor) and out.dtype == dtype


@pytest.mark.parametrize("name", sorted(STATE_FUNCTIONS))
def test_numpy_input_is_accepted(name: str) -> None:
    state = mhd_state(8, seed=2)
    from_numpy = STATE_FUNCTIONS[name](state.numpy())
    torch.testing.assert_close(from_numpy, STATE_FUNCTIONS[name](state))
    assert not isinstance(from_numpy, np.ndarray)


@pytest.mark.parametrize("name", sorted(STATE_FUNCTIONS))
def test_batched_equals_one_by_one(name: str) -> None:
    states = torch.stack([mhd_state(8, seed=s) for s in range(3)])
    batched = STATE_FUNCTIONS[name](states.reshape(3, 1, 8, 8, 8, 7))
    single = torch.stack([STATE_FUNCTIONS[name](s) for s in states])
    torch.testing.assert_close(batched.reshape(single.shape), single)


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(STATE_FUNCTIONS))
def test_cuda_results_stay_on_cuda_and_match_cpu(name: str) -> None:
    state = mhd_state(8, seed=3)
    on_gpu = STATE_FUNCTIONS[name](state.cuda())
    assert isinstance(on_gpu, torch.Tensor) and on_gpu.is_cuda
    torch.testing.assert_close(on_gpu.cpu(), STATE_FUNCTIONS[name](state))
