"""Model specs parse once into (kind, arguments) and one table of kinds loads them: a new kind
is its module (a ``from_spec`` loader) plus one ``ModelKind`` row."""

from __future__ import annotations

from typing import Any

import pytest
import torch

import physcheck.config.model_kinds as model_kinds
from physcheck.config import parse_model
from physcheck.config.model_kinds import (
    MODEL_KINDS,
    AttributeArguments,
    ModelKind,
    ModelTarget,
    WalrusArguments,
    parse_target,
    spec_help,
)
from physcheck.config.saved_spec import SavedSpec
from physcheck.errors import ConfigError, ModelSpecError
from physcheck.models import load
from physcheck.models.baselines import Persistence

#: one spec of every kind, and the arguments it parses into
EXAMPLES: dict[str, tuple[str, Any]] = {
    "reference": ("reference", None),
    "demo": ("demo", None),
    "persistence": ("persistence", None),
    "climatology": ("climatology", None),
    "walrus": ("walrus:cfg.yaml:ckpt.pt:map.yaml", WalrusArguments("cfg.yaml", "ckpt.pt", "map.yaml")),
    "attribute": ("pkg.module:make.model", AttributeArguments("pkg.module", "make.model")),
    "saved": ("saved:out/a.npz,start=3", SavedSpec("out/a.npz", start=3)),
}


def test_every_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(MODEL_KINDS)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_a_spec_of_each_kind_parses_into_its_kind_and_arguments(kind: str) -> None:
    text, arguments = EXAMPLES[kind]
    entry = parse_model(f"m=  {text}  +projection")
    assert (entry.kind, entry.arguments, entry.spec, entry.projection) == (
        kind,
        arguments,
        text,
        True,
    )
    assert entry.target == ModelTarget(kind, arguments, text)


@pytest.mark.parametrize("kind", sorted(MODEL_KINDS))
def test_every_kinds_loader_exists(kind: str) -> None:
    assert callable(MODEL_KINDS[kind].load_function())


def test_a_bare_word_with_arguments_and_a_kind_word_as_a_module_are_told_apart() -> None:
    with pytest.raises(ModelSpecError, match="unknown model spec 'walrus'"):
        parse_target("walrus")
    assert parse_target("demo:factory").kind == "attribute"  # a module named like a bare word


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty model spec; use reference, demo"),
        ("nothing", "unknown model spec 'nothing'; use reference"),
        ("walrus:cfg.yaml", "bad walrus spec"),
        ("saved:", "name no file"),
    ],
)
def test_malformed_specs_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(ModelSpecError, match=message):
        parse_target(text)


def test_the_help_lists_every_kind_in_table_order() -> None:
    assert spec_help() == (
        "use reference, demo, persistence, climatology, walrus:CONFIG.yaml:CHECKPOINT.pt, "
        "package.module:attr or saved:PATH"
    )


def test_a_parsed_spec_is_loaded_without_parsing_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = parse_model("p=persistence")

    def no_second_parse(spec: str) -> ModelTarget:
        raise AssertionError(f"{spec!r} parsed twice")

    monkeypatch.setattr("physcheck.models.registry.parse_target", no_second_parse)
    monkeypatch.setattr("physcheck.config.specs.parse_target", no_second_parse)
    assert isinstance(load(entry), Persistence)


class Scaled:
    """A toy model kind: ``scaled:FACTOR`` multiplies the last frame by FACTOR."""

    n_history = 1

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def step(self, history: torch.Tensor) -> torch.Tensor:
        return history[:, -1] * self.factor


def parse_scaled(spec: str) -> float:
    try:
        return float(spec.partition(":")[2])
    except ValueError:
        raise ModelSpecError(f"bad scaled spec {spec!r}: use scaled:FACTOR") from None


def scaled_from_spec(target: ModelTarget, **options: Any) -> Scaled:
    return Scaled(target.arguments)


def test_a_new_kind_is_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    row = ModelKind("scaled", f"{__name__}:scaled_from_spec", "scaled:FACTOR", parse_scaled)
    monkeypatch.setitem(model_kinds.MODEL_KINDS, "scaled", row)
    entry = parse_model("s=scaled:0.5")
    assert (entry.kind, entry.arguments) == ("scaled", 0.5)
    model = load(entry)
    assert isinstance(model, Scaled) and model.factor == 0.5
    assert isinstance(load("scaled:2"), Scaled)
    assert spec_help().endswith("saved:PATH or scaled:FACTOR")
    with pytest.raises(ConfigError, match="bad scaled spec"):
        parse_model("s=scaled:x")
