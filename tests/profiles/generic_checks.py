"""The checks every profile serves (they require nothing of it): one pinned list for the
profile tests, so that a check that starts or stops requiring a capability shows there."""

from __future__ import annotations

GENERIC_CHECKS = frozenset(
    {
        "finite",
        "vrmse",
        "stability_horizon",
        "skill",
        "dynamics",
        "channel_variance",
        "basin_determinism",
        "precision",
    }
)
