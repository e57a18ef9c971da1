"""``physcheck bench``: the phases of one gate add up to its wall time, each variant's model
forwards are booked apart, physcheck's share and the projection follow from them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from physcheck.bench import LOADING, MHD64_TEST_TRAJECTORIES, OTHER, Bench, Scaling, bench, table
from physcheck.cli import main
from physcheck.config import build_settings


def test_the_phases_add_up_to_the_wall_time_and_name_each_variant() -> None:
    settings = build_settings(
        {"cache": False},
        {"models": ["demo=demo"], "window": "3:3:5", "trajectories": "0-1", "perturbations": "1"},
    )
    started = time.perf_counter()
    result = bench(settings, "demo")
    outside = time.perf_counter() - started
    assert abs(sum(result.seconds.values()) - result.wall) <= 0.05 * result.wall
    assert result.wall <= outside
    forwards = {n for n in result.seconds if n.startswith("model forward")}
    assert {"model forward (base)", "model forward (float64)", "model forward (equivariance)"} <= forwards
    assert any("noise0" in n for n in forwards)
    for phase in ("diagnostics", "data reading", "checks", "outputs", "model loading"):
        assert result.seconds.get(phase, 0) > 0, phase
    assert 0 < result.physcheck_share < 1
    assert result.projected_minutes(50, 8) < result.projected_minutes(50, 1)
    assert result.projected_minutes(50, 8, 0.5) > result.projected_minutes(50, 8, 1.0)
    assert result.projected_minutes(50, 1, 0.5) == result.projected_minutes(50, 1, 1.0)
    text = table(result, test_trajectories=MHD64_TEST_TRAJECTORIES, devices=[1, 8], efficiency=1.0)
    assert "| **sum of the phases** |" in text and "physcheck's own share" in text


def test_the_command_prints_the_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "bench.json"
    status = main(
        [
            "bench", "--physcheck-model", "p=persistence", "--physcheck-window", "3:1:4",
            "--physcheck-trajectories", "0", "--physcheck-perturbations", "0",
            "--physcheck-checks", "finite,vrmse", "--devices", "1,4", "--json", str(target), "-q", "-q",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "physcheck bench: p on cpu, 1 trajectories x 4 steps" in out
    assert "on 4 device(s)" in out
    written = json.loads(target.read_text())
    assert abs(written["phases_sum_seconds"] - written["wall_seconds"]) <= 0.05 * written["wall_seconds"]
    assert set(written["projection"]["minutes"]) == {"1", "4"}


def test_a_bad_option_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--physcheck-model", "p=persistence", "--devices", "0"]) == 4
    assert capsys.readouterr().err.startswith("ERROR: physcheck: ")


def _serial(wall: float, fixed: float) -> Bench:
    return Bench(
        model="m", wall=wall, seconds={LOADING: fixed, OTHER: wall - fixed}, counts={},
        trajectories=4, steps=10, device="cpu",
    )


def test_the_scaling_efficiency_is_the_serial_work_over_the_workers_time() -> None:
    serial = _serial(10.0, 2.0)  # 8 s of per-trajectory work
    assert Scaling(workers=2, wall=6.0, serial=serial).efficiency == pytest.approx(1.0)
    assert Scaling(workers=2, wall=10.0, serial=serial).efficiency == pytest.approx(0.5)
    assert Scaling(workers=4, wall=10.0, serial=serial).efficiency == pytest.approx(0.25)
    text = table(
        serial, test_trajectories=50, devices=[1, 8], efficiency=0.5,
        scaling=Scaling(workers=2, wall=10.0, serial=serial),
    )
    assert "on 2 Dask worker processes" in text and "efficiency 0.50" in text
    assert "on 8 device(s): " in text and "(scaling efficiency 0.5, measured)" in text


def test_the_command_measures_the_scaling_on_local_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "bench.json"
    status = main(
        [
            "bench", "--physcheck-model", "p=persistence", "--physcheck-window", "3:1:4",
            "--physcheck-trajectories", "0-1", "--physcheck-perturbations", "0",
            "--physcheck-checks", "finite,vrmse", "--scaling", "2", "--json", str(target), "-q", "-q",
        ]
    )
    assert status == 0
    written = json.loads(target.read_text())
    measured = written["projection"]["scaling"]
    assert measured["workers"] == 2 and measured["wall_seconds"] > 0
    assert written["projection"]["efficiency"] == pytest.approx(min(1.0, measured["efficiency"]))
    assert "measured scaling: the same gate on 2 Dask worker processes" in capsys.readouterr().out
