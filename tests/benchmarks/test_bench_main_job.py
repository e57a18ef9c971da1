"""The main job as a user starts it: ``physcheck run`` from an empty folder, in a fresh
process, after the one-time data build; its wall time, and that its outputs name the set they
ran on.

The data set is the test session's (``PHYSCHECK_DATASET``: the 16^3 smoke set unless set).
The README's figure is the 32^3 default set on two cores:
``PHYSCHECK_DATASET=default python -m pytest -m benchmark --benchmark-enable
tests/benchmarks/test_bench_main_job.py``. ``extra_info`` holds the seconds and the verdicts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from physcheck.datasets import default_dataset, default_name


def test_main_job_wall_time(benchmark: Any, tmp_path: Path) -> None:
    default_dataset()  # the one-time build is not part of the job's time
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    outcome: dict[str, Any] = {}

    def run() -> None:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "physcheck", "run", "--physcheck-json", "results.json", "-q"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        outcome["seconds"] = time.perf_counter() - start
        outcome["code"] = done.returncode
        outcome["output"] = done.stdout + done.stderr

    benchmark.pedantic(run, rounds=1, iterations=1)
    assert outcome["code"] in (0, 1), outcome["output"][-3000:]
    document = json.loads((tmp_path / "results.json").read_text())
    set_name = default_name()
    assert document["settings"]["data"] == f"physcheck set {set_name!r}"
    assert document["provenance"]["data"]["recipe"] == set_name
    assert all(f["sha256"] for f in document["provenance"]["data"]["files"])
    assert set(document["models"]) == {"demo"}
    failed = sorted(
        {r["check"] for r in document["results"] if not r["passed"] and not r.get("skipped")}
    )
    benchmark.extra_info.update(
        seconds=round(outcome["seconds"], 1), data=set_name, failing_checks=failed
    )
