"""``Variant``: a rollout variant as a typed value whose ``str`` is the name caches, files and
JSON have always used, read back by ``Variant.parse`` (and by nothing else)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from physcheck.suite.variant import BASE, FLOAT64, Variant, names, perturbations, perturbed

transforms = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
variants = st.one_of(
    st.just(BASE),
    st.just(FLOAT64),
    st.integers(min_value=0, max_value=10**6).map(perturbed),
    transforms.map(lambda t: Variant("equivariance", transform=t)),
    transforms.map(lambda t: Variant("orbit", transform=t)),
)


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("base", BASE),
        ("float64", FLOAT64),
        ("noise0", Variant("noise", index=0)),
        ("noise12", Variant("noise", index=12)),
        ("equivariance:identity", Variant("equivariance", transform="identity")),
        ("orbit:rot90_x", Variant("orbit", transform="rot90_x")),
    ],
)
def test_the_names_are_todays(name: str, variant: Variant) -> None:
    assert str(variant) == f"{variant}" == name
    assert Variant.parse(name) == variant
    assert Variant.parse(variant) is variant


@given(variants)
def test_a_variant_survives_its_name(variant: Variant) -> None:
    assert Variant.parse(str(variant)) == variant
    assert hash(Variant.parse(str(variant))) == hash(variant)


@given(st.text(max_size=20))
def test_a_name_parses_only_to_a_variant_of_that_name(name: str) -> None:
    try:
        variant = Variant.parse(name)
    except ValueError:
        return
    assert str(variant) == name


@pytest.mark.parametrize(
    "name", ["", "noise", "noise01", "noise-1", "noise1.0", "Base", "float32", "equivariance:", "orbit", "noise 1"]
)
def test_names_of_no_variant_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="no rollout variant is named"):
        Variant.parse(name)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "noise"},
        {"kind": "noise", "index": -1},
        {"kind": "base", "index": 0},
        {"kind": "float64", "transform": "rot90"},
        {"kind": "orbit"},
        {"kind": "orbit", "index": 1, "transform": "rot90"},
        {"kind": "twin"},
    ],
)
def test_inconsistent_fields_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="not a rollout variant"):
        Variant(**fields)  # type: ignore[arg-type]


def test_kinds_and_indices() -> None:
    assert BASE.is_base and not BASE.is_perturbed and not BASE.is_twin
    assert FLOAT64.is_twin and not FLOAT64.is_base
    assert perturbed(3).is_perturbed and perturbed(3).noise_index == 3
    with pytest.raises(ValueError, match="not a perturbed rollout"):
        _ = BASE.noise_index
    assert names(perturbations(3)) == ["noise0", "noise1", "noise2"]
    assert perturbations(0) == []
