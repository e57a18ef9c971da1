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


def test_gpu_workflow_gates_through_the_gate_script_and_uploads_artifacts() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "gpu-gate.yml").read_text())
    job = workflow["jobs"]["gate"]
    assert "self-hosted" in job["runs-on"]
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs[1:3] == [
        "bash .github/gpu-gate.sh install-walrus",
        "bash .github/gpu-gate.sh gate",
    ]
    comment = next(step for step in job["steps"] if "gh pr comment" in step.get("run", ""))
    assert "github.event_name == 'pull_request'" in comment["if"]
    assert "steps.gate.outputs.scorecard" in comment["run"]
    assert comment["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert workflow["permissions"]["pull-requests"] == "write"
    script = (ROOT / ".github" / "gpu-gate.sh").read_text()
    for text in (
        "python -m pytest",
        '-m "${PHYSCHECK_GATE_MARKER:-gpu}" -p physcheck',
        "--physcheck-json",
        "--physcheck-report",
        "--snapshot-update",
        "git+${repo}@${ref}",
    ):
        assert text in script
    uploads = {
        step["with"]["name"]: step
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/upload-artifact")
    }
    assert uploads["physcheck-gate"]["if"] == "always()"
    assert uploads["physcheck-gate"]["with"]["path"] == "out/"
    new = uploads["physcheck-new-snapshots"]
    assert "steps.gate.outputs.first_run == 'true'" in new["if"]
    assert new["with"]["path"] == "out/new-snapshots/"
    gate = next(step for step in job["steps"] if step.get("id") == "gate")
    assert gate["run"] == "bash .github/gpu-gate.sh gate"


def test_gpu_workflow_pins_walrus_by_inputs_with_variable_fallbacks() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "gpu-gate.yml").read_text())
    inputs = workflow[True]["workflow_dispatch"]["inputs"]  # YAML 1.1 reads `on` as True
    assert {"model_spec", "walrus_repo", "walrus_ref"} <= set(inputs)
    env = workflow["jobs"]["gate"]["env"]
    assert env["PHYSCHECK_WALRUS_REPO"] == "${{ inputs.walrus_repo || vars.PHYSCHECK_WALRUS_REPO }}"
    assert env["PHYSCHECK_WALRUS_REF"] == "${{ inputs.walrus_ref || vars.PHYSCHECK_WALRUS_REF }}"
    assert env["PHYSCHECK_MODEL_SPEC"] == "${{ inputs.model_spec || vars.PHYSCHECK_MODEL_SPEC }}"
    header = (ROOT / ".github" / "workflows" / "gpu-gate.yml").read_text().split("name:")[0]
    assert "PHYSCHECK_WALRUS_REPO" in header and "PHYSCHECK_WALRUS_REF" in header


def test_gpu_workflow_runs_on_changes_to_the_configured_snapshots_and_config() -> None:
    from physcheck.config import build_settings
    from physcheck.config.files import read_file_settings

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "gpu-gate.yml").read_text())
    paths = workflow[True]["push"]["paths"]
    snapshot_dir = build_settings(read_file_settings(ROOT), {}).snapshot_dir
    assert f"{snapshot_dir}/**" in paths
    assert (ROOT / snapshot_dir).is_dir()
    assert {"pyproject.toml", "physcheck.toml", ".github/gpu-gate.sh"} <= set(paths)


def test_readme_shows_the_ci_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python -m pytest -q" in readme and "physcheck run" in readme


def test_readme_documents_the_gpu_gate_wiring() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## CI: a CPU job and a GPU gate")[1].split("\n## ")[0]
    for text in (
        "PHYSCHECK_WALRUS_REPO",
        "PHYSCHECK_WALRUS_REF",
        "physcheck-new-snapshots",
        "tests/__snapshots__/physcheck",
    ):
        assert text in section
