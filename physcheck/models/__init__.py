"""Surrogates physcheck can roll out: the protocol, spec loading, and the shipped models.

``physcheck.models.load(spec, **options)`` builds one from ``reference``, ``demo``,
``walrus:CONFIG.yaml:CHECKPOINT.pt`` or ``package.module:attr``.
"""

from physcheck.errors import ModelProtocolError, ModelSpecError
from physcheck.models.hashing import model_hash
from physcheck.models.protocol import Surrogate, check_surrogate, supports_precision
from physcheck.models.registry import load

__all__ = [
    "ModelProtocolError",
    "ModelSpecError",
    "Surrogate",
    "check_surrogate",
    "load",
    "model_hash",
    "supports_precision",
]
