"""Walrus checkpoints beyond the released one: the state count comes from the checkpoint's
embedding shapes, the field map from a file, the config or Walrus's own rule; a field the map
lacks is named with the map. End to end on a stand-in with Walrus's forward signature and
state-dict layout (the real code is not installable in CI)."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from torch import nn

import physcheck.models.walrus as walrus_adapter
from physcheck.config.specs import check_target
from physcheck.errors import ModelSpecError
from physcheck.fields import MHD_FIELDS
from physcheck.models.walrus import (
    RELEASED_FIELD_INDICES,
    checkpoint_n_states,
    load_walrus,
    resolve_field_map,
)
from physcheck.strategies import mhd_state
from tests.models.walrus_standin import IsotropicModelStandIn

#: Walrus's configs/data/field_index_map_override/bc_only_override.yaml
BC_ONLY = {"closed_boundary": 0, "open_boundary": 1, "bias_correction": 2}


class StandInWithLayout(IsotropicModelStandIn):
    """The stand-in plus Walrus's decoder bias (``debed.<d>.proj2.bias``, one row per state)."""

    def __init__(self, n_states: int = 67) -> None:
        super().__init__(n_states=n_states)
        self.debed = nn.ModuleDict({"3": nn.Module()})
        self.debed["3"].proj2 = nn.Linear(1, n_states)  # type: ignore[assignment]


def test_the_state_count_comes_from_the_embedding_shapes() -> None:
    assert checkpoint_n_states(StandInWithLayout(10).state_dict()) == 10
    encoder_only = {"embed.3.proj1.weight": torch.zeros(32, 12, 1, 1, 1)}
    assert checkpoint_n_states(encoder_only) == 12
    assert checkpoint_n_states({"blocks.0.weight": torch.zeros(3)}) is None


def test_the_released_map_for_the_released_state_count() -> None:
    indices, origin = resolve_field_map(MHD_FIELDS, n_states=67, config_override=BC_ONLY)
    assert indices == RELEASED_FIELD_INDICES and "released" in origin


def test_a_single_dataset_fine_tune_follows_walrus_rule() -> None:
    """An MHD-only fine-tune with bc_only_override and no prefetching: rows 0-2 for the
    boundary codes, then the data's fields in order (Walrus's _build_subset_dict)."""
    indices, _ = resolve_field_map(MHD_FIELDS, n_states=10, config_override=BC_ONLY)
    assert list(indices.values()) == [3, 4, 5, 6, 7, 8, 9]
    with pytest.raises(ModelSpecError, match="has 12 field states.*gives 10.*FIELD_MAP"):
        resolve_field_map(MHD_FIELDS, n_states=12, config_override=BC_ONLY)


def test_a_config_override_listing_the_fields_wins_over_the_rule() -> None:
    override = dict(BC_ONLY, **{name: 20 + i for i, name in enumerate(MHD_FIELDS)})
    indices, origin = resolve_field_map(MHD_FIELDS, n_states=30, config_override=override)
    assert indices["density"] == 20 and "field_index_map_override" in origin


def test_a_missing_field_is_named_with_the_map() -> None:
    partial = {name: i for i, name in enumerate(MHD_FIELDS) if name != "magnetic_field_z"}
    with pytest.raises(
        ModelSpecError, match=r"\['magnetic_field_z'\] are not in the field map maps/mhd.yaml"
    ):
        resolve_field_map(MHD_FIELDS, n_states=10, field_map=partial, source="maps/mhd.yaml")
    too_far = {name: 40 + i for i, name in enumerate(MHD_FIELDS)}
    with pytest.raises(ModelSpecError, match="outside the checkpoint's 10 field states"):
        resolve_field_map(MHD_FIELDS, n_states=10, field_map=too_far)


def test_the_spec_takes_an_optional_field_map() -> None:
    assert check_target("walrus:cfg.yaml:ckpt.pt:map.yaml") == "walrus:cfg.yaml:ckpt.pt:map.yaml"
    with pytest.raises(ModelSpecError, match="FIELD_MAP"):
        check_target("walrus:cfg.yaml")


@pytest.fixture
def fake_walrus(monkeypatch: pytest.MonkeyPatch) -> list[StandInWithLayout]:
    """``import_walrus`` passes, OmegaConf loads YAML, and the model builder returns a stand-in
    with the requested state count (recorded)."""
    built: list[StandInWithLayout] = []

    class Config(dict):  # type: ignore[type-arg]
        def __getattr__(self, key: str) -> Any:
            return self[key]

    def to_config(node: Any) -> Any:
        return (
            Config({k: to_config(v) for k, v in node.items()}) if isinstance(node, dict) else node
        )

    omegaconf = types.ModuleType("omegaconf")
    omegaconf.OmegaConf = types.SimpleNamespace(
        load=lambda p: to_config(yaml.safe_load(Path(p).read_text()))
    )  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "omegaconf", omegaconf)
    monkeypatch.setattr(walrus_adapter, "import_walrus", lambda: None)

    def build(model_config: Any, n_states: int = 67) -> StandInWithLayout:
        built.append(StandInWithLayout(n_states))
        return built[-1]

    monkeypatch.setattr(walrus_adapter, "build_walrus_model", build)
    return built


def write_checkpoint(path: Path, n_states: int) -> Path:
    model = StandInWithLayout(n_states)
    with torch.no_grad():
        model.embedding.copy_(torch.arange(n_states, dtype=torch.float32) * 1e-3)
    torch.save({"app": {"model": model.state_dict()}}, path)
    return path


def test_an_mhd_only_checkpoint_loads_and_steps_with_its_own_rows(
    tmp_path: Path, fake_walrus: list[StandInWithLayout]
) -> None:
    config = tmp_path / "extended_config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "model": {"_target_": "walrus.models.IsotropicModel"},
                "data": {
                    "field_index_map_override": BC_ONLY,
                    "module_parameters": {"n_steps_input": 3},
                },
            }
        )
    )
    checkpoint = write_checkpoint(tmp_path / "mhd_only.pt", 10)
    surrogate = load_walrus(config, checkpoint)
    assert fake_walrus[-1].embedding.shape == (10,)  # built with the checkpoint's state count
    history = torch.stack([mhd_state(16, seed=t) for t in range(3)])[None]
    surrogate.step(history)
    assert fake_walrus[-1].calls[-1]["state_labels"].tolist() == [3, 4, 5, 6, 7, 8, 9]
    # the loaded weights are the checkpoint's: its rows' offsets reach the prediction
    assert torch.equal(fake_walrus[-1].embedding, torch.arange(10, dtype=torch.float32) * 1e-3)


def test_a_field_map_file_and_a_missing_field(
    tmp_path: Path, fake_walrus: list[StandInWithLayout]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"model": {"_target_": "x"}}))
    checkpoint = write_checkpoint(tmp_path / "ckpt.pt", 16)
    mapping = {name: 15 - i for i, name in enumerate(MHD_FIELDS)}
    field_map = tmp_path / "fields.yaml"
    field_map.write_text(yaml.safe_dump(mapping))
    surrogate = load_walrus(config, checkpoint, field_map=field_map)
    assert surrogate.field_indices.tolist() == list(mapping.values())
    assert str(field_map) in surrogate.weight_files  # the map is part of the cache key
    del mapping["velocity_y"]
    field_map.write_text(yaml.safe_dump(mapping))
    with pytest.raises(
        ModelSpecError, match=r"\['velocity_y'\] are not in the field map .*fields.yaml"
    ):
        load_walrus(config, checkpoint, field_map=field_map)
