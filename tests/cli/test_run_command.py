"""``physcheck run``: the main job's defaults (the demo where no model is configured, the oracle
with ``--calibrate``, no snapshot tests) and how the user's options replace them."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import physcheck.cli.run as run_command


@pytest.fixture
def passed_to_pytest(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr(run_command, "run_pytest", lambda args: calls.append(list(args)) or 0)
    return calls


def fallbacks(args: list[str]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == "--physcheck-fallback-model"]


def test_the_main_job_falls_back_to_the_demo_without_snapshots(
    passed_to_pytest: list[list[str]],
) -> None:
    assert run_command.main([]) == 0
    (args,) = passed_to_pytest
    assert args[:3] == ["--physcheck-only", "-p", "no:cacheprovider"]
    assert args[3:5] == run_command.NO_REWRITE_WARNING
    assert "--physcheck-no-snapshot" in args
    assert "--physcheck-model" not in args  # a configured model is never overridden
    assert fallbacks(args) == ["demo=demo"]


def test_calibrate_adds_the_oracle_to_the_defaults(passed_to_pytest: list[list[str]]) -> None:
    run_command.main(["--calibrate"])
    (args,) = passed_to_pytest
    assert "--calibrate" not in args
    assert fallbacks(args) == ["demo=demo", "reference=reference"]


def test_given_models_and_snapshot_options_are_passed_on(
    passed_to_pytest: list[list[str]],
) -> None:
    run_command.main(["--physcheck-model", "mine=pkg.mod:make", "--physcheck-with-snapshots"])
    run_command.main(["--snapshot-update"])
    kept, update = passed_to_pytest
    assert "--physcheck-no-snapshot" not in kept and "--physcheck-with-snapshots" not in kept
    assert [kept[i + 1] for i, a in enumerate(kept) if a == "--physcheck-model"] == [
        "mine=pkg.mod:make"
    ]
    assert "--physcheck-no-snapshot" not in update and "--snapshot-update" in update


REPO = Path(__file__).resolve().parents[2]


def physcheck_run(cwd: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """``python -m physcheck run ARGS`` in a fresh process in ``cwd``, as a user's shell
    starts it (this session's data set, one torch thread)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env.update(OMP_NUM_THREADS="1", **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "physcheck", "run", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_importing_the_projects_conftests_changes_no_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [k for k in os.environ if k.startswith("PHYSCHECK_")]:
        monkeypatch.delenv(name)  # as in a user's shell
    before = dict(os.environ)
    runpy.run_path(str(REPO / "conftest.py"))
    runpy.run_path(str(REPO / "tests" / "conftest.py"))
    assert dict(os.environ) == before


def test_the_main_job_names_the_same_data_from_the_checkout_and_elsewhere(tmp_path: Path) -> None:
    provenance = []
    for where in (REPO, tmp_path):
        out = tmp_path / f"{len(provenance)}.json"
        args = ("--physcheck-window", "3:3:2", "--physcheck-checks", "finite")
        done = physcheck_run(where, *args, "--physcheck-json", str(out), "-q")
        assert done.returncode == 0, done.stdout + done.stderr
        document = json.loads(out.read_text())
        assert document["settings"]["models"] == {"demo": "demo"}
        provenance.append(document["provenance"]["data"])
    assert provenance[0] == provenance[1]
    assert all(f["sha256"] for f in provenance[0]["files"])


def test_a_session_that_ends_abruptly_with_status_0_fails_the_run(tmp_path: Path) -> None:
    model = "x=tests.zoo.faults:exits_with_status_0"
    done = physcheck_run(
        tmp_path,
        *("--physcheck-model", model, "--physcheck-window", "3:1:4"),
        *("--physcheck-checks", "finite", "--physcheck-json", "out.json"),
        PYTHONPATH=str(REPO),  # the model lives in this checkout's tests
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the pytest session ended before it finished (exit status 0)" in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_finished_session_keeps_its_status(tmp_path: Path) -> None:
    done = physcheck_run(
        tmp_path,
        *("--physcheck-model", "p=persistence", "--physcheck-window", "3:1:4"),
        *("--physcheck-checks", "finite,dynamics"),
    )
    assert done.returncode == 1, done.stdout + done.stderr  # persistence fails dynamics
    assert "ended before it finished" not in done.stderr


def test_a_command_line_pytest_refuses_is_its_error_not_a_crash(tmp_path: Path) -> None:
    done = physcheck_run(tmp_path, "--physcheck-windw", "3:1:4")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "unrecognized arguments: --physcheck-windw" in done.stderr
    assert "ended before it finished" not in done.stderr
