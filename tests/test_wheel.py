"""The built wheel works on its own: installed into a fresh virtual environment, `physcheck run`
from an empty folder finds the demo weights (package data) and builds its data set into the
per-user cache. The venv sees this interpreter's site-packages (torch and the other
dependencies are not downloaded again), but not this checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("physcheck-*.whl")
    return path


def test_the_wheel_carries_the_demo_weights_manifests_schema_and_license(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "physcheck/models/weights/demo.pt",
        "physcheck/models/weights/demo.json",
        "physcheck/manifests/default.json",
        "physcheck/manifests/smoke.json",
        "physcheck/manifests/datasets/mhd64.json",
        "physcheck/manifests/datasets/smoke.json",
        "physcheck/schemas/results-v1.json",
        "physcheck/py.typed",
    ):
        assert needed in names, f"{needed} is not in {wheel.name}"
    assert any(n.endswith("LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Classifier: Framework :: Pytest" in text
    assert "Classifier: Programming Language :: Python :: 3.10" in text
    # runtime needs neither the benchmark plugin nor Hypothesis (extras), tomli only before 3.11
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
    runtime = [r for r in requires if "extra ==" not in r]
    assert not any("pytest-benchmark" in r or "hypothesis" in r for r in runtime), runtime
    assert any(r.startswith("Requires-Dist: tomli") and "python_version" in r for r in runtime)


@pytest.mark.slow  # a fresh venv and a wheel build
def test_physcheck_run_from_an_empty_folder_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], check=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHONPATH", "PYTEST_", "PHYSCHECK_"))
    }
    env.update(PHYSCHECK_DATASET="smoke", PHYSCHECK_CACHE=str(tmp_path / "cache"), OMP_NUM_THREADS="1")
    where = subprocess.run(
        [str(python), "-c", "import physcheck, sys; print(physcheck.__file__)"],
        cwd=empty, env=env, capture_output=True, text=True, check=True,
    )
    assert str(venv) in where.stdout, f"the venv imports physcheck from {where.stdout}"
    run = subprocess.run(
        [str(venv / "bin" / "physcheck"), "run", "--calibrate", "--physcheck-checks", "finite,vrmse,skill", "--physcheck-json", "results.json", "-q"],
        cwd=empty, env=env, capture_output=True, text=True, timeout=1200,
    )
    output = run.stdout + run.stderr
    assert "building the smoke data set" in output
    assert "PytestAssertRewriteWarning" not in output
    assert run.returncode in (0, 1), output[-3000:]  # 1: the demo fails a check, as a gate should
    results = json.loads((empty / "results.json").read_text())
    assert {r["model"] for r in results["results"]} == {"demo", "reference"}
    assert all(r["passed"] for r in results["results"] if r["model"] == "reference")
    assert not (empty / "fixtures").exists()
    # caches are tagged, so that backup tools skip them
    assert (tmp_path / "cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (empty / ".physcheck-cache" / "CACHEDIR.TAG").is_file()
