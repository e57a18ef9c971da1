"""pytest-xdist: the same results as a serial run, each rollout computed once across workers."""

from __future__ import annotations

import difflib
import json

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
import tests.zoo  # noqa: F401

ARGS = [
    "-p",
    "no:cacheprovider",
    "-p",
    "no:benchmark",  # pytest-benchmark warns that xdist disables it
    "-rf",
    "--physcheck-only",
    "--physcheck-window",
    "3:1:12",
    "--physcheck-perturbations",
    "2",
    "--physcheck-no-snapshot",
    "--physcheck-no-cache",
    "--physcheck-model",
    "exact=tests.zoo:exact",
    "--physcheck-model",
    "drain=tests.zoo:mass_drain",
]
COUNTING_CONFTEST = """
import json, os

def pytest_sessionfinish(session):
    plugin = session.config.pluginmanager.get_plugin("physcheck-suite")
    if plugin is None or plugin._suite is None:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    counts = {f"{m}/{v}": n for (m, v), n in plugin._suite.rollout_counts.items()}
    with open(f"counts-{worker}.json", "w") as fh:
        json.dump(counts, fh)
"""


def test_xdist_results_equal_serial_results_and_rollouts_run_once(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    serial = pytester.runpytest(*ARGS, "--physcheck-json", "serial.json")
    assert serial.ret == pytest.ExitCode.TESTS_FAILED  # the drain model fails its mean_field check
    parallel = pytester.runpytest(*ARGS, "-n", "2", "--physcheck-json", "parallel.json")
    assert parallel.ret == pytest.ExitCode.TESTS_FAILED
    parallel.stdout.fnmatch_lines(["*physcheck summary*", "model drain*", "model exact*"])
    # node ids are the serial run's: no scheduling suffix
    failed = [line for line in parallel.stdout.lines if line.startswith("FAILED physcheck::")]
    assert failed and all("@" not in line for line in failed)
    assert sorted(failed) == sorted(
        line for line in serial.stdout.lines if line.startswith("FAILED physcheck::")
    )
    serial_json = (pytester.path / "serial.json").read_text().splitlines()
    parallel_json = (pytester.path / "parallel.json").read_text().splitlines()
    diff = list(difflib.unified_diff(serial_json, parallel_json, "serial", "parallel", n=1))
    assert not diff, "\n".join(diff[:40])
    worker_counts = [json.loads(p.read_text()) for p in pytester.path.glob("counts-gw*.json")]
    assert len(worker_counts) == 2
    total: dict[str, int] = {}
    for counts in worker_counts:
        for key, n in counts.items():
            total[key] = total.get(key, 0) + n
    assert total == {
        f"{m}/{v}": 1 for m in ("exact", "drain") for v in ("base", "float64", "noise0", "noise1")
    }
