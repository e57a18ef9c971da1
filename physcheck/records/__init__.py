"""Records: the per-step diagnostic numbers of the truth and of each rollout, and the
streaming ``RecordBuilder`` that makes them while a rollout runs (memory flat in K)."""

from physcheck.records.builder import RecordBuilder, StreamedReference
from physcheck.records.equivariance import EquivarianceRecord
from physcheck.records.record import DiagnosticRecord, TruthRecord
from physcheck.records.series import spectrum_steps

__all__ = [
    "DiagnosticRecord",
    "EquivarianceRecord",
    "RecordBuilder",
    "StreamedReference",
    "TruthRecord",
    "spectrum_steps",
]
