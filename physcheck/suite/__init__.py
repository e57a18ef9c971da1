"""The physics suite as a library object: data, models, rollouts, records, check results.

``Suite(settings)`` runs the pipeline data -> rollout -> records -> checks lazily: every
rollout (base precision, float64 twin, each perturbation) is computed at most once per suite
however many checks or tests use it, and with the disk cache once across runs. Works without
pytest; the plugin and ``physcheck run`` are thin shells over it, and what is shown of it
(summary, JSON, snapshots, report) is built by ``physcheck.outputs``.

Modules: ``core`` (``Suite``: inputs, rollout variants, records, checks), ``inputs`` (dtypes,
devices, truth windows), ``equivariance`` (the symmetry rollouts and gaps), ``basin_map``
(rollouts from extra start frames), ``export`` (prediction files).
"""

from physcheck.suite.core import RolloutExecutor, Suite
from physcheck.suite.inputs import TORCH_DTYPES, TruthWindow, resolve_device

__all__ = ["TORCH_DTYPES", "RolloutExecutor", "Suite", "TruthWindow", "resolve_device"]
