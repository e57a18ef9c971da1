"""``physcheck compare NEW.json OLD.json``: the scorecard on stdout and in a Markdown file,
exit 1 on a regression, 4 for runs that cannot be compared or files that are not results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from physcheck.cli import main
from tests.baseline.test_baseline_gate import NoisyPersistence, run


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    checks = "finite,vrmse,stability_horizon,channel_variance"
    good = run({"m": NoisyPersistence(0, scale=0.01)}, checks=checks)
    bad = run({"m": NoisyPersistence(0, scale=0.5)}, checks=checks)  # much noisier: worse
    return {"good": good, "bad": bad}


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_a_regression_exits_1_and_writes_the_scorecard(
    tmp_path: Path, documents: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    new, old = write(tmp_path, "bad", documents["bad"]), write(tmp_path, "good", documents["good"])
    markdown = tmp_path / "card.md"
    assert main(["compare", new, old, "--markdown", str(markdown)]) == 1
    out = capsys.readouterr().out
    assert "❌ regression" in out and out.strip() == markdown.read_text().strip()


def test_an_improvement_or_the_same_run_exits_0(
    tmp_path: Path, documents: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = write(tmp_path, "good", documents["good"]), write(tmp_path, "bad", documents["bad"])
    assert main(["compare", good, bad]) == 0
    assert "✅ improvement" in capsys.readouterr().out
    assert main(["compare", good, good]) == 0


def test_files_that_cannot_be_compared_exit_4_with_one_line(
    tmp_path: Path, documents: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    other = json.loads(json.dumps(documents["good"]))
    other["settings"]["dtype"] = "float64"
    new, old = write(tmp_path, "good", documents["good"]), write(tmp_path, "other", other)
    assert main(["compare", new, old]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "setting dtype 'float32' against 'float64'" in err
    (tmp_path / "junk.json").write_text("{nope")
    with pytest.raises(SystemExit) as exited:
        main(["compare", new, str(tmp_path / "junk.json")])
    assert exited.value.code == 4 and "is not a results JSON" in capsys.readouterr().err


def test_a_scorecard_that_cannot_be_written_is_one_line(
    tmp_path: Path, documents: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    good = write(tmp_path, "good", documents["good"])
    assert main(["compare", good, good, "--markdown", str(tmp_path / "blocker" / "card.md")]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "card.md: cannot be written" in err
