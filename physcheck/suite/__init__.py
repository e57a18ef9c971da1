"""The physics suite as a library object: data, models, rollouts, records, check results.

``Suite(settings)`` runs the pipeline data -> rollout -> records -> checks lazily: every
rollout (base precision, float64 twin, each perturbation) is computed at most once per suite
however many checks or tests use it, and with the disk cache once across runs. Works without
pytest; the plugin and ``physcheck run`` are thin shells over it, and what is shown of it
(summary, JSON, snapshots, report) is built by ``physcheck.outputs``.

Modules, each with one job (a module imports only those listed before it, and ``runner``
and ``store`` never each other):

- ``variant``: ``Variant``, a rollout variant as a typed value (``str`` gives its name);
- ``inputs``: ``Inputs`` (data, layout, device, window, trajectories, models, truth,
  symmetries), dtypes, devices, truth windows;
- ``preflight``: what is checked before any rollout;
- ``plan``: ``RolloutPlan`` (the variants each model needs, why one cannot be had, which go
  together);
- ``runner``: ``Runner`` (rollouts one at a time or batched, saved rollouts read, early
  stopping, progress);
- ``store``: ``RecordStore`` (records kept, the disk cache and its locks);
- ``results``: ``CheckResults`` (measures, check contexts, check results);
- ``equivariance``, ``basin_map``, ``export``: the symmetry rollouts, the rollouts from extra
  start frames, prediction files; each takes the rooms it uses;
- ``core``: ``Suite``, the facade that wires the rooms.
"""

from physcheck.suite.core import RolloutExecutor, Suite
from physcheck.suite.inputs import TORCH_DTYPES, TruthWindow, resolve_device
from physcheck.suite.variant import Variant

__all__ = ["TORCH_DTYPES", "RolloutExecutor", "Suite", "TruthWindow", "Variant", "resolve_device"]
