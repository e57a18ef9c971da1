"""The shear_flow profile end to end on the shipped ``shear-flow-smoke`` set (The Well's 2D
incompressible shear flow with a tracer, from physcheck's own solver): the exact replay passes
every check the profile serves, skips ``equivariance`` with its own reason (a lookup of the
truth's frames cannot match a transformed input) and the MHD ones with the profile's reason;
the equivariant replay passes every check the profile serves, ``equivariance`` included; each
zoo model that breaks exactly one constraint fails exactly that check, at the step it breaks it
(a uniform drift along +x: ``equivariance``, under x -> -x and the half turn); persistence
fails ``dynamics`` and commutes with every symmetry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch  # noqa: F401  imported once here: in-process pytester runs must not re-import torch

import physcheck.suite  # noqa: F401
from physcheck.config import check_names, check_spec
from physcheck.data import open_dataset
from physcheck.datasets import REPO_FIXTURES, default_name, verify
from physcheck.profiles import SHEAR_FLOW
from tests.profiles.generic_checks import GENERIC_CHECKS
from tests.zoo import Replay

SMOKE = REPO_FIXTURES / "shear-flow-smoke"
#: the profile's checks: the generic ones and its constraints
SERVED = GENERIC_CHECKS | {"solenoidality", "bounds", "budgets"}
#: the profile's checks an equivariant model is judged by besides (the exact replay's skip)
SYMMETRY = {"equivariance"}
MODELS = {
    "exact": "exact",
    "symmetric": "symmetric",
    "drift": "drift",
    "compressible": "compressible",
    "overshoot": "tracer_overshoot",
    "leak": "tracer_leak",
    "inject": "energy_injection",
}


def test_the_smoke_set_is_the_well_s_shear_flow_layout_and_matches_its_manifest() -> None:
    data = open_dataset(SMOKE)
    assert data.field_names == ("tracer", "pressure", "velocity_x", "velocity_y")
    assert data.spatial_shape == (64, 128)
    assert SHEAR_FLOW.differences(data.field_names, 2) == []
    assert all(line.endswith("ok") for line in verify(SMOKE, "shear-flow-smoke"))
    assert sum(p.stat().st_size for p in SMOKE.rglob("*") if p.is_file()) < 10 * 2**20


def test_a_run_of_the_profile_without_data_uses_its_own_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHYSCHECK_DATASET", raising=False)
    assert default_name("shear_flow") == "shear-flow"
    assert default_name("mhd") == default_name() == "default"
    monkeypatch.setenv("PHYSCHECK_DATASET", "shear-flow-smoke")
    assert default_name() == default_name("mhd") == "shear-flow-smoke"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The results of one pytest session gating the zoo's shear_flow members and persistence."""
    folder = tmp_path_factory.mktemp("shear-gate")
    target = folder / "results.json"
    models = [f"--physcheck-model={name}=tests.zoo.shear_flow:{attr}" for name, attr in MODELS.items()]
    status = pytest.main(
        [
            "-q", "-p", "no:cacheprovider", "--physcheck-only", "--physcheck-no-snapshot",
            "--physcheck-no-cache", f"--physcheck-data={SMOKE}", "--physcheck-window=5:1:20",
            "--physcheck-trajectories=0-1", "--physcheck-perturbations=2",
            f"--physcheck-json={target}", "--physcheck-model=persistence=persistence", *models,
            f"--rootdir={Path(__file__).resolve().parents[2]}",
        ],
    )
    assert status == pytest.ExitCode.TESTS_FAILED
    document: dict[str, Any] = json.loads(target.read_text())
    assert document["settings"]["profile"] == "shear_flow"
    return list(document["results"])


def verdicts(results: list[dict[str, Any]], model: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        if r["model"] == model:
            out.setdefault(r["check"], []).append(r)
    return out


def failed(results: list[dict[str, Any]], model: str) -> set[str]:
    return {c for c, rs in verdicts(results, model).items() if any(not r["passed"] for r in rs)}


def test_the_exact_replay_passes_what_the_profile_serves_and_skips_the_rest(
    results: list[dict[str, Any]],
) -> None:
    exact = verdicts(results, "exact")
    assert set(exact) == set(check_names())
    for check, rs in exact.items():
        for r in rs:
            if check in SERVED:
                assert r["passed"] and not r["skipped"], r["message"]
            elif check in SYMMETRY:
                assert r["skipped"] == Replay.equivariance_skip, r
            else:
                reason = SHEAR_FLOW.missing(check_spec(check).requires)
                assert reason is not None and r["skipped"] == reason, r


def test_the_equivariant_replay_passes_every_check_the_profile_serves(
    results: list[dict[str, Any]],
) -> None:
    symmetric = verdicts(results, "symmetric")
    for check in SERVED | SYMMETRY:
        for r in symmetric[check]:
            assert r["passed"] and not r["skipped"], r["message"]
    for r in symmetric["equivariance"]:
        assert "exact tier" in r["message"] and r["value"] < 1e-6, r["message"]
        names = {key.split(":", 1)[1] for key in r["details"]}
        assert names == {"reflect_x", "reflect_y", "reflect_xy", "shift_x3", "shift_y3"}


def test_a_preferred_direction_fails_equivariance_alone_at_step_1(
    results: list[dict[str, Any]],
) -> None:
    """A 1e-3 drift along +x: x -> -x and the half turn turn it into one along -x; y -> -y and
    the shifts keep it. Nothing else sees it."""
    assert failed(results, "drift") == {"equivariance"}
    for r in verdicts(results, "drift")["equivariance"]:
        assert not r["passed"] and r["step"] == 1, r["message"]
        beyond = r["message"].split("beyond")[1]
        assert "reflect_x " in beyond and "reflect_xy " in beyond, r["message"]
        assert "reflect_y " not in beyond and "shift" not in beyond, r["message"]


@pytest.mark.parametrize(
    ("model", "check"),
    [("compressible", "solenoidality"), ("overshoot", "bounds"), ("leak", "budgets")],
)
def test_each_broken_constraint_fails_its_own_check_alone_from_step_1(
    results: list[dict[str, Any]], model: str, check: str
) -> None:
    assert failed(results, model) == {check}
    for r in verdicts(results, model)[check]:
        assert not r["passed"] and r["step"] == 1, r["message"]


def test_an_energy_injecting_model_fails_budgets_first(results: list[dict[str, Any]]) -> None:
    budgets = verdicts(results, "inject")["budgets"]
    assert all(not r["passed"] for r in budgets)
    first = min(r["step"] for r in budgets)
    assert any(f"the {b} rises" in budgets[0]["message"] for b in ("kinetic energy", "enstrophy"))
    assert budgets[0]["details"]["kinetic_energy_rise"] > 1 and budgets[0]["details"]["enstrophy_rise"] > 1
    others = [
        r["step"] for r in results if r["model"] == "inject" and not r["passed"] and r["check"] != "budgets"
    ]
    assert all(step is None or step > first for step in others)
    assert {r["check"] for r in results if r["model"] == "inject" and r["passed"]} >= {"finite"}


def test_persistence_fails_dynamics_on_the_shear_flow(results: list[dict[str, Any]]) -> None:
    assert {"dynamics", "skill"} <= failed(results, "persistence")
    assert not {"solenoidality", "bounds", "budgets", "equivariance"} & failed(results, "persistence")


@pytest.mark.parametrize("fmt", ["hdf5", "npz", "pt"])
def test_saved_2d_rollouts_gate_as_the_model_itself(tmp_path: Path, fmt: str) -> None:
    """``physcheck export`` of a 2D model in every format (velocity with 2 components), then
    ``--physcheck-predictions``: the same results as the model rolled out in the run."""
    from physcheck.config import build_settings
    from physcheck.suite import Suite

    options = {
        "data": str(SMOKE), "window": "5:1:8", "trajectories": "0", "perturbations": 1,
        "checks": "finite,vrmse,dynamics,solenoidality,bounds,budgets,basin_determinism",
        "export_format": fmt,
    }
    live = Suite(build_settings({"cache": False}, {"models": ["p=persistence"], **options}))
    [(_, path)] = list(live.export_models(tmp_path))
    assert path.name == f"p.{fmt}"
    saved = Suite(build_settings({"cache": False}, {"predictions": [f"p={path}"], **options}))
    assert saved.data.spatial_shape == (64, 128)
    ours = [(r.check, r.trajectory, r.passed, r.value, r.step) for r in saved.results("p")]
    theirs = [(r.check, r.trajectory, r.passed, r.value, r.step) for r in live.results("p")]
    assert ours == theirs and any(not passed for _, _, passed, _, _ in ours)
