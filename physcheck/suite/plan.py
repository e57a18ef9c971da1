"""Which rollouts a model's checks need (``RolloutPlan``): the variants of the window (the
base rollout, the float64 twin, the perturbed rollouts), why a variant cannot be had (saved
rollouts without it, a model that cannot run in float64, one that cannot be judged for
equivariance), and which variants are computed together (one batch, or one executor task).

Variants are :class:`physcheck.suite.variant.Variant` values; nothing here rolls out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from physcheck.config import check_spec
from physcheck.models import supports_precision
from physcheck.suite.inputs import Inputs
from physcheck.suite.variant import BASE, FLOAT64, Variant, perturbations


class RolloutPlan:
    """The rollouts a run's configured checks need of each model, over ``inputs``."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs

    def needs(self, need: str) -> bool:
        """Whether a selected check that the data's profile can serve needs the ``float64``,
        ``perturbed`` or ``equivariance`` rollouts (``physcheck.config.checks``)."""
        profile = self.inputs.profile
        return any(
            need in spec.needs and profile.missing(spec.requires) is None
            for spec in map(check_spec, self.inputs.settings.checks)
        )

    def variants(self, name: str) -> list[Variant]:
        """The rollouts of the window the configured checks need for a model, in the order
        they are computed: the base, the twin, the perturbed ones."""
        out = [BASE]
        if self.needs("float64") and self.precision_skip(name) is None:
            out.append(FLOAT64)
        if self.needs("perturbed") and self.perturbed_skip(name) is None:
            out += perturbations(self.inputs.settings.diagnostics.n_perturbations)
        return out

    def keeps_frames(self, name: str) -> bool:
        """Whether the base record keeps its frames (``[B, K, X, Y, Z, C]``): when other
        variants compare with them."""
        return len(self.variants(name)) > 1

    # -- why a variant cannot be had -------------------------------------------------------------
    def perturbed_skip(self, name: str) -> str | None:
        """Why the perturbed rollouts of a model cannot be had (saved rollouts without them,
        or made with other noise), ``None`` when they can."""
        saved = self.inputs.saved(name)
        if saved is None:
            return None
        diag = self.inputs.settings.diagnostics
        missing = [str(v) for v in perturbations(diag.n_perturbations) if not saved.has(str(v))]
        if missing:
            return (
                f"the saved rollouts hold no perturbed rollout {', '.join(missing)} (export them "
                f"with physcheck export, or give NAME=PATH,noise0=PATH,...)"
            )
        if saved.noise_eps is not None and not math.isclose(
            float(saved.noise_eps), diag.noise_eps, rel_tol=1e-9
        ):
            return (
                f"the saved perturbed rollouts were made with input noise {saved.noise_eps}; "
                f"this run asks for {diag.noise_eps}: use --physcheck-noise {saved.noise_eps}"
            )
        if saved.seed is not None and int(saved.seed) != diag.seed:
            return (
                f"the saved perturbed rollouts were made with seed {saved.seed}; this run's "
                f"is {diag.seed}: set seed = {saved.seed} in [tool.physcheck]"
            )
        return None

    def precision_skip(self, name: str) -> str | None:
        """Why the float64 twin of a model cannot be had, ``None`` when it can."""
        saved = self.inputs.saved(name)
        if saved is not None:
            return saved.precision_skip
        reason = supports_precision(self.inputs.model(name))
        if reason:
            return reason
        settings = self.inputs.settings
        if settings.dtype == settings.reference_dtype:
            return f"the base rollout already runs in {settings.reference_dtype}"
        return None

    def equivariance_variants(self) -> list[Variant]:
        """The rollouts the equivariance check needs besides the base one: a short rollout of
        the input (``equivariance:identity``) and of each transformed input, and the last frame
        of a full rollout of each rotated input (``orbit:T``)."""
        group = self.inputs.symmetries
        out = [Variant("equivariance", transform="identity")]
        out += [Variant("equivariance", transform=t.name) for t in group.transforms]
        if self.inputs.diagnostics.equivariance_orbit:
            out += [Variant("orbit", transform=t.name) for t in group.rotations]
        return out

    def equivariance_skip(self, name: str) -> str | None:
        """Why a model cannot be judged for equivariance (``None`` when it can)."""
        saved = self.inputs.saved(name)
        if saved is not None:
            if saved.equivariance_skip:
                return saved.equivariance_skip
            missing = [str(v) for v in self.equivariance_variants() if not saved.has(str(v))]
            if missing:
                return (
                    f"the saved rollouts hold no rollouts of transformed inputs ({', '.join(missing)}; "
                    "export them with physcheck export)"
                )
            return None
        reason = getattr(self.inputs.model(name), "equivariance_skip", None)
        return str(reason) if reason else None

    def equivariance_tier(self, name: str) -> str:
        """``exact`` when the model declares ``equivariant = True`` (equivariant by
        construction), else ``approximate`` (see ``physcheck.checks.symmetry``)."""
        saved = self.inputs.saved(name)
        if saved is not None:
            return "exact" if saved.equivariant else "approximate"
        model = self.inputs.model(name)
        return "exact" if getattr(model, "equivariant", False) is True else "approximate"

    # -- which variants go together --------------------------------------------------------------
    def batch_group(
        self,
        name: str,
        variant: Variant,
        *,
        computed: Callable[[Variant], bool],
        all_at_once: bool = False,
    ) -> list[Variant]:
        """The variants computed together with ``variant`` (``computed(v)``: whether ``v`` is
        already had): with batching on (on CUDA by default), the base rollout and the perturbed
        ones not yet computed run as one batch of (1 + n_perturbations) x trajectories rows;
        the float64 twin, saved rollouts and ``--physcheck-batch off`` go one at a time.
        ``all_at_once`` (an executor runs them in parallel): every variant not yet computed."""
        if self.inputs.saved(name) is not None:
            return [variant]
        if all_at_once:
            missing = [v for v in self.variants(name) if not computed(v)]
            return missing if variant in missing else [variant]
        if not self.inputs.batching or variant.is_twin:
            return [variant]
        group = [v for v in self.variants(name) if v.is_base or v.is_perturbed]
        group = [v for v in group if not computed(v)]
        return group if variant in group else [variant]

    @staticmethod
    def task_groups(variants: list[Variant]) -> list[list[Variant]]:
        """How an executor splits a model's variants into tasks (per trajectory): the base
        with the perturbed rollouts (one batch), and the twin (which recomputes the base to
        compare with). A perturbed rollout without the base in the group gets it added."""
        batch = [v for v in variants if not v.is_twin]
        if batch and BASE not in batch:
            batch = [BASE, *batch]
        groups = [batch] if batch else []
        if FLOAT64 in variants:
            groups.append([FLOAT64])
        return groups


__all__ = ["RolloutPlan"]
