"""The Walrus adapter on a stand-in with Walrus's forward signature; and the real code where installed."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
import torch

from physcheck.engine import rollout
from physcheck.fields import MHD_FIELDS
from physcheck.models.walrus import (
    RELEASED_FIELD_INDICES,
    WalrusGridError,
    WalrusSurrogate,
    WalrusUnavailable,
    check_grid,
    import_walrus,
    walrus_missing_reason,
)
from physcheck.strategies import mhd_state
from tests.models.walrus_standin import IsotropicModelStandIn


@pytest.fixture
def history() -> torch.Tensor:
    return torch.stack(
        [torch.stack([mhd_state(16, seed=b * 7 + t) for t in range(3)]) for b in range(2)]
    )


def test_one_step_follows_walrus_normalisation_exactly(history: torch.Tensor) -> None:
    standin = IsotropicModelStandIn()
    adapter = WalrusSurrogate(standin, n_history=3)
    out = adapter.step(history)
    # by hand, in Walrus's layout
    x = history.permute(1, 0, 5, 2, 3, 4)
    rms = torch.sqrt((x**2).mean(dim=(0, 3, 4, 5), keepdim=True)).clamp_min(1e-5)
    rms_delta = torch.sqrt(((x[1:] - x[:-1]) ** 2).mean(dim=(0, 3, 4, 5), keepdim=True)).clamp_min(
        1e-5
    )
    xn = x / rms
    offset = standin.embedding[
        torch.tensor([RELEASED_FIELD_INDICES[n] for n in MHD_FIELDS])
    ].double()
    normalised_change = 0.5 * (xn[-1] - xn[-2]) + offset[None, :, None, None, None]
    expected = (x[-1] + rms_delta[0] * normalised_change).permute(0, 2, 3, 4, 1)
    torch.testing.assert_close(out, expected)
    assert out.shape == (2, 16, 16, 16, 7) and out.dtype == torch.float64


def test_walrus_receives_its_layout_field_indices_bcs_and_metadata(history: torch.Tensor) -> None:
    standin = IsotropicModelStandIn()
    WalrusSurrogate(standin, n_history=3).step(history.float())
    call = standin.calls[0]
    assert call["x"].shape == (3, 2, 7, 16, 16, 16)
    assert call["state_labels"].tolist() == [28, 39, 40, 41, 4, 5, 6]
    assert call["bcs"] == [[[2, 2], [2, 2], [2, 2]]] * 2  # PERIODIC on every axis, per sample
    meta = call["metadata"]
    assert (
        meta.dataset_name == "MHD_64"
        and meta.n_spatial_dims == 3
        and meta.spatial_resolution == (16, 16, 16)
    )
    assert meta.field_names[0] == ["density"] and meta.field_names[1][0] == "magnetic_field_x"
    # each sample and channel is normalised to unit RMS over time and space
    rms = call["x"].double().square().mean(dim=(0, 3, 4, 5)).sqrt()
    torch.testing.assert_close(rms, torch.ones_like(rms), rtol=1e-5, atol=1e-5)


def test_seeded_rollout_with_jitter_is_reproducible(history: torch.Tensor) -> None:
    adapter = WalrusSurrogate(IsotropicModelStandIn(jitter=True), n_history=3)
    a = rollout(adapter, history.float(), 3, seed=1).frames
    b = rollout(adapter, history.float(), 3, seed=1).frames
    c = rollout(adapter, history.float(), 3, seed=2).frames
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_float64_twin_runs_in_float64(history: torch.Tensor) -> None:
    adapter = WalrusSurrogate(IsotropicModelStandIn(), n_history=3)
    out = rollout(adapter, history.float(), 2, dtype=torch.float64)
    assert out.frames.dtype == torch.float64
    assert adapter.model.embedding.dtype == torch.float32  # restored


@pytest.mark.parametrize("shape", [(32, 32, 32), (16, 16, 32), (48, 48, 48)])
def test_grids_walrus_cannot_take_are_rejected_up_front(shape: tuple[int, int, int]) -> None:
    with pytest.raises(WalrusGridError, match=r"accepts only 16\^3 and 64\^3"):
        check_grid(shape)
    adapter = WalrusSurrogate(IsotropicModelStandIn(), n_history=1)
    with pytest.raises(WalrusGridError):
        adapter.step(torch.zeros(1, 1, *shape, 7))


def test_accepted_grids() -> None:
    assert check_grid((16, 16, 16)) is None  # raises WalrusGridError otherwise
    assert check_grid((64, 64, 64)) is None


def test_wrong_channel_count_is_clear(history: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="has 6 channels; this Walrus adapter expects 7"):
        WalrusSurrogate(IsotropicModelStandIn(), n_history=3).step(history[..., :6])


def test_missing_walrus_gets_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "walrus", None)  # import walrus -> ImportError
    with pytest.raises(WalrusUnavailable, match="not importable.*git repository"):
        import_walrus()


def test_the_pypi_redis_walrus_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    redis_walrus = types.ModuleType("walrus")
    redis_walrus.Database = object  # type: ignore[attr-defined]
    redis_walrus.__file__ = "site-packages/walrus/__init__.py"
    monkeypatch.setitem(sys.modules, "walrus", redis_walrus)
    with pytest.raises(WalrusUnavailable, match="Redis library from PyPI"):
        import_walrus()
    assert "Redis" in (walrus_missing_reason() or "")


def debug_model_config():  # type: ignore[no-untyped-def]
    """Walrus's tiny ``model/debug`` config, or a skip with the reason where walrus is missing."""
    reason = walrus_missing_reason()
    if reason:
        pytest.skip(f"walrus test: {reason}")
    import walrus
    from hydra import compose, initialize_config_dir

    config_dir = str(Path(walrus.__file__).parent / "configs")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return compose(config_name="model/debug").model


@pytest.mark.walrus
def test_real_walrus_tiny_config_steps_on_16_cubed(tmp_path, history: torch.Tensor) -> None:
    """Runs Polymathic's walrus (tiny config, random weights) where it is importable."""
    from physcheck.models.walrus import build_walrus_model

    model_cfg = debug_model_config()
    adapter = WalrusSurrogate(build_walrus_model(model_cfg), n_history=3)
    result = rollout(adapter, history.float(), 2, seed=0)
    assert result.frames.shape == (2, 2, 16, 16, 16, 7)
    assert result.finite.all()
    again = rollout(adapter, history.float(), 2, seed=0)
    assert torch.equal(result.frames, again.frames)


@pytest.mark.walrus
def test_real_walrus_mhd_only_checkpoint_with_its_own_map(tmp_path, history: torch.Tensor) -> None:
    """A 10-state, MHD-only Walrus checkpoint (bc_only_override, no prefetching) loads with its
    state count and rows 3-9, and steps exactly as the model called with those rows."""
    model_cfg = debug_model_config()
    from omegaconf import OmegaConf

    from physcheck.models.walrus import build_walrus_model, load_walrus

    override = {"closed_boundary": 0, "open_boundary": 1, "bias_correction": 2}
    OmegaConf.save(
        OmegaConf.create({"model": model_cfg, "data": {"field_index_map_override": override}}),
        tmp_path / "extended_config.yaml",
    )
    trained = build_walrus_model(model_cfg, n_states=10)
    torch.save({"app": {"model": trained.state_dict()}}, tmp_path / "mhd_only.pt")
    loaded = load_walrus(tmp_path / "extended_config.yaml", tmp_path / "mhd_only.pt", n_history=3)
    assert loaded.field_indices.tolist() == [3, 4, 5, 6, 7, 8, 9]
    direct = WalrusSurrogate(
        trained.eval(), n_history=3, field_indices={n: 3 + i for i, n in enumerate(MHD_FIELDS)}
    )
    a = rollout(loaded, history.float(), 1, seed=0).frames
    b = rollout(direct, history.float(), 1, seed=0).frames
    assert torch.equal(a, b)


@pytest.mark.walrus
def test_real_walrus_batched_equals_one_at_a_time() -> None:
    """Polymathic's walrus (tiny config, random weights, its patch jitter drawing from the
    seeded RNGs): the base and perturbed rollouts as one batch give the records of one
    rollout at a time, bit for bit."""
    from physcheck.config import build_settings
    from physcheck.models.walrus import build_walrus_model
    from physcheck.suite import Suite

    torch.manual_seed(0)
    model = WalrusSurrogate(build_walrus_model(debug_model_config()), n_history=3).eval()
    options = {
        "models": ["w=persistence"],
        "trajectories": "0",
        "perturbations": "2",
        "window": "3:3:4",
        "checks": "basin_determinism,vrmse",
    }
    records = {}
    for batch in (False, True):
        suite = Suite(build_settings({"cache": False, "batch": batch}, options))
        suite.provide_model("w", model)
        records[batch] = [suite.record("w", v) for v in ("base", "noise0", "noise1")]
        assert (("w", ("base", "noise0", "noise1")) in suite.batches) is batch
    for serial, batched in zip(records[False], records[True], strict=True):
        assert torch.equal(serial.vrmse, batched.vrmse)
        assert torch.equal(serial.variance, batched.variance)
    assert torch.equal(records[False][1].vs_reference_vrmse, records[True][1].vs_reference_vrmse)
