"""The equivariance check: the model commutes with the dataset's symmetries, the group its
profile names (``Profile.symmetries``; shear_flow: periodic shifts, x -> -x, y -> -y and both,
with no rotations and so no basin orbit).

With the guide field along x, MHD_64 is symmetric under rotations about x, reflections of
y and z and periodic translations; a surrogate whose response to a rotated input is not the
rotated response has learned a preferred direction, which is the diagnostic paper's
mechanism (zero-shot Walrus blows up in exactly one of B_y, B_z, depending on the input
slice). Judged at step 1, where it is cheap and precedes any blow-up; reported over a short
rollout and, for the rotations, over the window's basins.

Which symmetries are judged: those that keep the data's distribution (``Transform.
keeps_distribution``): the rotations, the shifts and the reflections with B a polar vector.
The reflections with B a pseudo-vector reverse the guide field, a state the training data
never visit; they are exact symmetries of MHD too, and their gaps are reported in the
result's ``details`` (``gap_vs_change:NAME``, ``gap_vs_error:NAME``), not judged.

Two tolerance tiers:

- ``exact``, for a model that declares ``equivariant = True`` (equivariant by construction):
  the step-1 gap ``VRMSE(model(T h), T model(h))`` at most ``equivariance_tolerance``
  (1e-3) x the truth's step-1 change;
- ``approximate``, the default for learned models: the step-1 gap at most
  ``equivariance_approximate`` x the model's own step-1 error ``VRMSE(model(h), truth)``
  (a gap well below the error the model makes anyway is not what breaks it).

A split basin orbit (the rotated inputs' rollouts end in basins that are not the rotated
basin) fails the check only where the basin is deterministic under the run's input noise
(every perturbed rollout of ``basin_determinism`` ends in the unperturbed basin): then the
basin is chosen by the input's orientation. Where the basin changes under that noise it is
chaotic, and the split is reported, not blamed on orientation.
"""

from __future__ import annotations

import math

import torch

from physcheck.checks.context import CheckContext, fmt
from physcheck.checks.result import CheckResult
from physcheck.diagnostics import NONFINITE_LABEL

#: the tolerance tiers (``CheckContext.equivariance_tier``)
TIERS = ("exact", "approximate")


def _ratio(gap: torch.Tensor, scale: float) -> torch.Tensor:
    """``gap / scale`` with 0/0 = 0 (an exact model with an exact input) and x/0 = inf."""
    if scale > 0:
        return gap / scale
    return torch.where(gap > 0, torch.full_like(gap, math.inf), torch.zeros_like(gap))


def basin_deterministic(ctx: CheckContext, index: int) -> bool | None:
    """Whether trajectory ``index``'s final basin survives the run's input noise: every
    perturbed rollout ends in the unperturbed basin and none is non-finite (``None``: no
    perturbed rollouts, so it is not known)."""
    if not ctx.perturbed:
        return None
    base = ctx.measures.final_basins[index]
    labels = [ctx.measures_of(r).final_basins[index] for r in ctx.perturbed]
    return base != NONFINITE_LABEL and all(label == base for label in labels)


def equivariance(ctx: CheckContext) -> list[CheckResult]:
    """For every symmetry T that keeps the data's distribution: the step-1 gap
    ``VRMSE(model(T h), T model(h))`` within the model's tier (``exact``: at most
    ``equivariance_tolerance`` x the truth's step-1 change; ``approximate``: at most
    ``equivariance_approximate`` x the model's step-1 error); and, where the basin is
    deterministic under noise, the basins of the rotated inputs follow the rotation."""
    if ctx.equivariance is None:
        return ctx.skipped("equivariance", ctx.equivariance_skip or "no equivariance rollouts")
    rec, th, m = ctx.equivariance, ctx.thresholds, ctx.measures
    tier = ctx.equivariance_tier
    if tier == "exact":
        bound, against = th.equivariance_tolerance, "the truth's step-1 change"
    else:
        bound, against = th.equivariance_approximate, "the model's step-1 error"
    gaps = rec.gap_mean()  # [S, B, K_e]
    change = m.persistence_per_step[:, 0]  # [B] the truth's step-1 change
    error = m.vrmse_per_step[:, 0]  # [B] the model's step-1 error
    judged, reported = rec.judged, rec.reported
    out = []
    for i in range(len(ctx.trajectories)):
        step1 = gaps[:, i, 0]
        vs_change = _ratio(step1, float(change[i]))
        vs_error = _ratio(step1, float(error[i]))
        relative = (vs_change if tier == "exact" else vs_error)[judged]
        k = int(torch.nan_to_num(relative, nan=math.inf).argmax())
        worst = judged[k]
        value = float(relative[k])
        ok = bool((relative <= bound).all())
        name = rec.transforms[worst]
        late = float(gaps[worst, i, -1])
        details = {f"gap_vs_change:{t}": float(vs_change[s]) for s, t in enumerate(rec.transforms)}
        details.update(
            {f"gap_vs_error:{t}": float(vs_error[s]) for s, t in enumerate(rec.transforms)}
        )
        split = [
            f"{t}: {rec.orbit[t][i]} (an equivariant model: {rec.expected[t][i]})"
            for t in rec.orbit
            if rec.orbit[t][i] != rec.expected[t][i]
        ]
        cost = f"{rec.forward_passes} extra model steps per trajectory"
        detail = (
            f"{tier} tier: step-1 gap {fmt(float(step1[worst]))} under {name} = "
            f"{fmt(float(vs_change[worst]))} x the truth's step-1 change ({fmt(float(change[i]))}), "
            f"{fmt(float(vs_error[worst]))} x the model's step-1 error ({fmt(float(error[i]))}); "
            f"{fmt(late)} at step {rec.n_steps}"
        )
        if reported:
            detail += (
                "; distribution-changing variants (guide field reversed; reported, not judged): "
                + ", ".join(
                    f"{rec.transforms[s]} {fmt(float((vs_change if tier == 'exact' else vs_error)[s]))}"
                    for s in reported
                )
            )
        deterministic = basin_deterministic(ctx, i) if split else None
        if split and deterministic:
            ok = False
            orbit = (
                f"; the symmetry orbit splits into basins (unturned input: {rec.base_basins[i]}; "
                + "; ".join(split)
                + f") and the basin is deterministic under {fmt(ctx.noise_eps)} input noise: "
                "the basin is chosen by the input's orientation, not by the physics"
            )
        elif split:
            why = (
                f"the basin is chaotic (it changes under {fmt(ctx.noise_eps)} input noise)"
                if deterministic is False
                else "whether the basin is deterministic under noise was not measured (no perturbed rollouts)"
            )
            orbit = (
                f"; the symmetry orbit splits into basins (unturned input: {rec.base_basins[i]}; "
                + "; ".join(split)
                + f"), but {why}: the split is reported, not blamed on orientation"
            )
        else:
            orbit = (
                f"; rotated inputs end in the rotated basin ({rec.base_basins[i]})"
                if rec.orbit
                else ""
            )
        if ok:
            msg = f"{ctx.prefix(i)}: equivariant: largest {detail}{orbit} ({cost})"
        else:
            bad = [
                f"{rec.transforms[s]} {fmt(float(r))}"
                for s, r in zip(judged, relative, strict=True)
                if not float(r) <= bound
            ]
            which = f"; beyond {fmt(bound)} x {against}: {', '.join(bad)}" if bad else ""
            msg = (
                f"{ctx.prefix(i, 1)}: not equivariant: {detail}{which}{orbit}: the model treats "
                f"directions the physics does not distinguish differently ({cost})"
            )
        out.append(
            ctx.result(
                "equivariance",
                i,
                ok,
                value,
                bound,
                msg,
                step=None if ok else 1,
                details=details,
            )
        )
    return out


__all__ = ["TIERS", "basin_deterministic", "equivariance"]
