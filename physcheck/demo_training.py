"""Train the demo surrogate reproducibly on the default dataset (``physcheck train-demo``).

Seeded, single-threaded-deterministic on a CPU; trains on the train split with a one-step
loss on the normalised frame-to-frame change, reports step-1 and rollout VRMSE on the test
split and writes ``physcheck/models/weights/demo.pt`` plus ``demo.json`` (settings, data hash, metrics).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch

from physcheck.models.demo import DEMO_DIR, DemoSurrogate


def _training_frames(root: Path) -> torch.Tensor:
    from physcheck.data import open_dataset

    data = open_dataset(root, split="train")
    return torch.stack(
        [data.read_frames(i, 0, data.n_time) for i in range(data.n_trajectories)]
    )  # [N, T, X, Y, Z, C]


def train(
    *,
    steps: int = 800,
    batch: int = 4,
    lr: float = 2e-3,
    seed: int = 0,
    n_history: int = 3,
    width: int = 24,
    out: Path = DEMO_DIR,
    log_every: int = 100,
    dataset: str = "default",
) -> dict[str, Any]:
    """Train and save; returns the metrics written to ``demo.json``."""
    from physcheck.datasets import default_dataset

    torch.manual_seed(seed)
    root = default_dataset(splits=("train", "test"), name=dataset)
    frames = _training_frames(root)
    n_traj, n_time = frames.shape[:2]
    model = DemoSurrogate(n_channels=frames.shape[-1], n_history=n_history, width=width)
    mean = frames.mean(dim=(0, 1, 2, 3, 4))
    std = frames.std(dim=(0, 1, 2, 3, 4))
    std_delta = frames.diff(dim=1).std(dim=(0, 1, 2, 3, 4))
    model.set_normalisation(mean, std, std_delta)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
    gen = torch.Generator().manual_seed(seed)
    start = time.time()
    for it in range(1, steps + 1):
        traj = torch.randint(0, n_traj, (batch,), generator=gen)
        t0 = torch.randint(0, n_time - n_history, (batch,), generator=gen)
        idx = t0[:, None] + torch.arange(n_history + 1)
        window = frames[traj[:, None], idx]  # [batch, T+1, X, Y, Z, C]
        history, target = window[:, :-1], window[:, -1]
        target_delta = (target - history[:, -1]) / model.std_delta
        loss = torch.mean((model.normalised_delta(history) - target_delta) ** 2)
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        schedule.step()
        if it % log_every == 0:
            print(f"step {it:5d}  loss {loss.item():.4e}  {time.time() - start:.0f}s", flush=True)
    metrics = evaluate(model.eval(), root)
    out.mkdir(parents=True, exist_ok=True)
    architecture = {"n_channels": model.n_channels, "n_history": n_history, "width": width}
    torch.save({"architecture": architecture, "state_dict": model.state_dict()}, out / "demo.pt")
    from physcheck.data import open_dataset

    record = {
        "architecture": architecture,
        "training": {
            "steps": steps,
            "batch": batch,
            "lr": lr,
            "seed": seed,
            "seconds": round(time.time() - start, 1),
        },
        "data": {
            "dataset": dataset,
            "train_hash": open_dataset(root, split="train").content_hash(),
        },
        "test_vrmse": metrics,
    }
    (out / "demo.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def evaluate(model: DemoSurrogate, root: Path) -> dict[str, float]:
    """Channel-mean VRMSE (the_well convention) on the test split's early window, median over
    trajectories: step 1, step 50 and T 21-50, with persistence's (the last input frame held)
    beside them."""
    from physcheck.data import EARLY, open_dataset
    from physcheck.diagnostics import vrmse
    from physcheck.engine import rollout

    data = open_dataset(root, split="test")
    histories, truths = zip(
        *(data.read_window(i, EARLY, model.n_history) for i in range(data.n_trajectories)),
        strict=True,
    )
    history, truth = torch.stack(histories), torch.stack(truths)
    result = rollout(model, history, EARLY.n_steps)
    assert result.frames is not None
    per_step = vrmse(result.frames, truth).mean(dim=-1)  # [B, K]
    held = history[:, -1:].expand_as(truth)
    persistence = vrmse(held, truth).mean(dim=-1)
    median = per_step.median(dim=0).values
    baseline = persistence.median(dim=0).values
    return {
        "step1_median": round(float(median[0]), 4),
        "step50_median": round(float(median[-1]), 4),
        "t21_50_median": round(float(per_step[:, 20:50].mean(dim=1).median()), 4),
        "persistence_step1_median": round(float(baseline[0]), 4),
        "persistence_t21_50_median": round(float(persistence[:, 20:50].mean(dim=1).median()), 4),
    }


__all__ = ["evaluate", "train"]
