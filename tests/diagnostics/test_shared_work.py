"""The single-purpose diagnostics share their intermediates through a memo: it must never give
stale numbers, and the numbers must not depend on it (nor on the order of the calls)."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import torch

import physcheck.diagnostics as d
from physcheck.diagnostics import _memo
from physcheck.fields import MHD_FIELDS, FieldLayout
from physcheck.strategies import mhd_state


@pytest.fixture(autouse=True)
def empty_memo() -> Iterator[None]:
    d.clear_cache()
    yield
    d.clear_cache()


def frame_numbers(frame: torch.Tensor, truth: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every public number of the shared path for one frame, in a user's order of calls."""
    b = frame[..., 1:4]
    e = d.energies(frame)
    return {
        "vrmse": d.vrmse(frame, truth),
        "vrmse_ddof0": d.vrmse(frame, truth, convention="ddof0"),
        "divb_central": d.divb_ratio(b, method="central"),
        "divb_spectral": d.divb_ratio(b, method="spectral"),
        "spectrum": d.perpendicular_spectrum(frame[..., 2:4])[1],
        "spectrum_by": d.perpendicular_spectrum(frame[..., 2:3])[1],
        "magnetic": e.magnetic,
        "kinetic": e.kinetic,
        "mean_abs_b": e.mean_abs_b,
        "mass": e.mass,
        "variance": d.channel_variance(frame),
        "truth_variance": d.channel_variance(truth),
        "amplification": d.amplification(frame, truth),
    }


def cold(frame: torch.Tensor, truth: torch.Tensor) -> dict[str, torch.Tensor]:
    d.clear_cache()
    out = frame_numbers(frame, truth)
    d.clear_cache()
    return out


def assert_same(got: dict[str, torch.Tensor], want: dict[str, torch.Tensor]) -> None:
    """Bit for bit: a memoized intermediate is the one a cold call computes."""
    for name, value in want.items():
        torch.testing.assert_close(got[name], value, rtol=0, atol=0, msg=name)


def assert_differ(got: dict[str, torch.Tensor], old: dict[str, torch.Tensor], names) -> None:
    for name in names:
        assert not torch.equal(got[name], old[name]), f"{name} kept its old value"


def states(dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    truth = mhd_state(16, seed=0).to(dtype)
    pred = (truth * 1.05 + 0.02 * mhd_state(16, seed=1).to(dtype)).contiguous()
    return pred, truth


def test_the_memo_is_used() -> None:
    """The tests below exercise the memo (a torch-owned frame is memoized; the calls hit it)."""
    pred, truth = states()
    assert _memo.memoizable(pred) and _memo.memoizable(pred[..., 1:4])
    frame_numbers(pred, truth)
    kinds = {key[0] for key in _memo._entries}
    assert {"moments", "magnetic_norms", "rfftn"} <= kinds
    held = len(_memo._entries)
    frame_numbers(pred, truth)
    assert len(_memo._entries) == held  # all hits: nothing new computed


def test_warm_equals_cold_bit_for_bit() -> None:
    pred, truth = states()
    want = cold(pred, truth)
    first = frame_numbers(pred, truth)
    again = frame_numbers(pred, truth)  # every intermediate from the memo
    assert_same(first, want)
    assert_same(again, want)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_order_of_the_calls_does_not_change_the_numbers(dtype: torch.dtype) -> None:
    pred, truth = states(dtype)
    want = cold(pred, truth)
    orders: list[Callable[[], object]] = [
        lambda: d.perpendicular_spectrum(pred[..., 3:4]),
        lambda: d.divb_ratio(pred[..., 1:4], method="spectral"),
        lambda: d.energies(pred),
        lambda: d.channel_variance(truth),
    ]
    for first in orders:
        d.clear_cache()
        first()
        assert_same(frame_numbers(pred, truth), want)


def test_an_in_place_edit_is_seen() -> None:
    pred, truth = states()
    before = frame_numbers(pred, truth)
    pred.mul_(torch.linspace(0.5, 1.5, 16, dtype=pred.dtype)[:, None, None, None])
    after = frame_numbers(pred, truth)
    assert_same(after, cold(pred, truth))
    assert_differ(after, before, set(before) - {"truth_variance"})


def test_an_in_place_edit_through_another_view_is_seen() -> None:
    pred, truth = states()
    before = frame_numbers(pred, truth)
    b = pred[..., 1:4]
    b[..., 1] += 0.3 * torch.sin(torch.arange(16, dtype=pred.dtype))[:, None, None]  # B_y(x)
    after = frame_numbers(pred, truth)
    assert_same(after, cold(pred, truth))
    assert_differ(after, before, ["divb_central", "divb_spectral", "spectrum", "magnetic"])
    torch.testing.assert_close(after["kinetic"], before["kinetic"], rtol=0, atol=0)


def test_an_in_place_edit_of_the_truth_is_seen() -> None:
    pred, truth = states()
    before = frame_numbers(pred, truth)
    truth[..., 0] *= 2.0  # density: its variance, and every VRMSE's density entry
    after = frame_numbers(pred, truth)
    assert_same(after, cold(pred, truth))
    assert not torch.equal(after["truth_variance"][0], before["truth_variance"][0])
    assert not torch.equal(after["vrmse"][0], before["vrmse"][0])


def test_out_and_copy_edits_are_seen() -> None:
    pred, truth = states()
    other, _ = states()
    other = other * 0.5
    before = frame_numbers(pred, truth)
    torch.mul(pred, 2.0, out=pred)
    assert_same(frame_numbers(pred, truth), cold(pred, truth))
    pred.copy_(other)
    after = frame_numbers(pred, truth)
    assert_same(after, cold(other.clone(), truth))
    assert_differ(after, before, ["spectrum", "variance", "vrmse"])


def test_equal_shapes_give_their_own_numbers() -> None:
    frames = [mhd_state(16, seed=s) for s in (3, 4, 5)]
    truth = mhd_state(16, seed=6)
    want = [cold(f, truth) for f in frames]
    for _ in range(2):  # interleaved, warm
        for frame, expected in zip(frames, want, strict=True):
            assert_same(frame_numbers(frame, truth), expected)


def test_equal_views_of_different_frames_give_their_own_numbers() -> None:
    batch = torch.stack([mhd_state(8, seed=s) for s in (7, 8)])
    first, second = batch[0], batch[1]
    d.divb_ratio(first[..., 1:4])
    torch.testing.assert_close(
        d.divb_ratio(second[..., 1:4]), d.divb_ratio(second[..., 1:4].clone()), rtol=0, atol=0
    )
    assert not torch.equal(d.divb_ratio(first[..., 1:4]), d.divb_ratio(second[..., 1:4]))


def test_a_freed_tensor_reallocated_at_the_same_address_is_a_miss() -> None:
    """A new tensor whose storage reuses a freed one's address (with the same layout and version
    0 too) must not get the freed tensor's numbers: the memo checks the storage's identity."""
    sources = [mhd_state(8, seed=seed).float() for seed in range(6)]
    wants = [(d.channel_variance(s.clone()), d.divb_ratio(s[..., 1:4].clone())) for s in sources]
    reused, address = 0, None
    for source, (variance, divb) in zip(sources, wants, strict=True):
        frame = source.double().float()  # one fresh allocation of the same size, version 0
        assert frame._version == 0
        reused += frame.untyped_storage().data_ptr() == address
        torch.testing.assert_close(d.channel_variance(frame), variance, rtol=0, atol=0)
        torch.testing.assert_close(d.divb_ratio(frame[..., 1:4]), divb, rtol=0, atol=0)
        address = frame.untyped_storage().data_ptr()
        del frame
    if not reused:
        pytest.skip("the allocator never reused a freed address (the checks above still ran)")


def test_storage_identity_not_address_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same check, made deterministic: with every storage reporting one address (as freed
    and reallocated memory would), frames of one shape still get their own numbers."""
    real_key = _memo._storage_key

    def one_address(tensor: torch.Tensor):  # type: ignore[no-untyped-def]
        found = real_key(tensor)
        return None if found is None else ((0, *found[0][1:]), found[1])

    monkeypatch.setattr(_memo, "_storage_key", one_address)
    frames = [mhd_state(8, seed=s) for s in (1, 2, 3)]
    wants = [cold(f, frames[0]) for f in frames]
    for frame, want in zip(frames * 2, wants * 2, strict=True):
        assert_same(frame_numbers(frame, frames[0]), want)
    for frame, want in zip(frames, wants, strict=True):  # fresh frames, each freed after use
        fresh = frame.clone()
        assert_same(frame_numbers(fresh, frames[0]), want)
        del fresh


def test_freed_tensors_leave_the_memo() -> None:
    pred, truth = states()
    frame_numbers(pred, truth)
    assert len(_memo._entries) > 0
    del pred, truth
    gc.collect()
    d.channel_variance(mhd_state(8, seed=1))  # the next miss drops the dead entries
    live = {key[0] for key in _memo._entries}
    assert live <= {"moments"}


def test_the_memo_is_bounded() -> None:
    frames = [mhd_state(8, seed=s) for s in range(12)]
    for frame in frames:
        frame_numbers(frame, frames[0])
        assert len(_memo._entries) <= _memo.MAX_ENTRIES
        assert _memo._held[0] <= _memo.MAX_BYTES


def test_a_result_bigger_than_the_budget_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_memo, "MAX_BYTES", 1024)
    pred, truth = states()
    assert_same(frame_numbers(pred, truth), cold(pred, truth))
    assert _memo._held[0] <= 1024


def test_returned_tensors_are_not_the_memos() -> None:
    """A caller editing a result in place must not change the next call's numbers."""
    pred, truth = states()
    want = cold(pred, truth)
    got = frame_numbers(pred, truth)
    for value in got.values():
        value.mul_(-7.0)
    assert_same(frame_numbers(pred, truth), want)


def test_numpy_backed_tensors_are_not_memoized() -> None:
    """Memory torch does not own can change without torch seeing it: never memoized."""
    array = mhd_state(8, seed=2).numpy().copy()
    frame = torch.from_numpy(array)
    assert not _memo.memoizable(frame)
    first = d.channel_variance(frame)
    array[..., 0] *= 3.0  # through numpy: torch's version counter does not move
    torch.testing.assert_close(d.channel_variance(frame)[0], first[0] * 9.0)
    first_divb = d.divb_ratio(array[..., 1:4])  # numpy input
    array[..., 1:4] *= np.linspace(1.0, 2.0, 8)[:, None, None, None]
    assert not torch.equal(d.divb_ratio(array[..., 1:4]), first_divb)


def test_clear_cache_after_an_edit_torch_cannot_see() -> None:
    pred, truth = states()
    d.channel_variance(pred)
    pred.numpy()[..., 0] *= 2.0  # a write the version counter does not see (documented)
    d.clear_cache()
    torch.testing.assert_close(d.channel_variance(pred), pred.var(dim=(0, 1, 2), correction=0))


def test_inference_and_grad_tensors_are_computed_not_memoized() -> None:
    pred, truth = states()
    want = cold(pred, truth)
    with torch.inference_mode():
        frozen, frozen_truth = pred.clone(), truth.clone()
        assert not _memo.memoizable(frozen)
        assert_same(frame_numbers(frozen, frozen_truth), want)
        frozen.mul_(2.0)
        assert_same(frame_numbers(frozen, frozen_truth), cold(pred * 2.0, truth))
    leaf = pred.clone().requires_grad_(True)
    assert not _memo.memoizable(leaf)
    with torch.no_grad():
        assert_same(frame_numbers(leaf, truth), want)
        leaf.mul_(2.0)
        assert_same(frame_numbers(leaf, truth), cold(pred * 2.0, truth))


# -- the shared path against independent computations -----------------------------------------


def roll_central_divergence(b: torch.Tensor, spacing: tuple[float, float, float]) -> torch.Tensor:
    """The periodic central difference with ``torch.roll`` (the pre-memo implementation)."""
    return sum(
        (torch.roll(b[..., j], -1, dims=dim) - torch.roll(b[..., j], 1, dims=dim)) / (2 * dx)
        for j, (dim, dx) in enumerate(zip((-3, -2, -1), spacing, strict=True))
    )


def numpy_spectral_divergence(b: np.ndarray, spacing: tuple[float, float, float]) -> np.ndarray:
    """Spectral div B with numpy's full complex FFT (Nyquist zeroed), ``b [..., X, Y, Z, 3]``."""
    axes = (-4, -3, -2)
    b_hat = np.fft.fftn(b, axes=axes)
    div_hat = np.zeros(b.shape[:-1], dtype=complex)
    for j, (n, dx) in enumerate(zip(b.shape[-4:-1], spacing, strict=True)):
        k = 2 * np.pi * np.fft.fftfreq(n, d=dx)
        if n % 2 == 0:
            k[n // 2] = 0.0
        shape = [1, 1, 1]
        shape[j] = n
        div_hat += 1j * k.reshape(shape) * b_hat[..., j]
    return np.real(np.fft.ifftn(div_hat, axes=(-3, -2, -1)))


def ratio(div: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    rms = torch.sqrt((div**2).mean(dim=(-3, -2, -1)))
    return rms / torch.linalg.vector_norm(b, dim=-1).mean(dim=(-3, -2, -1))


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (0.5, 1.0, 2.0)])
@pytest.mark.parametrize("shape", [(16, 16, 16), (12, 8, 10), (9, 6, 5)])
def test_divb_ratio_equals_independent_computations(
    shape: tuple[int, int, int], spacing: tuple[float, float, float]
) -> None:
    torch.manual_seed(sum(shape))
    b = torch.randn(2, *shape, 3, dtype=torch.float64) + torch.tensor([1.0, 0.0, 0.0])
    central = ratio(roll_central_divergence(b, spacing), b)
    spectral_torch = ratio(d.divergence(b, method="spectral", spacing=spacing), b)
    spectral_numpy = ratio(torch.from_numpy(numpy_spectral_divergence(b.numpy(), spacing)), b)
    for _ in range(2):  # cold, then from the memo
        torch.testing.assert_close(
            d.divb_ratio(b, method="central", spacing=spacing), central, rtol=1e-12, atol=0
        )
        got = d.divb_ratio(b, method="spectral", spacing=spacing)
        torch.testing.assert_close(got, spectral_torch, rtol=1e-12, atol=0)
        torch.testing.assert_close(got, spectral_numpy, rtol=1e-12, atol=0)
    torch.testing.assert_close(
        d.divergence(b, method="central", spacing=spacing),
        roll_central_divergence(b, spacing),
        rtol=0,
        atol=1e-13,
    )


def test_divb_ratio_float32_equals_float64_to_round_off() -> None:
    frame = mhd_state(32, seed=9)
    for method in ("central", "spectral"):
        exact = d.divb_ratio(frame[..., 1:4], method=method)
        single = d.divb_ratio(frame.float()[..., 1:4], method=method)
        assert single.dtype == torch.float32
        # the spectral ratio of this solenoidal B is round-off itself: compare absolutely
        atol = 1e-6 if method == "spectral" else 0.0
        torch.testing.assert_close(single.double(), exact, rtol=2e-5, atol=atol)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_central_divergence_on_tiny_axes(n: int) -> None:
    b = torch.randn(n, 4, 5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(n))
    torch.testing.assert_close(
        d.divergence(b, method="central"), roll_central_divergence(b, (1.0, 1.0, 1.0))
    )


def masked_spectrum(field: np.ndarray, guide_axis: int, n_par_max: float) -> np.ndarray:
    """numpy: full complex FFT, one boolean mask per shell (the research-script way)."""
    shape = field.shape[-4:-1]
    n = [s * np.fft.fftfreq(s) for s in shape]
    grid = np.meshgrid(*n, indexing="ij")
    n_par = np.abs(grid[guide_axis])
    n_perp = np.sqrt(sum(g**2 for a, g in enumerate(grid) if a != guide_axis))
    n_shells = min(s for a, s in enumerate(shape) if a != guide_axis) // 2 + 1
    power = (np.abs(np.fft.fftn(field, axes=(-4, -3, -2))) ** 2).sum(-1) / math.prod(shape) ** 2
    out = np.zeros(field.shape[:-4] + (n_shells,))
    for m in range(n_shells):
        mask = (n_par <= n_par_max) & (n_perp >= m - 0.5) & (n_perp < m + 0.5)
        out[..., m] = power[..., mask].sum(-1)
    return out


@pytest.mark.parametrize("guide_axis", [0, 1, 2])
@pytest.mark.parametrize("n_par_max", [None, 0.0, 2.0, 100.0])
def test_perpendicular_spectrum_equals_a_masked_numpy_spectrum(
    guide_axis: int, n_par_max: float | None
) -> None:
    shape = (16, 12, 10)
    torch.manual_seed(guide_axis)
    field = torch.randn(2, *shape, 2, dtype=torch.float64)
    limit = shape[guide_axis] / 16 if n_par_max is None else n_par_max
    want = masked_spectrum(field.numpy(), guide_axis, limit)
    for _ in range(2):
        _, got = d.perpendicular_spectrum(field, guide_axis=guide_axis, n_par_max=n_par_max)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-16)


def test_vrmse_broadcasts_a_truth_over_a_rollout() -> None:
    truth = mhd_state(8, seed=1)
    rollout = torch.stack([truth * (1 + 0.1 * s) for s in range(3)])[None]  # [1, 3, X, Y, Z, C]
    got = d.vrmse(rollout, truth)
    assert got.shape == (1, 3, 7)
    want = torch.stack([d.vrmse(rollout[0, s], truth.clone()) for s in range(3)])[None]
    torch.testing.assert_close(got, want)
    mse = ((rollout - truth) ** 2).mean(dim=(-4, -3, -2))
    torch.testing.assert_close(got, torch.sqrt(mse / (truth.var(dim=(0, 1, 2)) + 1e-7)))


def test_vrmse_other_spatial_ranks_and_one_point() -> None:
    g = torch.Generator().manual_seed(3)
    truth = torch.randn(4, 5, 6, 2, dtype=torch.float64, generator=g)
    pred = truth + 0.1
    two_d = d.vrmse(pred, truth, spatial_dims=2)  # [4, 2]: the generic path
    want = torch.sqrt(0.01 / (truth.var(dim=(1, 2)) + 1e-7))
    torch.testing.assert_close(two_d, want)
    one = torch.ones(1, 1, 1, 2, dtype=torch.float64)
    assert torch.isnan(d.vrmse(one + 1, one)).all()  # ddof 1 of a single point: no variance


def test_half_precision_takes_the_generic_path() -> None:
    state = mhd_state(8, seed=4)
    half = state.to(torch.bfloat16)
    e = d.energies(half)
    assert e.ratio.dtype == torch.bfloat16
    torch.testing.assert_close(e.ratio.double(), d.energies(half.double()).ratio, rtol=2e-2, atol=0)
    variance = d.channel_variance(half)
    assert variance.dtype == torch.bfloat16
    torch.testing.assert_close(
        variance.double(), d.channel_variance(half.double()), rtol=2e-2, atol=1e-6
    )


def test_energies_of_non_consecutive_channels() -> None:
    order = [4, 1, 0, 5, 2, 6, 3]
    layout = FieldLayout(tuple(MHD_FIELDS[i] for i in order))
    state = mhd_state(8, seed=5)
    permuted = state[..., order].contiguous()
    want = d.energies(state)
    for _ in range(2):
        got = d.energies(permuted, layout=layout)
        for name in ("magnetic", "kinetic", "mean_abs_b", "mass"):
            torch.testing.assert_close(getattr(got, name), getattr(want, name), msg=name)


def odd_views(frame: torch.Tensor) -> dict[str, torch.Tensor]:
    wide = torch.cat([frame, frame.flip(-1), frame], dim=-1)  # 21 channels: too wide a base
    return {
        "stepped channels": torch.cat([frame, frame], dim=-1)[..., ::2],
        "spatial slice": frame[1:, :, 2:],
        "permuted axes": frame.permute(1, 0, 2, 3),
        "channels first storage": frame.permute(3, 0, 1, 2).contiguous().permute(1, 2, 3, 0),
        "expanded batch": frame[None].expand(2, *frame.shape),
        "wide base": wide[..., 7:14].flip(-1),
        "slice of a wide base": wide[..., 14:21],
    }


@pytest.mark.parametrize("name", sorted(odd_views(mhd_state(8))))
def test_any_view_gives_the_numbers_of_its_contiguous_copy(name: str) -> None:
    frame = mhd_state(8, seed=2)
    view = odd_views(frame)[name]
    truth = mhd_state(8, seed=3)[: view.shape[-4], : view.shape[-3], : view.shape[-2]]
    want = cold(view.contiguous(), truth)
    for _ in range(2):
        got = frame_numbers(view, truth)
        for key, value in want.items():
            torch.testing.assert_close(got[key], value, rtol=1e-12, atol=1e-15, msg=key)


GRADIENTS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "vrmse of pred": lambda x, t: d.vrmse(x, t).sum(),
    "vrmse against truth": lambda x, t: d.vrmse(t, x).sum(),
    "divb_ratio central": lambda x, t: d.divb_ratio(x[..., 1:4]),
    "divb_ratio spectral": lambda x, t: d.divb_ratio(x[..., 1:4], method="spectral"),
    "divergence central": lambda x, t: d.divergence(x[..., 1:4], method="central").square().sum(),
    "energies": lambda x, t: d.energies(x).ratio,
    "channel_variance": lambda x, t: d.channel_variance(x).sum(),
    "perpendicular_spectrum": lambda x, t: d.perpendicular_spectrum(x[..., 2:4])[1].sum(),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_still_flow(name: str) -> None:
    """Tensors that require grad skip the memo and stay differentiable, as before."""
    state, truth = mhd_state(8, seed=1), mhd_state(8, seed=2)
    x = state.clone().requires_grad_(True)
    GRADIENTS[name](x, truth).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


@pytest.mark.parametrize("method", ["central", "spectral"])
def test_divb_ratio_gradient_is_right(method: str) -> None:
    b = torch.randn(4, 3, 5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    b = b.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda x: d.divb_ratio(x, method=method, spacing=(1.0, 0.5, 2.0)), (b,)
    )
