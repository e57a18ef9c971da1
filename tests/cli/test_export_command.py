"""``physcheck export`` without pytest: it reads the settings a pytest run in the same folder
reads (the same rootdir), refuses bad options with one line and status 4, and fails (status 1)
when a model ends the process mid-export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.config.findpaths import determine_setup

from physcheck.config.files import find_rootdir
from physcheck.data.predictions import open_predictions

REPO = Path(__file__).resolve().parents[2]
SMALL = ("--physcheck-window", "3:1:4", "--physcheck-trajectories", "0", "--physcheck-no-cache")


def physcheck_export(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m physcheck export ARGS`` in a fresh process in ``cwd`` (this checkout's
    package and test models importable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "physcheck", "export", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({}, "project/sub"),
        ({"project/pyproject.toml": "[tool.physcheck]\n"}, "project"),
        ({"project/pyproject.toml": "[tool.pytest.ini_options]\n", "project/sub/pyproject.toml": ""}, "project"),
        ({"project/tox.ini": "[pytest]\n", "project/sub/tox.ini": "[tox]\n"}, "project"),
        ({"project/setup.cfg": "[tool:pytest]\n", "project/sub/setup.py": ""}, "project"),
        ({"project/setup.py": "", "project/sub/setup.cfg": "[metadata]\n"}, "project"),
        ({"project/pytest.ini": "", "project/sub/pyproject.toml": "[tool.black]\n"}, "project"),
        ({"project/sub/pyproject.toml": "[tool.physcheck]\n", "project/setup.py": ""}, "project/sub"),
    ],
)
def test_the_rootdir_is_the_one_pytest_finds(tmp_path: Path, files: dict[str, str], where: str) -> None:
    start = tmp_path / "project" / "sub"
    start.mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    pytests = determine_setup(
        inifile=None, override_ini=None, args=[], rootdir_cmd_arg=None, invocation_dir=start
    )[0]
    assert find_rootdir(start) == pytests
    if files:  # with no marker at all pytest may find one above tmp_path
        assert find_rootdir(start) == tmp_path / where


def test_an_export_reads_the_projects_settings_and_writes_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.physcheck]\nwindow = "4:1:3"\nchecks = ["finite"]\n')
    (tmp_path / "sub").mkdir()
    done = physcheck_export(
        tmp_path / "sub",
        "out",
        *("--physcheck-model", "p=persistence", "--physcheck-trajectories", "0"),
        *("--physcheck-export-format", "npz"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "physcheck: exported p: out/p.npz (gate it with --physcheck-predictions p=out/p.npz)" in done.stdout
    meta = open_predictions(tmp_path / "sub" / "out" / "p.npz").meta
    assert meta["start_frame"] == 4 and meta["trajectories"] == [0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--physcheck-bogus", "1"), "unrecognized arguments: --physcheck-bogus"),
        (("--physcheck-window", "nonsense"), "window"),
        (("--physcheck-model", "p=nosuch"), "unknown model spec 'nosuch'"),
    ],
)
def test_a_refused_export_is_one_line_with_status_4(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    done = physcheck_export(tmp_path, "out", *SMALL, *args)
    assert done.returncode == 4, done.stdout + done.stderr
    assert done.stderr.startswith("ERROR: physcheck: ") and said in done.stderr
    assert "Traceback" not in done.stderr and "ended before it finished" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_model_that_ends_the_process_fails_the_export(tmp_path: Path) -> None:
    model = "x=tests.zoo.faults:exits_with_status_0"
    done = physcheck_export(tmp_path, "out", *SMALL, "--physcheck-model", model)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "physcheck: the export ended before it finished (exit status 0)" in done.stderr
    assert not (tmp_path / "out" / "x.hdf5").exists()


def test_a_check_registered_in_the_projects_conftest_decides_what_is_exported(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.physcheck]\nchecks = ["finite", "my_spread"]\n')
    (tmp_path / "conftest.py").write_text(
        "import physcheck\n"
        "physcheck.register_check('my_spread', 'physcheck.checks:run_checks', summary='a user check',"
        " needs=('perturbed',))\n"
    )
    done = physcheck_export(
        tmp_path, "out", *SMALL, "--physcheck-model", "p=persistence", "--physcheck-export-format", "npz"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    exported = open_predictions(tmp_path / "out" / "p.npz")
    assert "noise0" in exported.variants and "float64" not in exported.variants
