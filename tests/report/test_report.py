"""The HTML report: page and figures for a demo run, decodable images, failing checks in red
linked to their figure, the comparison mode, and a clear note without matplotlib."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
import tests.zoo  # noqa: F401

ARGS = [
    "-p",
    "no:cacheprovider",
    "--physcheck-only",
    "--physcheck-window",
    "3:1:20",
    "--physcheck-trajectories",
    "0,1",
    "--physcheck-perturbations",
    "2",
    "--physcheck-no-snapshot",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report of the exact model, the mass-draining one and monopole noise on the same axes."""
    pytester_dir = tmp_path_factory.mktemp("report_run")
    out = pytester_dir / "report"
    ret = pytest.main(
        [
            *ARGS,
            "--rootdir",
            str(pytester_dir),
            "--physcheck-model",
            "exact=tests.zoo:exact",
            "--physcheck-model",
            "drain=tests.zoo:mass_drain",
            "--physcheck-model",
            "mono=tests.zoo:monopole_noise",
            "--physcheck-report",
            str(out),
            "-q",
        ]
    )
    assert ret == pytest.ExitCode.TESTS_FAILED
    return out


def test_page_figures_and_json_are_written(report: Path) -> None:
    names = {p.name for p in report.iterdir()}
    assert {
        "index.html",
        "results.json",
        "fig-vrmse.png",
        "fig-spectra.png",
        "fig-divb.png",
        "fig-variance.png",
        "fig-energy.png",
        "fig-perturbation.png",
        "fig-precision.png",
    } <= names
    doc = json.loads((report / "results.json").read_text())
    assert set(doc["series"]) == {"exact", "drain", "mono"}
    assert len(doc["series"]["exact"]["vrmse"][0]) == 20


def test_images_decode(report: Path) -> None:
    import matplotlib.image as mpimg

    page = (report / "index.html").read_text()
    embedded = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(embedded) >= 8
    for data in embedded:
        image = mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png")
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    for png in report.glob("*.png"):
        assert mpimg.imread(png).shape[0] > 100


def test_page_is_self_contained(report: Path) -> None:
    page = (report / "index.html").read_text()
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert not re.search(r"src=['\"](?!data:)", page)


def test_failing_checks_are_red_and_link_to_their_figure(report: Path) -> None:
    page = (report / "index.html").read_text()
    assert re.search(
        r"<li><span class='fail'>fail</span> <a href='#fig-energy'>mean_field\[drain-traj0\]", page
    )
    assert re.search(
        r"<li><span class='fail'>fail</span> <a href='#fig-divb'>solenoidality\[mono-traj0\]", page
    )
    assert "<td class='fail'>fail</td>" in page and "td.fail" in page
    assert "id='fig-energy'" in page and "id='fig-divb'" in page
    assert re.search(r"<td class='pass'><a href='#check-finite'>2 pass</a></td>", page)


def test_report_command_rebuilds_from_the_json(report: Path, tmp_path: Path) -> None:
    from physcheck.cli import main

    assert main(["report", str(report / "results.json"), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "index.html").is_file() and (
        tmp_path / "again" / "fig-vrmse.png"
    ).is_file()


def test_without_matplotlib_the_page_says_how_to_install_it(
    report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import physcheck.report.build as build

    monkeypatch.setattr(build, "matplotlib_missing_reason", lambda: "missing")
    doc = json.loads((report / "results.json").read_text())
    page = build.write_report(doc, tmp_path / "bare").read_text()
    assert "pip install &quot;physcheck[report]&quot;" in page and "data:image/png" not in page
    assert "mean_field[drain-traj0]" in page
    assert "without figures" in build.write_report_safely(doc, tmp_path / "bare2")


def test_report_module_without_matplotlib_raises_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from physcheck.report import availability

    monkeypatch.setattr(availability.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(availability.ReportUnavailable, match=r'pip install "physcheck\[report\]"'):
        availability.require_matplotlib()
