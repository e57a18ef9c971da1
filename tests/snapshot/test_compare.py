"""Numeric snapshot comparison: tolerances, exact values, structure, NaN/Inf, _meta."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from physcheck.snapshot import Tolerance, compare, dumps, to_payload

TOL = Tolerance.build(rtol=1e-3, atol=1e-9)


def test_floats_within_tolerance_match_and_beyond_do_not() -> None:
    assert compare({"a": 1.0}, {"a": 1.0009}, TOL) == []
    [diff] = compare({"a": 1.0}, {"a": 1.002}, TOL)
    assert (
        diff.path == "a"
        and diff.relative_error == pytest.approx(0.002)
        and diff.tolerance == (1e-3, 1e-9)
    )
    assert "relative error 0.002" in diff.line() and "rtol 0.001" in diff.line()
    assert compare({"a": 0.0}, {"a": 5e-10}, TOL) == []  # atol near zero


def test_ints_strings_and_labels_are_exact() -> None:
    assert compare({"horizon": 51}, {"horizon": 51}, TOL) == []
    assert compare({"horizon": 51}, {"horizon": 50}, TOL)[0].reason == "exact value differs"
    assert compare({"basin": "By"}, {"basin": "Bz"}, TOL)
    assert compare({"ok": True}, {"ok": 1}, TOL)


def test_structure_must_match() -> None:
    assert compare({"a": 1.0}, {"a": 1.0, "b": 2.0}, TOL)[0].reason == "key not in the snapshot"
    assert compare({"a": 1.0, "b": 2.0}, {"a": 1.0}, TOL)[0].reason == "key missing from the run"
    assert compare({"a": [1.0, 2.0]}, {"a": [1.0]}, TOL)[0].reason == "length differs"
    assert compare({"a": {"x": 1.0}}, {"a": 1.0}, TOL)


def test_nan_and_infinity_are_compared_explicitly() -> None:
    assert compare({"a": "NaN"}, {"a": "NaN"}, TOL) == []
    assert compare({"a": "NaN"}, {"a": 1.0}, TOL)[0].reason == "NaN matches only NaN"
    assert compare({"a": 1.0}, {"a": "NaN"}, TOL)
    assert compare({"a": "Infinity"}, {"a": "Infinity"}, TOL) == []
    assert compare({"a": "Infinity"}, {"a": "-Infinity"}, TOL)
    assert compare({"a": "Infinity"}, {"a": 1e308}, TOL)


def test_meta_is_never_compared() -> None:
    assert (
        compare(
            {"_meta": {"torch": "2.1"}, "a": 1.0},
            {"_meta": {"torch": "9.9", "new": 1}, "a": 1.0},
            TOL,
        )
        == []
    )


def test_path_overrides() -> None:
    tol = Tolerance.build(rtol=1e-6, atol=0, overrides={"vrmse.*": (0.1, 0)})
    assert compare({"vrmse": {"By": 1.0}, "x": 1.0}, {"vrmse": {"By": 1.05}, "x": 1.0}, tol) == []
    assert compare({"vrmse": {"By": 1.0}, "x": 1.0}, {"vrmse": {"By": 1.0}, "x": 1.05}, tol)


def test_payload_converts_tensors_and_nonfinite_values() -> None:
    payload = to_payload(
        {
            "t": torch.tensor([1.0, math.nan]),
            "n": np.float32(2.5),
            "i": np.int64(3),
            "inf": -math.inf,
            "tup": (1, 2),
        }
    )
    assert payload == {"t": [1.0, "NaN"], "n": 2.5, "i": 3, "inf": "-Infinity", "tup": [1, 2]}
    assert dumps({"b": 1, "a": 2}).index('"a"') < dumps({"b": 1, "a": 2}).index(
        '"b"'
    )  # sorted keys
    with pytest.raises(TypeError, match="cannot write"):
        to_payload({"x": object()})
