"""A user's own project, as a pytest user expects it to behave: a model configured in
``[tool.physcheck]`` and importable only from the project's folder, tests of its own, and
physcheck's suite joining the run only when no test path is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from physcheck.datasets import dataset_dir

MODEL = '''
import torch


class Hold:
    """Holds the last input frame (a stand-in for the user's own surrogate)."""

    n_history = 1

    def step(self, history: torch.Tensor) -> torch.Tensor:
        return history[:, -1].clone()


def make() -> Hold:
    return Hold()
'''

USER_TEST = '''
import os

import torch

THREADS_AT_IMPORT = torch.get_num_threads()


def test_mine() -> None:
    wanted = os.environ.get("EXPECT_THREADS")
    if wanted:
        assert torch.get_num_threads() == int(wanted)
    assert torch.get_num_threads() == THREADS_AT_IMPORT
'''


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    smoke = dataset_dir("smoke").as_posix()
    pytester.makepyprojecttoml(
        f"""
        [tool.pytest.ini_options]
        testpaths = ["tests"]

        [tool.physcheck]
        models = {{ mine = "mysurr.m:make" }}
        data = "{smoke}"
        window = "3:1:3"
        trajectories = "0"
        checks = ["finite", "vrmse"]
        snapshot = false
        cache = false
        """
    )
    package = pytester.mkpydir("mysurr")
    (package / "m.py").write_text(MODEL)
    tests = pytester.mkdir("tests")
    (tests / "test_mine.py").write_text(USER_TEST)
    return pytester


def run(project: pytest.Pytester, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh process in the project's folder (no PYTHONPATH to the project: the model must be
    found from the rootdir), as a user's shell would start it."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OMP_NUM_THREADS")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args, "-p", "no:cacheprovider"],
        cwd=project.path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def lines(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def test_physcheck_run_gates_the_configured_model_only(project: pytest.Pytester) -> None:
    result = run(project, "-m", "physcheck", "run", "-v")
    out = lines(result)
    assert "finite[mine-traj0] PASSED" in out, out
    assert "demo" not in out.replace("--physcheck", ""), out
    assert "test_mine" not in out


def test_a_named_test_file_runs_only_that_file(project: pytest.Pytester) -> None:
    result = run(project, "-m", "pytest", "tests/test_mine.py", "-v")
    out = lines(result)
    assert result.returncode == 0, out
    assert "test_mine.py::test_mine PASSED" in out
    assert "physcheck::" not in out
    assert "1 passed" in out


def test_a_plain_pytest_runs_the_users_tests_and_the_suite(project: pytest.Pytester) -> None:
    result = run(project, "-m", "pytest", "-v")
    out = lines(result)
    assert "test_mine.py::test_mine PASSED" in out, out
    assert "physcheck::finite[mine-traj0] PASSED" in out
    assert "physcheck::vrmse[mine]" in out


def test_physics_items_are_selected_by_node_id_beside_a_file(project: pytest.Pytester) -> None:
    result = run(project, "-m", "pytest", "tests/test_mine.py", "physcheck::finite", "-v")
    out = lines(result)
    assert result.returncode == 0, out
    assert "test_mine.py::test_mine PASSED" in out
    assert "physcheck::finite[mine-traj0] PASSED" in out
    assert "vrmse" not in out


def test_a_negated_gpu_marker_runs_the_cpu_items(project: pytest.Pytester) -> None:
    result = run(project, "-m", "pytest", "-m", "not (gpu)", "-v")
    out = lines(result)
    assert result.returncode in (0, 1), out  # not a usage error (4)
    assert "physcheck::finite[mine-traj0] PASSED" in out
    assert "test_mine.py::test_mine PASSED" in out


def test_the_users_thread_setting_holds_inside_their_tests(project: pytest.Pytester) -> None:
    result = run(project, "-m", "pytest", "-v", OMP_NUM_THREADS="1", EXPECT_THREADS="1")
    out = lines(result)
    assert "test_mine.py::test_mine PASSED" in out, out
    assert "physcheck::finite[mine-traj0] PASSED" in out


def test_a_model_module_that_cannot_be_found_says_where_it_looked(
    project: pytest.Pytester,
) -> None:
    (project.path / "mysurr" / "m.py").rename(project.path / "mysurr" / "other.py")
    result = run(project, "-m", "physcheck", "run")
    out = lines(result)
    assert result.returncode == 4, out
    assert "cannot import 'mysurr.m'" in out
    assert str(Path(project.path).resolve()) in out
