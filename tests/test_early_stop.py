"""Early stopping of perturbed rollouts: once a perturbed rollout's last ``n_history`` frames
equal the unperturbed rollout's bit for bit, its window is the unperturbed one's and so is
every later frame. The engine then copies those frames instead of computing them; no number
and no verdict changes (``--physcheck-early-stop``, on by default)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import torch

from physcheck.config import build_settings
from physcheck.engine import rollout, same_bits
from physcheck.errors import ConfigError
from physcheck.jsonio import to_json_data
from physcheck.outputs.payloads import key_numbers
from physcheck.strategies import mhd_state
from physcheck.suite import Suite

K = 6


class Counting:
    """A surrogate over two history frames that counts the rows it steps."""

    n_history = 2

    def __init__(self) -> None:
        self.rows_stepped = 0

    def step(self, history: torch.Tensor) -> torch.Tensor:
        self.rows_stepped += history.shape[0]
        return self.predict(history)

    def predict(self, history: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class Forgetful(Counting):
    """Forgets its input: every row steps to the same frame. Any perturbation is gone after
    one step and out of the window after two."""

    def predict(self, history: torch.Tensor) -> torch.Tensor:
        return torch.ones_like(history[:, -1]) * 0.5


class Alternating(Counting):
    """Returns zeros after a non-zero frame and the older history frame after a zero one: a
    perturbed row equals the unperturbed one at every other step, but its older frame (still
    in the window) differs, so it never rejoins."""

    def predict(self, history: torch.Tensor) -> torch.Tensor:
        last = history[:, -1]
        zero = (last == 0).flatten(1).all(dim=1)[:, None, None, None, None]
        return torch.where(zero, history[:, 0], torch.zeros_like(last))


def histories(n_traj: int = 2) -> torch.Tensor:
    """``[B, 2, 8, 8, 8, 7]`` float32 histories."""
    frames = [mhd_state(8, seed=s, dtype=torch.float32) for s in range(2 * n_traj)]
    return torch.stack(frames).view(n_traj, 2, 8, 8, 8, 7)


def test_same_bits_compares_bits() -> None:
    a = torch.tensor([[1.0, float("nan")], [0.0, 2.0]])
    assert same_bits(a, a.clone()).tolist() == [True, True]
    b = torch.tensor([[1.0, float("nan")], [-0.0, 2.0]])
    assert same_bits(a, b).tolist() == [True, False]
    assert same_bits(a, a.double()).tolist() == [False, False]


def test_rows_that_rejoin_their_leader_are_copied_not_computed() -> None:
    h = histories()
    noisy = h + 1e-3 * torch.randn_like(h)
    both = torch.cat((h, noisy))  # rows 2, 3 follow rows 0, 1
    free = Forgetful()
    plain = rollout(free, both, K)
    joined = Forgetful()
    early = rollout(joined, both, K, leaders=[None, None, 0, 1])
    assert plain.rejoined_at is None
    assert early.rejoined_at == 2  # two equal frames fill the window
    assert torch.equal(early.frames, plain.frames)
    assert free.rows_stepped == 4 * K
    assert joined.rows_stepped == 4 * 2 + 2 * (K - 2)


def test_a_rollout_that_rejoins_a_finished_one_stops() -> None:
    h = histories()
    base = rollout(Forgetful(), h, K)
    model = Forgetful()
    early = rollout(model, h, K, noise=1e-6, noise_seed=3, follow=lambda s: base.frames[:, s - 1])
    plain = rollout(Forgetful(), h, K, noise=1e-6, noise_seed=3)
    assert early.rejoined_at == 2
    assert model.rows_stepped == 2 * 2
    assert torch.equal(early.frames, plain.frames)
    assert torch.equal(early.first_nonfinite_step, plain.first_nonfinite_step)


def test_a_row_whose_older_frame_differs_is_not_copied() -> None:
    """A row that equals its leader at one step only has another window: it is computed on."""
    h = histories()
    noisy = h + 1e-3 * torch.randn_like(h)
    both = torch.cat((h, noisy))
    model = Alternating()
    early = rollout(model, both, K, leaders=[None, None, 0, 1])
    plain = rollout(Alternating(), both, K)
    assert early.rejoined_at is None
    assert model.rows_stepped == 4 * K
    assert torch.equal(early.frames, plain.frames)
    # the rows do meet: every other frame of a follower equals its leader's
    assert torch.equal(plain.frames[2, 0], plain.frames[0, 0])
    assert not torch.equal(plain.frames[2, 1], plain.frames[0, 1])


def test_every_follower_must_rejoin() -> None:
    """One row that never rejoins keeps the whole batch computed (its numbers unchanged)."""
    h = histories()
    model = Forgetful()
    result = rollout(model, h, K, follow=lambda s: torch.zeros_like(h[:, 0]) + (s == 99))
    assert result.rejoined_at is None
    assert model.rows_stepped == 2 * K


def test_a_leader_kept_in_another_precision_never_matches() -> None:
    h = histories().double()
    base = rollout(Forgetful(), h, K)
    model = Forgetful()
    result = rollout(model, h, K, follow=lambda s: base.frames[:, s - 1].float())
    assert result.rejoined_at is None
    assert model.rows_stepped == 2 * K


class StatefulForgetful(Forgetful):
    stateful = True


def test_a_stateful_model_is_computed_in_full() -> None:
    """A hidden state may tell rejoined rows apart again: no copying for such a model."""
    h = histories()
    model = StatefulForgetful()
    result = rollout(model, torch.cat((h, h + 1e-3)), K, leaders=[None, None, 0, 1])
    assert result.rejoined_at is None
    assert model.rows_stepped == 4 * K


def test_bad_followers_are_refused() -> None:
    h = histories()
    with pytest.raises(ValueError, match="not a leading row"):
        rollout(Forgetful(), h, K, leaders=[0, None])  # a row cannot follow itself
    with pytest.raises(ValueError, match="not a leading row"):
        rollout(Forgetful(), torch.cat((h, h)), K, leaders=[None, 0, 1, None])
    with pytest.raises(ValueError, match="2 rows"):
        rollout(Forgetful(), h, K, leaders=[None])
    with pytest.raises(ValueError, match="not both"):
        rollout(Forgetful(), h, K, leaders=[None, 0], follow=lambda s: h[:, 0])


# -- the suite ----------------------------------------------------------------------------------
def comparable(suite: Suite, name: str) -> str:
    results = [dataclasses.asdict(r) for r in suite.results(name)]
    numbers = dict(key_numbers(suite, name))
    numbers.pop("_meta", None)
    return json.dumps(to_json_data({"results": results, "numbers": numbers}), sort_keys=True)


OPTIONS = {
    "trajectories": "0-1",
    "perturbations": "3",
    "window": "20:1:14",  # frames 20-33: nan_at_frame goes NaN at frame 30
    "checks": "basin_determinism,precision,vrmse,finite,channel_variance,solenoidality",
}


def run(early_stop: str, batch: bool, **extra: Any) -> Suite:
    file = {"cache": False, "batch": batch, "early_stop": early_stop}
    models = ["nan=tests.zoo:nan_at_frame", "exact=tests.zoo:exact"]
    return Suite(build_settings(file, {"models": models, **OPTIONS, **extra}))


@pytest.mark.parametrize("batch", [False, True], ids=["serial", "batched"])
def test_early_stopping_changes_no_number_and_no_verdict(batch: bool) -> None:
    """``nan_at_frame`` snaps every input back onto the truth, so its perturbed rollouts rejoin
    the unperturbed one at step 1 (n_history = 1) and are copied from then on; ``exact``
    carries the perturbation along, never rejoins and is computed in full. Either way the
    results and key numbers equal those of a run without early stopping."""
    on, off = run("on", batch), run("off", batch)
    for name in ("nan", "exact"):
        assert comparable(on, name) == comparable(off, name)
    perturbed = {("nan", f"noise{i}") for i in range(3)}
    assert on.rejoined == dict.fromkeys(perturbed, 1)
    assert off.rejoined == {}
    # the work saved: 3 perturbed rollouts x 2 trajectories x 13 of 14 steps
    nan_on, nan_off = on.model("nan"), off.model("nan")
    assert nan_off.rows_stepped - nan_on.rows_stepped == 3 * 2 * 13
    assert on.model("exact").rows_stepped == off.model("exact").rows_stepped
    verdicts = {r.check: r.passed for r in on.results("nan") if r.check == "basin_determinism"}
    assert verdicts == {"basin_determinism": False}  # non-finite at K: no basin to tell


def test_the_zoo_s_stateful_models_are_not_stopped_early() -> None:
    """``frozen_after_10`` counts its steps per rollout: in a batch whose perturbed rows left
    it, it would count anew. It says ``stateful = True``, so its rollouts run in full."""
    options = {**OPTIONS, "window": "3:1:14", "checks": "basin_determinism,channel_variance"}
    settings = {"cache": False, "batch": True}
    models = {"models": ["frozen=tests.zoo:frozen_after_10"], **options}
    on = Suite(build_settings({**settings, "early_stop": "on"}, models))
    off = Suite(build_settings({**settings, "early_stop": "off"}, models))
    assert comparable(on, "frozen") == comparable(off, "frozen")
    assert on.rejoined == {}


def test_the_early_stop_setting() -> None:
    assert build_settings({}, {}).early_stop is True
    assert build_settings({"early_stop": "off"}, {}).early_stop is False
    assert build_settings({}, {"early_stop": "off"}).early_stop is False
    with pytest.raises(ConfigError, match="use on or off"):
        build_settings({"early_stop": "auto"}, {})


# -- the basin map's extra windows ------------------------------------------------------------------
def basin_map_run(model: str, early_stop: str, window: str, starts: str) -> Suite:
    settings = build_settings(
        {"cache": False, "early_stop": early_stop},
        {
            "models": [model],
            "checks": "basin_determinism",
            "window": window,
            "trajectories": "0-1",
            "perturbations": 2,
            "starts": starts,
        },
    )
    return Suite(settings)


def test_the_basin_map_stops_early_without_changing_its_rows() -> None:
    on = basin_map_run("nan=tests.zoo:nan_at_frame", "on", "20:1:12", "22")
    off = basin_map_run("nan=tests.zoo:nan_at_frame", "off", "20:1:12", "22")
    def rows(suite: Suite) -> str:  # NaN spreads compare equal as JSON
        return json.dumps(to_json_data(suite.basin_map("nan")), sort_keys=True)

    assert rows(on) == rows(off)
    # the extra window's 2 perturbed rollouts x 2 trajectories: 11 of 12 steps copied
    assert off.model("nan").rows_stepped - on.model("nan").rows_stepped == 2 * 2 * 11


def test_export_copies_rejoined_rollouts_into_the_same_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``physcheck export`` follows the base rollout as the checks do: the file's perturbed
    rollouts are the same frames, with fewer steps computed."""
    from physcheck.data.predictions import open_predictions

    options = {**OPTIONS, "checks": "basin_determinism"}
    files, rows = {}, {}
    for early_stop in ("on", "off"):
        settings = build_settings(
            {"cache": False, "early_stop": early_stop},
            {"models": ["nan=tests.zoo:nan_at_frame"], **options},
        )
        suite = Suite(settings)
        files[early_stop] = open_predictions(suite.export("nan", tmp_path / f"{early_stop}.npz"))
        rows[early_stop] = suite.model("nan").rows_stepped
    on, off = files["on"], files["off"]
    assert on.variants == off.variants and "noise2" in on.variants
    for variant in ["", *on.variants]:
        frames_on, frames_off = on.read(variant), off.read(variant)
        assert bool(same_bits(frames_on[None], frames_off[None]).all()), variant  # NaNs too
    assert rows["off"] - rows["on"] == 3 * 2 * 13
