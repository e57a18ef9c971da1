"""Prediction formats: one class per format and one registry row, from which the reader, the
export's choices and its file names derive. A format registered by a test is read and
exported like a built-in one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import physcheck.data.formats as formats
from physcheck.config import build_settings
from physcheck.config.settings import SETTINGS_BY_KEY
from physcheck.data.formats import (
    FORMATS,
    ArrayFormat,
    export_suffix,
    format_names,
    format_of,
    register_format,
)
from physcheck.data.predictions import open_predictions, prediction_writer
from physcheck.errors import ConfigError, DataError

#: the data's channels as a Well file lays them out
SOURCES = (
    ("t0_fields", "density", None),
    *(("t1_fields", "magnetic_field", c) for c in range(3)),
    *(("t1_fields", "velocity", c) for c in range(3)),
)
META = {"start_frame": 4, "trajectories": [0, 2], "n_history": 1, "noise_eps": 1e-6, "seed": 3}


def rollout(seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(2, 3, 4, 4, 4, 7, generator=torch.Generator().manual_seed(seed)).to(dtype)


def write(path: Path, rollouts: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    with prediction_writer(path, meta, sources=SOURCES) as writer:
        for variant, frames in rollouts.items():
            sink = writer.sink(variant, tuple(frames.shape), frames.dtype)
            for step in range(1, frames.shape[1] + 1):
                sink(step, frames[:, step - 1])
    return path


class ToyFormat(ArrayFormat):
    """A toy format, registered by the tests only: the npz layout under another suffix and
    other key names."""

    name = "toy"
    suffixes = (".toy",)

    def load(self, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        with np.load(path, allow_pickle=False) as z:
            raw = {k: z[k] for k in z.files}
        rollouts = {k.removeprefix("rollout:"): raw.pop(k) for k in list(raw) if k.startswith("rollout:")}
        return rollouts, raw

    def save(self, tmp: Path, rollouts: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        arrays = {f"rollout:{v}": a for v, a in rollouts.items()}
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays, **{k: np.asarray(v) for k, v in meta.items()})


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> type[ToyFormat]:
    monkeypatch.setattr(formats, "FORMATS", dict(FORMATS))
    register_format(ToyFormat)
    return ToyFormat


def registered() -> list[str]:
    return list(formats.FORMATS)


@pytest.fixture(params=["builtin", "toy"])
def every_format(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "toy":
        request.getfixturevalue("toy")
    return registered()


def test_every_registered_format_round_trips(tmp_path: Path, every_format: list[str]) -> None:
    for name in every_format:
        base, twin = rollout(0), rollout(1, torch.float64)
        path = write(tmp_path / f"p{export_suffix(name)}", {"": base, "float64": twin}, META)
        opened = open_predictions(path, SOURCES)
        assert opened.format == name and opened.variants == ["float64"]
        assert opened.meta == META
        assert opened.shapes == {"": tuple(base.shape), "float64": tuple(twin.shape)}
        assert torch.equal(opened.read(), base)
        assert torch.equal(opened.read("float64", rows=[1], n_steps=2), twin[[1], :2])
        assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file
        path.unlink()


def test_every_suffix_of_a_format_reads_as_it() -> None:
    for name, cls in FORMATS.items():
        for suffix in cls.suffixes:
            assert format_of(f"x/p{suffix.upper()}").name == name


def test_an_unknown_suffix_names_every_format() -> None:
    with pytest.raises(DataError, match=r"must be a \.hdf5/\.h5 \(Well layout\), \.npz or \.pt file"):
        format_of("p.csv")


def test_the_export_format_choices_are_the_registry() -> None:
    setting = SETTINGS_BY_KEY["export_format"]
    assert setting.default == format_names()[0]
    for name in format_names():
        assert setting.parse(name) == name
    with pytest.raises(ConfigError, match="bad export format 'csv': use hdf5 or npz or pt$"):
        setting.parse("csv")
    assert setting.help == "file format of --physcheck-export: hdf5 (Well layout, default), npz or pt"


def test_a_format_registered_later_is_read_and_chosen_for_export(
    tmp_path: Path, toy: type[ToyFormat]
) -> None:
    assert format_names()[-1] == "toy" and export_suffix("toy") == ".toy"
    assert build_settings({}, {"export_format": "toy"}).export_format == "toy"
    path = write(tmp_path / "p.toy", {"": rollout(2)}, {"start_frame": 1})
    opened = open_predictions(path)
    assert opened.format == "toy" and opened.meta == {"start_frame": 1}
    with pytest.raises(DataError, match=r"\.npz, \.pt or \.toy file"):
        format_of("p.csv")


def test_a_format_needs_a_name_and_suffixes_of_its_own(toy: type[ToyFormat]) -> None:
    with pytest.raises(ConfigError, match="exists already"):
        register_format(ToyFormat)

    class Clash(ToyFormat):
        name = "clash"
        suffixes = (".npz",)

    with pytest.raises(ConfigError, match="suffixes of its own"):
        register_format(Clash)


def test_a_registered_format_is_exported_and_gated_end_to_end(
    pytester: pytest.Pytester, toy: type[ToyFormat]
) -> None:
    from tests.reliability.test_catalogue import run

    common = ["--physcheck-no-cache", "--physcheck-checks", "finite"]
    exported = run(
        pytester, "--physcheck-model", "p=persistence", *common,
        "--physcheck-export", "out", "--physcheck-export-format", "toy",
    )  # fmt: skip
    assert exported.ret == pytest.ExitCode.NO_TESTS_COLLECTED, exported.stdout.str()
    assert (pytester.path / "out" / "p.toy").is_file()
    gated = run(pytester, "--physcheck-predictions", "p=out/p.toy", *common)
    gated.assert_outcomes(passed=1)
