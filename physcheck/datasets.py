"""The shipped MHD datasets: where they are, and how to (re)build them deterministically.

``MHD_16`` (Ma 0.7, Ms 0.5, 16^3, 100 frames per trajectory) is the default dataset. Its
test split and ``stats.yaml`` are committed under ``fixtures/MHD_16`` (so that snapshot
numbers are bit-stable across machines); the train and valid splits, and the Ma 2.0
variant ``MHD_16_Ma2``, are generated on demand from fixed seeds into the same tree
(git-ignored) or, for an installed package without the repository's fixtures, into
``$PHYSCHECK_CACHE`` (default ``~/.cache/physcheck``).

The command line (``physcheck fixtures build|path``) is ``physcheck.cli.datasets``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from physcheck.sim.solver import SolverConfig

REPO_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class DatasetRecipe:
    """How one shipped dataset is made: solver parameters, seeds per split."""

    name: str
    Ma: float
    Ms: float = 0.5
    n: int = 16
    nu: float = 0.04
    eta: float = 0.04
    forcing_amplitude: float = 0.1
    seed: int = 2026
    trajectories: tuple[tuple[str, int], ...] = (("train", 8), ("valid", 2), ("test", 2))

    def config(self) -> SolverConfig:
        from physcheck.sim.solver import SolverConfig

        return SolverConfig(
            n=self.n,
            Ms=self.Ms,
            Ma=self.Ma,
            nu=self.nu,
            eta=self.eta,
            forcing_amplitude=self.forcing_amplitude,
            forcing_seed=self.seed,
        )

    def seeds(self, split: str) -> list[int]:
        counts = dict(self.trajectories)
        offset = {"train": 0, "valid": 1000, "test": 2000}[split]
        return [self.seed * 10_000 + offset + i for i in range(counts[split])]

    def file_name(self, split: str) -> str:
        return f"{self.name}_Ma{self.Ma:g}_Ms{self.Ms:g}_{split}.hdf5"


RECIPES = {
    "MHD_16": DatasetRecipe("MHD_16", Ma=0.7),
    "MHD_16_Ma2": DatasetRecipe("MHD_16_Ma2", Ma=2.0),
}
DEFAULT = "MHD_16"


def cache_root() -> Path:
    return Path(os.environ.get("PHYSCHECK_CACHE", Path.home() / ".cache" / "physcheck"))


def dataset_dir(name: str = DEFAULT) -> Path:
    """Where dataset ``name`` lives: the repository's ``fixtures/`` when present, else the cache."""
    if (REPO_FIXTURES / name).is_dir():
        return REPO_FIXTURES / name
    return cache_root() / "datasets" / name


def _split_file(root: Path, recipe: DatasetRecipe, split: str) -> Path:
    return root / "data" / split / recipe.file_name(split)


def build(
    name: str = DEFAULT,
    *,
    root: Path | None = None,
    splits: Sequence[str] = SPLITS,
    stats: bool = True,
    device: str = "cpu",
) -> Path:
    """Generate the given splits of dataset ``name`` (and ``stats.yaml`` from its train split)."""
    from physcheck.sim.generate import RunSettings, statistics, write_trajectories

    recipe = RECIPES[name]
    root = root or dataset_dir(name)
    config = recipe.config()
    frames_by_split = {}
    wanted = set(splits) | ({"train"} if stats else set())
    for split in SPLITS:
        if split in wanted:
            _, frames_by_split[split] = write_trajectories(
                _split_file(root, recipe, split),
                name,
                config,
                recipe.seeds(split),
                RunSettings(),
                device=device,
            )
    if stats:
        from physcheck.data.writer import write_stats

        write_stats(root / "stats.yaml", statistics(frames_by_split["train"]))
    return root


def default_dataset(*, splits: Sequence[str] = ("test",), name: str = DEFAULT) -> Path:
    """Directory of the default dataset (``data/{train,valid,test}``, ``stats.yaml``), generating
    any missing split of ``splits`` first (deterministic; about 10 s per split on a CPU)."""
    root = dataset_dir(name)
    recipe = RECIPES[name]
    missing = [s for s in splits if not _split_file(root, recipe, s).exists()]
    if missing or not (root / "stats.yaml").exists():
        from filelock import FileLock

        root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(root / ".build.lock")):
            missing = [s for s in splits if not _split_file(root, recipe, s).exists()]
            need_stats = not (root / "stats.yaml").exists()
            if missing or need_stats:
                build(name, root=root, splits=missing, stats=need_stats)
    return root


__all__ = ["RECIPES", "build", "dataset_dir", "default_dataset"]
