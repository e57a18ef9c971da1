"""Build a surrogate from a spec a user can write on a command line or in config.

A spec is parsed once (``physcheck.config.model_kinds.parse_target``, the same rules as the
settings) into its kind and arguments, and the kind's row in ``MODEL_KINDS`` names the
function that loads it:

- ``reference``: the isothermal MHD reference solver (exact oracle); needs ``data=``.
- ``demo``: the small learned surrogate shipped with physcheck (weights in ``physcheck/models/weights``, shipped in the wheel).
- ``persistence``, ``climatology``: the do-nothing baselines (``physcheck.models.baselines``).
- ``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]``: Polymathic's Walrus from a Hydra config
  and checkpoint (state count from the checkpoint; field map from the file, the config, or
  Walrus's rules).
- ``package.module:attr``: a surrogate object, or a callable returning one (called with the
  options it accepts, e.g. ``data``).
- ``saved:PATH[,...]``: rollouts computed elsewhere (``physcheck.models.saved``); read, not run.
"""

from __future__ import annotations

from typing import Any

from physcheck.config.model_kinds import MODEL_KINDS, ModelTarget, parse_target
from physcheck.config.specs import ModelSpec
from physcheck.models.protocol import Surrogate


def load(spec: str | ModelSpec | ModelTarget, **options: Any) -> Surrogate:
    """The surrogate named by ``spec`` (see the module docstring): a spec's text, or a
    ``ModelSpec``/``ModelTarget`` parsed already. ``options``: ``data`` (a ``WellData``),
    ``device``, ``root`` (where relative paths and modules are looked for) and model-specific
    settings."""
    if isinstance(spec, ModelSpec):
        target = spec.target
    elif isinstance(spec, ModelTarget):
        target = spec
    else:
        target = parse_target(spec)
    loader = MODEL_KINDS[target.kind].load_function()
    model: Surrogate = loader(target, **options)
    return model


__all__ = ["load"]
