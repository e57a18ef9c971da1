"""The catalogue of checks: each check's spec says which report figures show it, and a new
check is its function plus one catalogue row (``register_check``): collected, judged and
placed in the report with nothing else to edit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import physcheck.config.checks as catalogue
from physcheck.checks import CheckContext, CheckResult
from physcheck.config import check_names, check_spec, register_check

BUILD = Path(catalogue.__file__).parents[1] / "report" / "build.py"


def drawn_figures() -> set[str]:
    """The anchors of the figures the report draws."""
    return set(re.findall(r'add\(\s*"(fig-[a-z0-9-]+)"', BUILD.read_text()))


def test_every_figure_a_check_names_is_drawn() -> None:
    drawn = drawn_figures()
    assert len(drawn) >= 10
    for name in check_names():
        spec = check_spec(name)
        named = {spec.figure, *spec.figures} - {None}
        assert named <= drawn, f"{name}: {named - drawn} are not drawn"


def test_every_drawn_figure_is_placed_in_one_section() -> None:
    placed = [f for name in check_names() for f in check_spec(name).figures]
    assert len(placed) == len(set(placed)), "a figure is placed in two sections"
    assert set(placed) == drawn_figures()


def test_a_check_links_its_failures_to_a_figure_of_its_own_or_of_its_family() -> None:
    placed = {f for name in check_names() for f in check_spec(name).figures}
    for name in check_names():
        figure = check_spec(name).figure
        assert figure is None or figure in placed


def mass_positive(ctx: CheckContext) -> list[CheckResult]:
    """A toy check: the mass stays positive at every step."""
    out = []
    for i in range(len(ctx.trajectories)):
        lowest = float(ctx.base.mass[i].min())
        out.append(
            ctx.result("mass_positive", i, lowest > 0, lowest, 0.0, f"{ctx.prefix(i)}: lowest mass {lowest:.3g}")
        )
    return out


@pytest.fixture
def toy_check(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(catalogue, "_CATALOGUE", dict(catalogue._CATALOGUE))
    register_check(
        "mass_positive",
        f"{__name__}:mass_positive",
        summary="The mass stays positive.",
        figure="fig-energy",
    )
    return "mass_positive"


def test_a_new_check_is_one_row(pytester: pytest.Pytester, toy_check: str) -> None:
    from tests.reliability.test_catalogue import run

    report = pytester.path / "report"
    result = run(
        pytester, "--physcheck-model", "p=persistence", "--physcheck-no-cache",
        "--physcheck-checks", f"finite,{toy_check}", "--physcheck-report", str(report),
        "--physcheck-json", "out.json",
    )  # fmt: skip
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*error*")
    document = json.loads((pytester.path / "out.json").read_text())
    assert [r["check"] for r in document["results"]] == ["finite", toy_check]
    page = (report / "index.html").read_text()
    assert f"<section id='check-{toy_check}'>" in page and "The mass stays positive." in page
