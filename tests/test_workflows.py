"""The GitHub workflows are valid (schema-checked as GitHub's) and the CPU one runs .ci/run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_are_a_cpu_and_a_gpu_workflow() -> None:
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "gpu-gate.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(path: Path) -> None:
    pytest.importorskip(
        "check_jsonschema", reason="install the test extra: pip install -e '.[test]'"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cpu_workflow_runs_exactly_the_ci_script() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    runs = [step["run"] for step in workflow["jobs"]["cpu"]["steps"] if "run" in step]
    assert runs == ["bash .ci/run"]
    script = (ROOT / ".ci" / "run").read_text()
    for command in ("ruff check", "mypy physcheck", "python -m pytest -q", "-m benchmark"):
        assert command in script


def test_timed_benchmarks_keep_their_json_as_an_artifact() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["benchmarks"]
    run = "\n".join(step.get("run", "") for step in job["steps"])
    assert (
        "-m benchmark --benchmark-enable tests/benchmarks --benchmark-json benchmarks.json" in run
    )
    uploads = [
        s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert uploads and uploads[0]["with"]["path"] == "benchmarks.json"


def test_gpu_workflow_gates_with_pytest_m_gpu_and_uploads_artifacts() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "gpu-gate.yml").read_text())
    job = workflow["jobs"]["gate"]
    assert "self-hosted" in job["runs-on"]
    run = "\n".join(step.get("run", "") for step in job["steps"])
    assert (
        "python -m pytest -m gpu -p physcheck" in run
        and "--physcheck-json" in run
        and "--physcheck-report" in run
    )
    uploads = [
        step
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert uploads and uploads[0]["if"] == "always()"
    assert "__snapshots__" in uploads[0]["with"]["path"]


def test_readme_shows_the_ci_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python -m pytest -q" in readme and "physcheck run" in readme
