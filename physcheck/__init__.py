"""physcheck: physics regression tests for neural PDE surrogates.

The package imports nothing heavy at import time (no torch), so that the pytest
plugin loads instantly in every pytest session. Public entry points are
resolved lazily on first attribute access (``physcheck.lazy``):

- ``physcheck.rollout(model, history, n_steps, **options)``: the rollout engine.
- ``physcheck.models.load(spec, **options)``: build a surrogate from a spec.
- ``physcheck.diagnostics``: the exact diagnostics of the specification.
- ``physcheck.assert_<check>(...)``: one assertion helper per physics check;
  ``physcheck.assert_check(name, ...)`` for any check, your own included.
- ``physcheck.register_check(name, function, summary=...)``: add a check to the suite.
- ``physcheck.Suite(settings)``: the whole pipeline as a library object.
- ``physcheck.PhyscheckError``: the base of every error physcheck raises on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from physcheck.lazy import lazy_attributes

__version__ = "0.3.0"

_ASSERTIONS = "physcheck.checks.assertions"
#: public name -> the module that defines it (or the subpackage of that name)
_LAZY: dict[str, str] = {
    "rollout": "physcheck.engine",
    "RolloutResult": "physcheck.engine",
    "Suite": "physcheck.suite",
    "register_check": "physcheck.config.checks",
    "PhyscheckError": "physcheck.errors",
    "assert_check": _ASSERTIONS,
    "assert_finite": _ASSERTIONS,
    "assert_vrmse": _ASSERTIONS,
    "assert_stability_horizon": _ASSERTIONS,
    "assert_skill": _ASSERTIONS,
    "assert_dynamics": _ASSERTIONS,
    "assert_solenoidal": _ASSERTIONS,
    "assert_spectrum": _ASSERTIONS,
    "assert_channel_variance": _ASSERTIONS,
    "assert_perpendicular_symmetry": _ASSERTIONS,
    "assert_basin_determinism": _ASSERTIONS,
    "assert_precision": _ASSERTIONS,
    "assert_energy": _ASSERTIONS,
    "assert_mean_field": _ASSERTIONS,
    **{
        name: f"physcheck.{name}"
        for name in (
            "baseline",
            "checks",
            "config",
            "data",
            "datasets",
            "diagnostics",
            "errors",
            "models",
            "outputs",
            "profiles",
            "records",
            "report",
            "sim",
            "snapshot",
            "strategies",
        )
    },
}
#: every name of ``_LAZY`` but ``strategies`` (it needs Hypothesis, an optional extra)
__all__ = [
    "PhyscheckError",
    "RolloutResult",
    "Suite",
    "assert_basin_determinism",
    "assert_channel_variance",
    "assert_check",
    "assert_dynamics",
    "assert_energy",
    "assert_finite",
    "assert_mean_field",
    "assert_perpendicular_symmetry",
    "assert_precision",
    "assert_skill",
    "assert_solenoidal",
    "assert_spectrum",
    "assert_stability_horizon",
    "assert_vrmse",
    "baseline",
    "checks",
    "config",
    "data",
    "datasets",
    "diagnostics",
    "errors",
    "models",
    "outputs",
    "profiles",
    "records",
    "register_check",
    "report",
    "rollout",
    "sim",
    "snapshot",
]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

if TYPE_CHECKING:
    from physcheck import (
        baseline,
        checks,
        config,
        data,
        datasets,
        diagnostics,
        errors,
        models,
        outputs,
        profiles,
        records,
        report,
        sim,
        snapshot,
    )
    from physcheck import strategies as strategies  # needs Hypothesis: not in __all__
    from physcheck.checks.assertions import (
        assert_basin_determinism,
        assert_channel_variance,
        assert_check,
        assert_dynamics,
        assert_energy,
        assert_finite,
        assert_mean_field,
        assert_perpendicular_symmetry,
        assert_precision,
        assert_skill,
        assert_solenoidal,
        assert_spectrum,
        assert_stability_horizon,
        assert_vrmse,
    )
    from physcheck.config.checks import register_check
    from physcheck.engine import RolloutResult, rollout
    from physcheck.errors import PhyscheckError
    from physcheck.suite import Suite
