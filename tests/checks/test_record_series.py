"""The per-step series of a record are listed once (``FrameSeries``): the truth's and each
rollout's record extend it, and ``frame_series``, the builder and the cache follow it."""

from __future__ import annotations

from dataclasses import fields

import torch

from physcheck.config.thresholds import DiagnosticSettings
from physcheck.fields import MHD_LAYOUT
from physcheck.records import DiagnosticRecord, TruthRecord
from physcheck.records.series import (
    FRAME_SERIES,
    SERIES_FIELDS,
    FrameSeries,
    frame_series,
    trailing_shape,
)
from physcheck.strategies import mhd_state


def test_both_records_hold_the_series_of_one_list() -> None:
    assert FRAME_SERIES == tuple(f.name for f in fields(FrameSeries))
    for record in (TruthRecord, DiagnosticRecord):
        assert issubclass(record, FrameSeries)
        assert [f.name for f in fields(record)][: len(FRAME_SERIES)] == list(FRAME_SERIES)
    assert set(FRAME_SERIES) <= set(DiagnosticRecord.tensor_fields())


def test_frame_series_computes_every_series_in_its_layout() -> None:
    frames = torch.stack([mhd_state(8, seed=s) for s in range(2)])[None]  # [1, 2, X, Y, Z, 7]
    values, _, _ = frame_series(frames, None, MHD_LAYOUT, DiagnosticSettings())
    assert set(values) == set(FRAME_SERIES)
    for name, value in values.items():
        assert tuple(value.shape) == (1, 2, *trailing_shape(SERIES_FIELDS[name], 7)), name


def test_the_cache_layout_follows_the_fields() -> None:
    assert DiagnosticRecord.cache_layout() == {
        **{name: 2 for name in FRAME_SERIES},
        "variance": 3,
        "change": 3,
        "mean": 3,
        "momentum": 3,
        "minimum": 3,
        "maximum": 3,
        "vrmse": 3,
        "spectra": 4,
        "first_nonfinite_step": 1,
        "vs_reference_vrmse": 2,
        "vs_reference_relative": 2,
        "frames": 6,
    }
