"""Which units a number's comparison pairs, and what they are called in its output.

A number pairs a run with its baseline trajectory by trajectory (and channel by channel for a
per-channel check). A check over perturbed rollouts (``NumberSpec.perturbed``) pairs them
trajectory by trajectory *and perturbation by perturbation* where both runs drew the same
perturbations: each result's details carry the value of every perturbed rollout
(``spread:noise0``, ...) and what identifies them (``noise_eps``, base ``seed``, their count
``perturbations``; a trajectory's perturbation comes from the base seed and its index). Where
one run lacks them (a results file from before they were kept) or drew others, the units are
the trajectories. Torch-free.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from physcheck.baseline.numbers import NumberSpec, finite_or

#: what a unit is, as the comparison's output says it
TRAJECTORY = "trajectory"
CHANNEL = "trajectory × channel"
PERTURBATION = "trajectory × perturbation"

#: how the perturbations of one trajectory are identified: (noise, base seed, count)
Signature = tuple[float, float, float]


@dataclass(frozen=True)
class PairedUnits:
    """A number's values per unit in the new run and the baseline, and what a unit is."""

    new: dict[str, float]
    old: dict[str, float]
    kind: str


def _rows(spec: NumberSpec, results: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in results if r.get("check") == spec.check and not r.get("skipped")]


def perturbation_values(
    spec: NumberSpec, results: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, float], dict[int, Signature]] | None:
    """``({traj0/noise1: value}, {trajectory: signature})`` from the per-perturbation details
    of one model's results of ``spec``'s check; ``None`` where the check has none, or a result
    lacks them."""
    if spec.perturbed is None:
        return None
    prefix = f"{spec.perturbed}:"
    worst = math.inf if spec.lower_is_better else -math.inf
    values: dict[str, float] = {}
    signatures: dict[int, Signature] = {}
    for r in _rows(spec, results):
        details = r.get("details") or {}
        found = {k[len(prefix) :]: v for k, v in details.items() if k.startswith(prefix)}
        identity = _signature(details)
        if not found or r.get("trajectory") is None or identity is None:
            return None
        trajectory = int(r["trajectory"])
        signatures[trajectory] = identity
        for perturbation, value in found.items():
            values[f"traj{trajectory}/{perturbation}"] = finite_or(value, worst)
    return (values, signatures) if values else None


def _signature(details: Mapping[str, Any]) -> Signature | None:
    """``(noise_eps, seed, perturbations)`` of a result's details; ``None`` where one is missing."""
    try:
        eps, seed, count = (float(details[k]) for k in ("noise_eps", "seed", "perturbations"))
    except (KeyError, TypeError, ValueError):
        return None
    return eps, seed, count


def _same_perturbations(new: Mapping[int, Signature], old: Mapping[int, Signature]) -> bool:
    shared = set(new) & set(old)
    return bool(shared) and all(new[t] == old[t] for t in shared)


def paired_units(
    spec: NumberSpec, new: Iterable[Mapping[str, Any]], old: Iterable[Mapping[str, Any]]
) -> PairedUnits:
    """The values of ``spec``'s number in both result lists, per (trajectory, perturbation)
    where both have the same perturbations, else per trajectory (and channel)."""
    new, old = list(new), list(old)
    mine, theirs = perturbation_values(spec, new), perturbation_values(spec, old)
    if mine is not None and theirs is not None and _same_perturbations(mine[1], theirs[1]):
        return PairedUnits(mine[0], theirs[0], PERTURBATION)
    per_channel = any(r.get("channel") for r in _rows(spec, new + old))
    return PairedUnits(spec.values(new), spec.values(old), CHANNEL if per_channel else TRAJECTORY)


__all__ = ["CHANNEL", "PERTURBATION", "TRAJECTORY", "PairedUnits", "paired_units", "perturbation_values"]
