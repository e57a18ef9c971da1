"""The GPU gate's script (.github/gpu-gate.sh) on a CPU, without network: Walrus installed from a
pinned local git source (a stand-in package named ``walrus`` with the real forward signature,
tests/models/walrus_standin.py) the way the workflow installs it, then gated through a
``walrus:CONFIG.yaml:CKPT.pt`` spec on the 16^3 smoke data: the first run writes the snapshots
and still gates on physics, the next compares with them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.models.walrus_standin import IsotropicModelStandIn

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".github" / "gpu-gate.sh"
SMOKE = ROOT / "fixtures" / "smoke"
SNAPDIR = "snaps/physcheck"
# the smoke set's first trajectory, 4 predicted steps after a 3-frame history (the config's)
GATE_ARGS = ["--physcheck-trajectories", "0", "-p", "no:cacheprovider"]
PASSING_CHECKS = ["--physcheck-checks", "finite,solenoidality"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=physcheck", "-c", "user.email=gate@physcheck.test", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def run_script(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PHYSCHECK_"))}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=cwd,
        env={**base, "OMP_NUM_THREADS": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def pinned_source(repo: Path, files: dict[str, str]) -> tuple[str, str]:
    """A git repository with one commit holding ``files`` as a package named ``walrus``:
    (file URL, full commit hash)."""
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "walrus"\nversion = "0.0.0"\n\n'
        '[tool.setuptools.packages.find]\ninclude = ["walrus*"]\n'
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "walrus")
    return repo.as_uri(), git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pinned_walrus(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The stand-in as ``walrus.models.IsotropicModel`` at a pinned local commit."""
    standin = (ROOT / "tests" / "models" / "walrus_standin.py").read_text()
    return pinned_source(
        tmp_path_factory.mktemp("walrus-source"),
        {
            "walrus/__init__.py": '"""Stand-in for Polymathic\'s walrus."""\n',
            "walrus/models/__init__.py": standin + "\n\nIsotropicModel = IsotropicModelStandIn\n",
        },
    )


def install(url: str, commit: str, target: Path) -> subprocess.CompletedProcess[str]:
    """The script's install step, offline, into ``target`` (the environment is left alone)."""
    pytest.importorskip("setuptools", reason="building the stand-in walrus needs setuptools")
    pip_args = ["--no-deps", "--no-build-isolation", "--no-index", "--target", str(target)]
    return run_script(
        "install-walrus",
        *pip_args,
        cwd=target,
        env={
            "PHYSCHECK_WALRUS_REPO": url,
            "PHYSCHECK_WALRUS_REF": commit,
            "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)]),
        },
    )


@pytest.mark.parametrize(
    ("repo", "ref", "message"),
    [
        ("file:///nowhere", "", "no pinned Walrus commit"),
        ("file:///nowhere", "main", "is not a full commit hash"),
        ("file:///nowhere", "0123abc", "is not a full commit hash"),
        ("", "0" * 40, "no Walrus source"),
    ],
)
def test_install_refuses_without_a_pinned_commit(
    tmp_path: Path, repo: str, ref: str, message: str
) -> None:
    env = {"PHYSCHECK_WALRUS_REPO": repo, "PHYSCHECK_WALRUS_REF": ref}
    result = run_script("install-walrus", "--target", str(tmp_path / "t"), cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "installing" not in result.stdout and not (tmp_path / "t").exists()


@pytest.fixture(scope="module")
def installed_walrus(
    pinned_walrus: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The stand-in installed by the script from its pinned commit, offline, into its own dir."""
    target = tmp_path_factory.mktemp("walrus-installed")
    url, commit = pinned_walrus
    result = install(url, commit, target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"from {url} at {commit}" in result.stdout
    assert "Polymathic's walrus is importable" in result.stdout
    assert (target / "walrus" / "models" / "__init__.py").is_file()
    return target


def test_install_stops_when_the_pinned_walrus_is_the_redis_library(tmp_path: Path) -> None:
    url, commit = pinned_source(
        tmp_path / "source", {"walrus/__init__.py": "class Database:\n    pass\n"}
    )
    (tmp_path / "target").mkdir()
    result = install(url, commit, tmp_path / "target")
    assert (tmp_path / "target" / "walrus" / "__init__.py").is_file()  # pip did install it
    assert result.returncode == 1
    assert "physcheck gate: the installed `walrus`" in result.stderr
    assert "Redis library from PyPI" in result.stderr


def first_number(node: Any, path: str = "") -> str | None:
    """The dotted path of the first non-zero number outside ``_meta``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "_meta" and (found := first_number(value, f"{path}.{key}" if path else key)):
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if found := first_number(value, f"{path}.{i}"):
                return found
    elif isinstance(node, float) and node != 0:
        return path
    return None


def scale(node: Any, path: list[str], factor: float) -> None:
    key: Any = int(path[0]) if isinstance(node, list) else path[0]
    if len(path) == 1:
        node[key] *= factor
    else:
        scale(node[key], path[1:], factor)


@pytest.fixture
def project(tmp_path: Path, installed_walrus: Path) -> tuple[Path, dict[str, str]]:
    """A project whose [tool.physcheck] keeps snapshots in snaps/physcheck (which already holds
    another model's file), a Walrus config and checkpoint for the stand-in, and the gate's env."""
    pytest.importorskip("hydra", reason="a walrus: spec needs hydra-core (the test extra)")
    (tmp_path / "pyproject.toml").write_text(f'[tool.physcheck]\nsnapshot_dir = "{SNAPDIR}"\n')
    (tmp_path / SNAPDIR).mkdir(parents=True)
    (tmp_path / SNAPDIR / "other-traj0.json").write_text('{"kept": 1.0}\n')
    (tmp_path / "walrus.yaml").write_text(
        "model:\n  _target_: walrus.models.IsotropicModel\n"
        "data:\n  module_parameters:\n    n_steps_input: 3\n"
    )
    torch.save({"app": {"model": IsotropicModelStandIn().state_dict()}}, tmp_path / "walrus.pt")
    pythonpath = [str(installed_walrus), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in pythonpath if p),
        "PHYSCHECK_MODEL_SPEC": f"walrus:{tmp_path / 'walrus.yaml'}:{tmp_path / 'walrus.pt'}",
        "PHYSCHECK_DATA": str(SMOKE),
        "PHYSCHECK_WINDOW": "3:3:4",
        "PHYSCHECK_GATE_MARKER": "physics",  # items are marked gpu only on CUDA
        "PHYSCHECK_GATE_DEVICE": "cpu",
        "PHYSCHECK_CACHE": str(tmp_path / "user-cache"),
    }
    return tmp_path, env


def gate(
    project: tuple[Path, dict[str, str]], run: str, *extra: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One gate run with its own out dir, step summary and outputs file."""
    cwd, env = project
    out = cwd / f"out-{run}"
    result = run_script(
        "gate",
        *GATE_ARGS,
        *extra,
        cwd=cwd,
        env={
            **env,
            "PHYSCHECK_GATE_OUT": str(out),
            "GITHUB_STEP_SUMMARY": str(cwd / f"summary-{run}.md"),
            "GITHUB_OUTPUT": str(cwd / f"outputs-{run}"),
        },
    )
    return result, out


def outcomes(out: Path) -> dict[str, bool]:
    """check -> passed, from the run's results file."""
    document = json.loads((out / "results.json").read_text())
    return {r["check"]: r["passed"] for r in document["results"]}


def test_first_run_writes_the_snapshots_then_later_runs_compare(
    project: tuple[Path, dict[str, str]],
) -> None:
    cwd, _ = project
    snapshot = cwd / SNAPDIR / "candidate-traj0.json"

    first, out = gate(project, "first", *PASSING_CHECKS)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "first run: no snapshot of candidate in snaps/physcheck" in first.stdout
    assert "created snapshot snaps/physcheck/candidate-traj0.json" in first.stdout
    assert outcomes(out) == {"finite": True, "solenoidality": True}
    written = snapshot.read_text()
    assert json.loads(written)["_meta"]["window"]
    assert (out / "new-snapshots" / SNAPDIR / "candidate-traj0.json").read_text() == written
    assert (cwd / SNAPDIR / "other-traj0.json").read_text() == '{"kept": 1.0}\n'
    assert (cwd / "outputs-first").read_text().splitlines() == [
        f"snapshot_dir={SNAPDIR}",
        "first_run=true",
    ]
    summary = (cwd / "summary-first.md").read_text()
    assert "passed" in summary and "physcheck-new-snapshots" in summary
    assert (out / "pytest.log").read_text() in first.stdout

    second, out = gate(project, "second", *PASSING_CHECKS)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "comparing with the snapshots of candidate in snaps/physcheck" in second.stdout
    assert "first_run=false" in (cwd / "outputs-second").read_text()
    assert "Compared with the committed snapshots" in (cwd / "summary-second.md").read_text()
    assert snapshot.read_text() == written and not (out / "new-snapshots").exists()

    document = json.loads(written)
    moved = first_number(document)
    assert moved is not None
    scale(document, moved.split("."), 2.0)
    snapshot.write_text(json.dumps(document))
    third, out = gate(project, "tampered", *PASSING_CHECKS)
    assert third.returncode == 1, third.stdout + third.stderr
    assert "FAILED physcheck::snapshot[candidate-traj0]" in third.stdout
    assert outcomes(out) == {"finite": True, "solenoidality": True}
    assert "failed (pytest exit 1)" in (cwd / "summary-tampered.md").read_text()


def test_a_physics_failure_fails_the_first_run_too(project: tuple[Path, dict[str, str]]) -> None:
    """The stand-in's step-1 VRMSE on the smoke data is above the default bound."""
    cwd, _ = project
    result, out = gate(project, "first", "--physcheck-checks", "finite,vrmse")
    assert result.returncode == 1, result.stdout + result.stderr
    assert outcomes(out) == {"finite": True, "vrmse": False}
    assert "FAILED physcheck::vrmse[candidate]" in result.stdout
    assert "snapshot[candidate-traj0]" not in result.stdout.split("short test summary")[-1]
    assert (cwd / SNAPDIR / "candidate-traj0.json").is_file()
    assert "failed (pytest exit 1)" in (cwd / "summary-first.md").read_text()


@pytest.mark.slow  # two gate runs of the Walrus stand-in
def test_a_baseline_puts_the_scorecard_in_the_step_summary_and_the_outputs(
    project: tuple[Path, dict[str, str]],
) -> None:
    cwd, env = project
    first, out = gate(project, "accepted", *PASSING_CHECKS)
    assert first.returncode == 0, first.stdout + first.stderr
    accepted = cwd / "accepted-results.json"
    accepted.write_text((out / "results.json").read_text())
    env["PHYSCHECK_BASELINE"] = str(accepted)
    second, out = gate(project, "candidate", *PASSING_CHECKS)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "comparing every number with the accepted run" in second.stdout
    compared = json.loads((out / "results.json").read_text())["comparisons"]["candidate"]
    assert {c["verdict"] for c in compared["numbers"]} == {"equivalent"}
    card = (out / "scorecard.md").read_text()
    assert "### `candidate` against `baseline candidate`" in card
    assert card.strip() in (cwd / "summary-candidate.md").read_text()
    assert f"scorecard={out / 'scorecard.md'}" in (cwd / "outputs-candidate").read_text()
    env["PHYSCHECK_BASELINE"] = str(cwd / "missing.json")
    refused, _ = gate(project, "missing", *PASSING_CHECKS)
    assert refused.returncode == 2 and "is neither a file nor a directory" in refused.stderr
