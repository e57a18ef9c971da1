"""The catalogue of checks: every check's name, what it judges, the report figures that show it
and where its function lives. Torch-free, so configuration can validate check names cheaply.

The built-in checks are listed here in the order they are reported; their functions (in
``physcheck.checks``) are imported only when a check runs. A user adds a check with
``register_check`` (e.g. in ``conftest.py``, which pytest imports before physcheck reads its
settings)::

    from physcheck.checks import CheckContext, CheckResult, register_check

    def mass_drift(ctx: CheckContext) -> list[CheckResult]: ...

    register_check("mass_drift", mass_drift, summary="Mass stays within 1e-3 of the truth's.")

A check function takes a ``physcheck.checks.CheckContext`` and returns one ``CheckResult`` per
trajectory (and per channel when ``per_channel``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from physcheck.errors import ConfigError

#: rollout variants a check can need besides the base rollout
VARIANTS = ("float64", "perturbed", "equivariance")


#: what one result of a check covers: a trajectory, a trajectory and channel, or the model
#: (a statistic over its trajectories, e.g. a median)
SCOPES = ("trajectory", "channel", "model")


@dataclass(frozen=True)
class CheckSpec:
    """One check: ``name`` (test ids, ``--physcheck-checks``), ``target`` (the function or its
    ``module:function`` path), a one-line ``summary`` (report, docs), the report ``figure``
    anchor its failures link to, its ``scope`` (one result per ``trajectory``, per trajectory
    and ``channel``, or per ``model``), the extra rollout ``needs`` (``float64``,
    ``perturbed``), the report ``figures`` shown in its section and what it ``requires`` of
    the dataset's profile (capabilities of ``physcheck.profiles.CAPABILITIES``: a profile
    without them skips the check, saying why)."""

    name: str
    target: str | Callable[..., Any]
    summary: str
    figure: str | None = None
    scope: str = "trajectory"
    needs: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    @property
    def per_channel(self) -> bool:
        return self.scope == "channel"

    def function(self) -> Callable[..., Any]:
        """The check function (imported on first use)."""
        if callable(self.target):
            return self.target
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


_BUILTIN = "physcheck.checks"
_CATALOGUE: dict[str, CheckSpec] = {
    spec.name: spec
    for spec in (
        CheckSpec(
            "finite",
            f"{_BUILTIN}.accuracy:finite",
            "No NaN or Inf anywhere in the rollout; a failure names the first bad step.",
            "fig-vrmse",
        ),
        CheckSpec(
            "vrmse",
            f"{_BUILTIN}.accuracy:vrmse",
            "Median over trajectories of the step-1 VRMSE, and of the T 21-60 window mean under "
            "a decorrelation ceiling (a faithful but decorrelated prediction scores sqrt(2)).",
            "fig-vrmse",
            scope="model",
            figures=("fig-vrmse", "fig-vrmse-traj"),
        ),
        CheckSpec(
            "stability_horizon",
            f"{_BUILTIN}.accuracy:stability_horizon",
            "First step whose channel-mean VRMSE exceeds the decorrelation ceiling (blow-up, not "
            "loss of predictability, which is reported).",
            "fig-vrmse",
        ),
        CheckSpec(
            "skill",
            f"{_BUILTIN}.accuracy:skill",
            "Early-step VRMSE against the best trivial model (per step the least of persistence, "
            "climatology and the truth window's time-mean state): a model must beat doing nothing.",
            "fig-vrmse",
            scope="model",
        ),
        CheckSpec(
            "dynamics",
            f"{_BUILTIN}.accuracy:dynamics",
            "The rollout keeps evolving at the truth's rate in every block of the window: rms "
            "frame-to-frame change per channel against the truth's (a freeze, an over-damping or "
            "an acceleration in any block fails, the block named).",
            "fig-vrmse",
        ),
        CheckSpec(
            "solenoidality",
            f"{_BUILTIN}.magnetic:solenoidality",
            "div B (the profile's divergence-free field: B for MHD, u for shear_flow) against the "
            "truth's floor, same operator, every step: the normalised ratio rms(div B)/<|B|> and "
            "the absolute rms(div B).",
            "fig-divb",
            figures=("fig-divb",),
            requires=("divergence_free",),
        ),
        CheckSpec(
            "spectrum",
            f"{_BUILTIN}.magnetic:spectrum",
            "Perpendicular magnetic spectrum at the last step against the truth's own range over "
            "the window: slope, low/high ratio, high-n pile-up.",
            "fig-spectra",
            figures=("fig-spectra",),
            requires=("spectrum", "guide_axis", "magnetic_field"),
        ),
        CheckSpec(
            "channel_variance",
            f"{_BUILTIN}.variance:channel_variance",
            "Each channel's variance against the truth's: blow-ups and collapses.",
            "fig-variance",
            scope="channel",
            figures=("fig-variance-time", "fig-variance"),
        ),
        CheckSpec(
            "perpendicular_symmetry",
            f"{_BUILTIN}.variance:perpendicular_symmetry",
            "B_y and B_z must be amplified alike: a one-sided blow-up is a basin.",
            "fig-variance",
            requires=("guide_axis", "magnetic_field"),
        ),
        CheckSpec(
            "basin_determinism",
            f"{_BUILTIN}.robustness:basin_determinism",
            "Rollouts from inputs perturbed by relative noise must end in the same basin.",
            "fig-perturbation",
            needs=("perturbed",),
            figures=("fig-perturbation", "fig-basin-map"),
        ),
        CheckSpec(
            "precision",
            f"{_BUILTIN}.robustness:precision",
            "float32 and float64 blow up alike (onset, growth, magnitude, basin): an instability "
            "in one precision only is numerical.",
            "fig-precision",
            needs=("float64",),
            figures=("fig-precision",),
        ),
        CheckSpec(
            "energy",
            f"{_BUILTIN}.conservation:energy",
            "The magnetic-to-kinetic fluctuation energy ratio E_b'/E_K, the levels E_K and E_b' "
            "and <|B|> within a factor of the truth's, every step; density positive.",
            "fig-energy",
            figures=("fig-energy",),
            requires=("magnetic_field", "kinetic_energy"),
        ),
        CheckSpec(
            "positivity",
            f"{_BUILTIN}.positivity:positivity",
            "Every field the dataset's profile declares positive (MHD's density) keeps its "
            "minimum above 0 wherever the truth's does; a failure names the first step and field.",
            requires=("positive",),
        ),
        CheckSpec(
            "bounds",
            f"{_BUILTIN}.budgets:bounds",
            "Every field the profile gives a maximum principle (shear_flow's tracer) stays within "
            "the truth's range over the window, widened by bounds_tolerance of it; a failure names "
            "the first step, field and side.",
            requires=("bounded",),
        ),
        CheckSpec(
            "budgets",
            f"{_BUILTIN}.budgets:budgets",
            "The profile's conserved field integrals (shear_flow's tracer) follow the truth's, "
            "and its non-increasing budgets (an incompressible flow's kinetic energy) rise no "
            "more than the truth's own, every step.",
            requires=("budgets",),
        ),
        CheckSpec(
            "mean_field",
            f"{_BUILTIN}.conservation:mean_field",
            "The mean field <B> (guide-field flux), the mass and the mean momentum <rho v> follow "
            "the truth's, every step; a lost flux and a change of Alfvenic regime are named.",
            "fig-energy",
            requires=("magnetic_field", "kinetic_energy"),
        ),
        CheckSpec(
            "equivariance",
            f"{_BUILTIN}.symmetry:equivariance",
            "model(T history) = T(model(history)) for the profile's symmetry group at step 1 "
            "(MHD: rotations about the guide axis, reflections with B polar, the guide field "
            "kept, and translations; shear_flow: translations, x -> -x, y -> -y and both), "
            "within the model's tier (exact or approximate); where the group turns about a "
            "guide axis, a split basin orbit fails where the basin is deterministic under noise.",
            "fig-equivariance",
            needs=("equivariance", "perturbed"),
            figures=("fig-equivariance",),
            # the basin orbit needs rotations about a guide axis only where the group has them
            requires=("symmetries",),
        ),
    )
}


def register_check(
    name: str,
    function: str | Callable[..., Any],
    *,
    summary: str,
    figure: str | None = None,
    scope: str = "trajectory",
    needs: tuple[str, ...] = (),
    figures: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
    replace: bool = False,
) -> CheckSpec:
    """Add a check to the catalogue (after the built-in ones); ``replace=True`` to redefine one.
    ``figure``: the report figure its failures link to; ``figures``: those shown in its
    section; ``requires``: the profile capabilities the check needs (a profile without them
    skips it)."""
    if not name.isidentifier():
        raise ConfigError(f"check name {name!r} must be a Python identifier (letters, digits, _)")
    if name in _CATALOGUE and not replace:
        raise ConfigError(f"a check named {name!r} exists already; pass replace=True to redefine it")
    unknown = [n for n in needs if n not in VARIANTS]
    if unknown:
        raise ConfigError(f"check {name!r} needs unknown rollout variant(s) {unknown}; known: {VARIANTS}")
    if scope not in SCOPES:
        raise ConfigError(f"check {name!r}: scope must be one of {SCOPES}, got {scope!r}")
    from physcheck.profiles.profile import validate_requirements

    spec = CheckSpec(
        name,
        function,
        summary,
        figure,
        scope,
        tuple(needs),
        tuple(figures),
        validate_requirements(requires, f"check {name!r}"),
    )
    _CATALOGUE[name] = spec
    return spec


def check_names() -> tuple[str, ...]:
    """Every known check, in report order."""
    return tuple(_CATALOGUE)


def check_spec(name: str) -> CheckSpec:
    """The catalogue entry of check ``name``; ``ConfigError`` listing the known ones otherwise."""
    try:
        return _CATALOGUE[name]
    except KeyError:
        raise ConfigError(
            f"unknown check {name!r}; known checks: {', '.join(check_names())}"
        ) from None


__all__ = ["SCOPES", "CheckSpec", "VARIANTS", "check_names", "check_spec", "register_check"]
