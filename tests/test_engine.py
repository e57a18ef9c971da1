"""The rollout engine: equals a hand loop, batching, seeding, noise, hooks, non-finite policy."""

from __future__ import annotations

import pytest
import torch

from physcheck.diagnostics import divb_ratio, project_state, vrmse
from physcheck.engine import RolloutError, relative_noise, rollout
from physcheck.strategies import mhd_state
from tests.zoo.basic import LinearMix, NaNAt, Stochastic


@pytest.fixture(scope="module")
def history() -> torch.Tensor:
    """``[3, 2, 8, 8, 8, 7]``: three trajectories, two frames each."""
    return torch.stack(
        [torch.stack([mhd_state(8, seed=10 * b + t) for t in range(2)]) for b in range(3)]
    ).float()


def test_rollout_equals_a_hand_written_loop(history: torch.Tensor) -> None:
    model = LinearMix()
    result = rollout(model, history, 5)
    window, frames = history.clone(), []
    with torch.no_grad():
        for _ in range(5):
            nxt = model.step(window)
            frames.append(nxt)
            window = torch.cat([window[:, 1:], nxt[:, None]], dim=1)
    torch.testing.assert_close(result.frames, torch.stack(frames, dim=1), rtol=0, atol=0)
    assert result.frames.shape == (3, 5, 8, 8, 8, 7)
    assert result.first_nonfinite_step.tolist() == [6, 6, 6] and result.finite.all()


def test_batched_equals_one_by_one(history: torch.Tensor) -> None:
    model = LinearMix()
    together = rollout(model, history, 4).frames
    alone = torch.cat([rollout(model, history[i : i + 1], 4).frames for i in range(3)])
    torch.testing.assert_close(together, alone)
    chunked = rollout(model, history, 4, batch_size=2).frames
    torch.testing.assert_close(together, chunked)


def test_same_seed_is_bit_identical_and_seeds_torch_and_numpy(history: torch.Tensor) -> None:
    a = rollout(Stochastic(), history, 3, seed=7).frames
    b = rollout(Stochastic(), history, 3, seed=7).frames
    c = rollout(Stochastic(), history, 3, seed=8).frames
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_perturbed_rollouts_are_reproducible_and_at_the_noise_scale(history: torch.Tensor) -> None:
    model = LinearMix()
    base = rollout(model, history, 3).frames
    p1 = rollout(model, history, 3, noise=1e-6, noise_seed=1).frames
    p1_again = rollout(model, history, 3, noise=1e-6, noise_seed=1).frames
    p2 = rollout(model, history, 3, noise=1e-6, noise_seed=2).frames
    assert torch.equal(p1, p1_again) and not torch.equal(p1, p2)
    spread = vrmse(p1.double(), base.double()).max().item()
    assert 0 < spread < 1e-4


def test_relative_noise_scales_with_each_channels_rms() -> None:
    h = torch.ones(2, 1, 8, 8, 8, 3, dtype=torch.float64) * torch.tensor(
        [1.0, 100.0, 0.0], dtype=torch.float64
    )
    n = relative_noise(h, 1e-6, seed=0)
    assert n[..., 0].std().item() == pytest.approx(1e-6, rel=0.1)
    assert n[..., 1].std().item() == pytest.approx(1e-4, rel=0.1)
    assert n[..., 2].abs().max().item() == 0
    torch.testing.assert_close(
        n.float(), relative_noise(h.float(), 1e-6, seed=0)
    )  # device/dtype independent draws


def test_a_trajectorys_perturbation_does_not_depend_on_its_batch() -> None:
    """Trajectory 5 gets the same noise alone, beside others, and in another row position."""
    h = torch.randn(3, 1, 4, 4, 4, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    together = relative_noise(h, 1e-6, seed=3, rows=[2, 5, 7])
    alone = relative_noise(h[1:2], 1e-6, seed=3, rows=[5])
    moved = relative_noise(h[[1, 0]], 1e-6, seed=3, rows=[5, 2])
    torch.testing.assert_close(together[1:2], alone, rtol=0, atol=0)
    torch.testing.assert_close(moved[0], together[1], rtol=0, atol=0)
    assert not torch.equal(relative_noise(h, 1e-6, seed=4, rows=[2, 5, 7]), together)


def test_hooks_are_applied_each_step(history: torch.Tensor) -> None:
    noisy = history.clone()
    noisy[..., 1:4] += 0.05 * torch.randn(
        noisy[..., 1:4].shape, generator=torch.Generator().manual_seed(0)
    )
    plain = rollout(LinearMix(), noisy, 3)
    projected = rollout(LinearMix(), noisy, 3, hooks=[project_state])
    assert (divb_ratio(plain.frames[..., 1:4], method="spectral") > 1e-3).all()
    assert (divb_ratio(projected.frames[..., 1:4], method="spectral") < 1e-5).all()


def test_streaming_sees_every_step_without_keeping_frames(history: torch.Tensor) -> None:
    seen: list[tuple[int, tuple[int, ...]]] = []
    result = rollout(
        LinearMix(),
        history,
        4,
        keep_frames=False,
        on_step=lambda k, f: seen.append((k, tuple(f.shape))),
    )
    assert result.frames is None
    assert seen == [(k, (3, 8, 8, 8, 7)) for k in range(1, 5)]


def test_dtype_is_kept_and_model_precision_restored(history: torch.Tensor) -> None:
    model = LinearMix()
    weight = model.conv.weight.detach().clone()
    out = rollout(model, history, 2, dtype=torch.float64)
    assert out.frames.dtype == torch.float64
    assert model.conv.weight.dtype == torch.float32 and torch.equal(model.conv.weight, weight)
    assert rollout(model, history.double(), 2).frames.dtype == torch.float64


def test_nonfinite_frames_are_recorded_with_their_step(history: torch.Tensor) -> None:
    result = rollout(NaNAt(step=3, trajectory=1), history, 6)
    assert result.first_nonfinite_step.tolist() == [7, 3, 7]
    assert torch.isnan(result.frames[1, 2:]).all() and torch.isfinite(result.frames[0]).all()


def test_stop_policy_ends_once_every_trajectory_is_bad(history: torch.Tensor) -> None:
    class AllNaN(NaNAt):
        def step(self, h: torch.Tensor) -> torch.Tensor:
            out = super().step(h)
            return out * float("nan") if self.calls >= self.at else out

    model = AllNaN(step=2)
    result = rollout(model, history, 10, nonfinite="stop")
    assert model.calls == 2 and result.stopped_at == 2
    assert result.first_nonfinite_step.tolist() == [2, 2, 2]
    assert result.frames.shape[1] == 10 and torch.isnan(result.frames[:, 1:]).all()


def test_raise_policy(history: torch.Tensor) -> None:
    with pytest.raises(RolloutError, match=r"step 2: non-finite values in trajectories \[0\]"):
        rollout(NaNAt(step=2), history, 5, nonfinite="raise")


def test_bad_shapes_get_clear_errors(history: torch.Tensor) -> None:
    class WrongShape:
        n_history = 1

        def step(self, h: torch.Tensor) -> torch.Tensor:
            return h[:, -1, ..., :3]

    with pytest.raises(RolloutError, match=r"the model returned shape \(3, 8, 8, 8, 3\); expected"):
        rollout(WrongShape(), history, 2)
    with pytest.raises(RolloutError, match=r"\[B, T, \*S, C\] with 1 to 3 spatial axes"):
        rollout(LinearMix(), history[0, 0, 0], 2)  # [Y, Z, C]: no batch, time or x axis
    with pytest.raises(RolloutError, match="needs 2 history frames; the history has 1"):
        rollout(LinearMix(), history[:, :1], 2)
    from physcheck.models import ModelProtocolError

    with pytest.raises(ModelProtocolError, match="n_history"):
        rollout(object(), history, 2)


@pytest.mark.gpu
def test_cuda_rollout_matches_cpu(history: torch.Tensor) -> None:
    model = LinearMix()
    cpu = rollout(model, history, 3).frames
    gpu = rollout(model, history, 3, device="cuda")
    assert gpu.frames.is_cuda
    torch.testing.assert_close(gpu.frames.cpu(), cpu, rtol=1e-4, atol=1e-5)


def test_tf32_is_off_during_a_rollout_and_restored_after(history: torch.Tensor) -> None:
    """float32 rollouts are IEEE float32 on CUDA too (cuDNN would otherwise use TF32)."""
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    seen: list[tuple[bool, bool]] = []

    class Probe:
        n_history = 1

        def step(self, h: torch.Tensor) -> torch.Tensor:
            seen.append((matmul.allow_tf32, cudnn.allow_tf32))
            return h[:, -1]

    before = (matmul.allow_tf32, cudnn.allow_tf32)
    rollout(Probe(), history, 2)
    assert seen == [(False, False), (False, False)]
    assert (matmul.allow_tf32, cudnn.allow_tf32) == before
    rollout(Probe(), history, 1, allow_tf32=True)
    assert seen[-1] == (True, True)
    assert (matmul.allow_tf32, cudnn.allow_tf32) == before


def test_a_model_that_does_not_say_its_device_is_placed_on_the_rollouts(
    history: torch.Tensor,
) -> None:
    calls: list[tuple[object, object]] = []

    class Plain:
        n_history = 1

        def to(self, device=None, dtype=None):
            calls.append((device, dtype))
            return self

        def step(self, h: torch.Tensor) -> torch.Tensor:
            return h[:, -1]

    rollout(Plain(), history, 1, device="cpu")
    assert calls and calls[0] == (torch.device("cpu"), history.dtype)


class Decay:
    """``[B, T, *S, C] -> [B, *S, C]``: the last frame times 0.9 (any number of spatial axes)."""

    n_history = 2

    def step(self, h: torch.Tensor) -> torch.Tensor:
        return 0.9 * h[:, -1]


@pytest.mark.parametrize("spatial", [(7,), (6, 5), (4, 3, 2)])
def test_any_number_of_spatial_axes(spatial: tuple[int, ...]) -> None:
    """A 1D, 2D or 3D history ``[B, T, *S, C]`` rolls out to ``[B, K, *S, C]``; the relative
    noise is scaled by each frame's rms over its spatial axes."""
    history = torch.rand(2, 3, *spatial, 2, dtype=torch.float64) + 1.0
    out = rollout(Decay(), history, 4)
    assert out.frames is not None and tuple(out.frames.shape) == (2, 4, *spatial, 2)
    torch.testing.assert_close(out.frames[:, -1], 0.9**4 * history[:, -1])
    noise = relative_noise(history, 1e-3, seed=0)
    z = noise / (1e-3 * history.square().mean(dim=tuple(range(2, history.ndim - 1)), keepdim=True).sqrt())
    assert abs(float(z.std()) - 1) < 0.2
    bad = torch.zeros(2, *spatial, 3, dtype=torch.float64)

    class WrongChannels(Decay):
        def step(self, h: torch.Tensor) -> torch.Tensor:
            return bad

    with pytest.raises(RolloutError, match=r"expected \[B, \*S, C\]"):
        rollout(WrongChannels(), history, 1)
