"""``RolloutPlan``: which variants a model's checks need, why one cannot be had, and which
are computed together; over stand-in inputs (nothing is loaded or rolled out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import pytest

from physcheck.config import build_settings
from physcheck.profiles import MHD, FieldSpec, Profile
from physcheck.suite.inputs import Inputs
from physcheck.suite.plan import RolloutPlan
from physcheck.suite.variant import BASE, FLOAT64, Variant, perturbed


@dataclass
class SavedStandIn:
    """What the plan asks of saved rollouts."""

    held: set[str] = field(default_factory=set)
    noise_eps: float | None = None
    seed: int | None = None
    precision_skip: str | None = None
    equivariance_skip: str | None = None
    equivariant: bool = False

    def has(self, variant: str) -> bool:
        return variant in self.held


class Runnable:
    """A model that can be cast to float64."""

    n_history = 1

    def to(self, **_: Any) -> Runnable:
        return self


def plan_of(
    saved: SavedStandIn | None = None,
    model: Any = None,
    *,
    batching: bool = True,
    profile: Profile = MHD,
    **cli: Any,
) -> RolloutPlan:
    settings = build_settings({}, {"models": ["m=persistence"], **cli})
    symmetries = SimpleNamespace(
        transforms=[SimpleNamespace(name="rot90_x"), SimpleNamespace(name="reflect_y")],
        rotations=[SimpleNamespace(name="rot90_x")],
    )
    inputs = SimpleNamespace(
        settings=settings,
        profile=profile,
        batching=batching,
        symmetries=symmetries,
        diagnostics=settings.diagnostics,
        saved=lambda name: saved,
        model=lambda name: saved if saved is not None else (model or Runnable()),
    )
    return RolloutPlan(cast(Inputs, inputs))


def test_the_variants_are_the_base_the_twin_and_the_perturbed_ones_in_order() -> None:
    plan = plan_of(perturbations="2")
    assert plan.variants("m") == [BASE, FLOAT64, perturbed(0), perturbed(1)]
    assert plan.keeps_frames("m")
    only_finite = plan_of(checks="finite")
    assert only_finite.variants("m") == [BASE] and not only_finite.keeps_frames("m")
    assert plan.needs("perturbed") and not only_finite.needs("float64")


def test_the_twin_is_skipped_with_the_reason() -> None:
    assert "already runs in float64" in str(plan_of(dtype="float64").precision_skip("m"))
    assert "cannot run in float64" in str(plan_of(model=object()).precision_skip("m"))
    assert FLOAT64 not in plan_of(dtype="float64").variants("m")
    saved = SavedStandIn(precision_skip="the file holds no float64 twin")
    assert plan_of(saved).precision_skip("m") == "the file holds no float64 twin"


def test_saved_rollouts_without_their_perturbations_skip_them_with_the_reason() -> None:
    plan = plan_of(SavedStandIn(held={"noise0"}), perturbations="2")
    reason = plan.perturbed_skip("m")
    assert reason is not None and "no perturbed rollout noise1" in reason
    assert "physcheck export" in reason and not any(v.is_perturbed for v in plan.variants("m"))


def test_saved_rollouts_made_with_other_noise_or_seed_say_which_option_fits() -> None:
    held = {"noise0"}
    eps = plan_of(SavedStandIn(held, noise_eps=1e-3), perturbations="1").perturbed_skip("m")
    assert eps is not None and "--physcheck-noise 0.001" in eps
    seed = plan_of(SavedStandIn(held, seed=7), perturbations="1").perturbed_skip("m")
    assert seed is not None and "set seed = 7" in seed
    assert plan_of(SavedStandIn(held, noise_eps=1e-6, seed=0), perturbations="1").perturbed_skip("m") is None


def test_equivariance_of_saved_rollouts_needs_each_transformed_rollout() -> None:
    plan = plan_of(SavedStandIn(held={"equivariance:identity", "equivariance:rot90_x"}))
    assert [str(v) for v in plan.equivariance_variants()] == [
        "equivariance:identity",
        "equivariance:rot90_x",
        "equivariance:reflect_y",
        "orbit:rot90_x",
    ]
    reason = plan.equivariance_skip("m")
    assert reason is not None and "equivariance:reflect_y, orbit:rot90_x" in reason
    everything = {str(v) for v in plan.equivariance_variants()}
    assert plan_of(SavedStandIn(held=everything)).equivariance_skip("m") is None
    assert plan_of(SavedStandIn(equivariant=True)).equivariance_tier("m") == "exact"
    assert plan_of().equivariance_tier("m") == "approximate"


def test_the_base_and_perturbed_rollouts_not_yet_had_go_together() -> None:
    plan = plan_of(perturbations="2")
    nothing = {"computed": lambda v: False}
    assert plan.batch_group("m", BASE, **nothing) == [BASE, perturbed(0), perturbed(1)]
    assert plan.batch_group("m", FLOAT64, **nothing) == [FLOAT64]
    had_base = {"computed": lambda v: v == BASE}
    assert plan.batch_group("m", perturbed(1), **had_base) == [perturbed(0), perturbed(1)]
    assert plan_of(batching=False, perturbations="2").batch_group("m", BASE, **nothing) == [BASE]
    # an executor: every variant not yet had, the twin included
    assert plan.batch_group("m", FLOAT64, all_at_once=True, **had_base) == [
        FLOAT64,
        perturbed(0),
        perturbed(1),
    ]
    saved = plan_of(SavedStandIn(held={"noise0", "noise1"}), perturbations="2")
    assert saved.batch_group("m", BASE, all_at_once=True, **nothing) == [BASE]


@pytest.mark.parametrize(
    ("variants", "groups"),
    [
        (["base", "float64", "noise0"], [["base", "noise0"], ["float64"]]),
        (["noise1"], [["base", "noise1"]]),
        (["float64"], [["float64"]]),
        ([], []),
    ],
)
def test_an_executor_task_has_the_base_with_the_perturbed_rollouts(
    variants: list[str], groups: list[list[str]]
) -> None:
    typed = RolloutPlan.task_groups([Variant.parse(v) for v in variants])
    assert [[str(v) for v in g] for g in typed] == groups


def test_only_the_checks_the_profile_can_serve_ask_for_rollouts() -> None:
    """A profile without a symmetry group or a guide axis needs no equivariance rollouts (its
    check is skipped); the generic checks still need the twin and the perturbed rollouts."""
    scalar = Profile("scalar", ("scalar",), 2, (FieldSpec("c"),))
    plan = plan_of(profile=scalar, perturbations="2")
    assert not plan.needs("equivariance") and plan_of().needs("equivariance")
    assert plan.needs("float64") and plan.needs("perturbed")
    assert plan.variants("m") == plan_of(perturbations="2").variants("m")
