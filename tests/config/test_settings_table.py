"""The settings table: one row per setting naming the ``Settings`` field it fills, so that
building the settings and their summary are loops over it (a new setting is one row and one
field)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from physcheck.config import (
    SETTINGS,
    DiagnosticSettings,
    Settings,
    Thresholds,
    build_settings,
    read_file_settings,
)
from physcheck.config.row import Setting
from physcheck.config.table import FILE_KEYS

#: DiagnosticSettings fields that no setting fills (the suite derives them from the data)
DERIVED = {"spacing", "spectrum_fit", "spectrum_cutoff", "equivariance_steps", "equivariance_orbit"}

#: a ``physcheck.toml`` with every file key, each set away from its default
EVERY_KEY = """
models = { m = "demo", p = "persistence+projection" }
predictions = { old = "out/old.npz,start=3" }
data = "data/mhd"
profile = "mhd"
split = "valid"
manifest = "smoke"
window = "paper"
trajectories = "0-2"
device = "cpu"
dtype = "float64"
reference_dtype = "float32"
checks = ["vrmse", "finite"]
thresholds = { vrmse_step1 = 0.7 }
perturbations = 2
noise = 1e-5
seed = 7
executor = "dask://127.0.0.1:8786"
timeout = 12.5
batch = "on"
batch_rows = 3
early_stop = "off"
divergence = "spectral"
vrmse_convention = "ddof0"
spectrum_steps = [2, 4]
guide_axis = 2
json = "out/results.json"
report = "out/report"
baseline = { path = "accepted.json", relative = 0.2, absolute = { "vrmse.step1" = 0.05 } }
compare = ["m=p"]
markdown = "out/scorecard.md"
cache = false
cache_dir = "cache"
snapshot = false
snapshot_dir = "snaps"
snapshot_rtol = 1e-3
snapshot_atol = 1e-9
starts = [17, 3]
threads = 2
step_timeout = 30
allow_skips = true
"""


def every_key(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "physcheck.toml").write_text(EVERY_KEY)
    return read_file_settings(tmp_path)


def row_fields() -> list[str]:
    return [s.field for s in SETTINGS if s.field is not None]


def test_every_rows_field_is_a_settings_field() -> None:
    for path in row_fields():
        value: Any = Settings()
        for part in path.split("."):
            assert hasattr(value, part), f"row field {path!r} is not on Settings"
            value = getattr(value, part)


def test_every_settings_field_is_filled_by_exactly_one_row() -> None:
    paths = row_fields()
    assert len(paths) == len(set(paths)), "two rows fill the same field"
    nested = {f.name for f in dataclasses.fields(DiagnosticSettings)} - DERIVED
    expected = {f.name for f in dataclasses.fields(Settings)} - {"diagnostics"}
    expected |= {f"diagnostics.{name}" for name in nested}
    assert set(paths) == expected


def test_rows_without_a_field_feed_the_models() -> None:
    assert {s.key for s in SETTINGS if s.field is None} == {"predictions", "fallback_models"}


def test_a_toml_file_with_every_key_builds_every_field(tmp_path: Path) -> None:
    raw = every_key(tmp_path)
    assert set(raw) == set(FILE_KEYS), "give every file key a value here"
    settings = build_settings(raw, {})
    default = Settings()
    unchanged = [
        path
        for path in row_fields()
        if path not in ("export_dir", "export_format", "only", "debug")  # command line only
        and settings.get(path) == default.get(path)
    ]
    assert not unchanged, f"file values that did not reach their field: {unchanged}"
    assert [m.text for m in settings.models] == ["demo", "persistence+projection", "saved:out/old.npz,start=3"]
    assert (settings.json_path, settings.report_dir, settings.use_cache) == ("out/results.json", "out/report", False)
    assert settings.batch_variants is True and settings.starts == (3, 17)
    assert settings.diagnostics.divergence_method == "spectral" and settings.diagnostics.noise_eps == 1e-5
    assert settings.thresholds == Thresholds(vrmse_step1=0.7)


def test_the_summary_shows_the_rows_that_say_how(tmp_path: Path) -> None:
    settings = build_settings(every_key(tmp_path), {})
    summary = settings.summary()
    shown = [s.field for s in SETTINGS if s.show is not None and s.field is not None]
    top = {path.split(".")[0] for path in shown}
    assert set(summary) == top
    assert set(summary["diagnostics"]) == {p.split(".", 1)[1] for p in shown if "." in p}
    assert summary["models"] == {"m": "demo", "p": "persistence+projection", "old": "saved:out/old.npz,start=3"}
    assert summary["window"] == "paper" and summary["trajectories"] == [0, 1, 2]
    assert summary["starts"] == [3, 17] and summary["diagnostics"]["spectrum_steps"] == [2, 4]
    assert Settings().summary()["trajectories"] == "all"


def test_the_command_line_wins_and_flags_combine_as_their_row_says() -> None:
    raw = {"cache": True, "thresholds": {"vrmse_step1": 0.7}, "seed": 1}
    cli = {"cache": True, "thresholds": ["skill_ratio=0.9"], "seed": "5", "only": True}
    settings = build_settings(raw, cli)
    assert settings.use_cache is False  # --physcheck-no-cache
    assert settings.only is True  # --physcheck-only
    assert settings.diagnostics.seed == 5
    assert (settings.thresholds.vrmse_step1, settings.thresholds.skill_ratio) == (0.7, 0.9)


def test_a_row_fills_its_own_field_by_default() -> None:
    row = Setting("split", str, "test", "help")
    assert row.field == "split"
    assert Setting("x", str, "", "help", field=None).field is None


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_default_parses(setting: Setting) -> None:
    value = setting.value({}, {})
    if setting.field is not None and value is not None:
        assert value == Settings().get(setting.field) or setting.key == "models"
