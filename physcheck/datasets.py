"""physcheck's data sets: where each lives, how it is built, and how a build is verified.

Three MHD sets, each a :class:`physcheck.sim.recipes.DatasetRecipe` (grid, (Ma, Ms) points,
trajectories per split, seeds, numerics), and three shear_flow sets
(:mod:`physcheck.sim.shear_flow_sets`: ``shear-flow-smoke`` shipped, ``shear-flow`` built on
first use, ``shear-flow-like`` on demand). The MHD sets:

- ``smoke``: 16^3, Ma 0.7 / Ms 0.5; its test split and ``stats.yaml`` are shipped under
  ``fixtures/smoke`` (about 16 MB) for fast unit tests.
- ``default``: 32^3, Ma 0.7 with Ms 0.5 and Ms 2; too large to ship (about 240 MB for its test
  split), so it is generated on first use into the per-user cache (about 4 minutes on two CPU
  cores, with a progress bar) and checked against the checksums recorded in
  ``physcheck/manifests/default.json``.
- ``mhd64-like``: 64^3, every supported MHD_64 (Ma, Ms) point, 10 test trajectories per
  point; built on demand (``physcheck fixtures build mhd64-like``), on a GPU when there is one.

``PHYSCHECK_DATASET`` names the set used when no data is given (default ``default``);
``PHYSCHECK_CACHE`` moves the cache (default: platformdirs' user cache dir for physcheck).

Checksums: a build is deterministic (fixed seeds, float64 integration, float32 storage), but
torch's parallel reductions round differently with the number of threads, and the flow is
chaotic, so two builds can differ in the last float32 bit. The manifest therefore records, per
file, the SHA-256 of the stored arrays (equal between builds on one machine and thread count)
and a fingerprint (per trajectory and channel: mean and rms, in float64) that must agree to
``FINGERPRINT_RTOL`` of the channel's rms. The command line is :mod:`physcheck.cli.datasets`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from physcheck.cachedir import CACHE_ENV, mark_cache_dir, user_cache_root
from physcheck.errors import DataError
from physcheck.sim.recipes import RECIPES as MHD_RECIPES
from physcheck.sim.recipes import SPLITS, DatasetRecipe
from physcheck.sim.shear_flow_sets import RECIPES as SHEAR_FLOW_RECIPES
from physcheck.sim.shear_flow_sets import ShearFlowRecipe

#: a set's recipe: MHD or shear_flow (the same interface: ``trajectories``, ``split_paths``,
#: ``structure``, ``work``, ``generate``, ``build_on_first_use``, ``description``, ``notes``)
Recipe = DatasetRecipe | ShearFlowRecipe
RECIPES: dict[str, Recipe] = {**MHD_RECIPES, **SHEAR_FLOW_RECIPES}

REPO_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MANIFESTS = Path(__file__).resolve().parent / "manifests"
DATASET_ENV = "PHYSCHECK_DATASET"
DEFAULT = "default"
#: fingerprint tolerance, relative to the channel's rms (round-off grown by chaos is ~1e-9)
FINGERPRINT_RTOL = 1e-5


def default_name(profile: str | None = None) -> str:
    """The set used when no data is given: ``$PHYSCHECK_DATASET``, else the named
    ``profile``'s default set (``Profile.default_set``; ``shear-flow`` for ``shear_flow``),
    else ``default``."""
    name = os.environ.get(DATASET_ENV, "").strip()
    if not name and profile:
        from physcheck.profiles import GENERIC, profile_named

        if profile != GENERIC:  # the generic profile has no set of its own
            name = profile_named(profile).default_set or ""
    name = name or DEFAULT
    recipe(name)
    return name


def recipe(name: str) -> Recipe:
    """The recipe of set ``name``, or a :class:`DataError` listing the known sets."""
    try:
        return RECIPES[name]
    except KeyError:
        raise DataError(
            f"unknown data set {name!r}; physcheck builds {', '.join(sorted(RECIPES))} "
            f"(check {DATASET_ENV} or the name you passed)"
        ) from None


def cache_root() -> Path:
    """``$PHYSCHECK_CACHE``, else platformdirs' per-user cache directory for physcheck."""
    return user_cache_root()


def dataset_dir(name: str | None = None) -> Path:
    """Where set ``name`` (default :func:`default_name`) lives: the repository's
    ``fixtures/<name>`` when it is shipped there, else ``<cache>/datasets/<name>``."""
    name = name or default_name()
    recipe(name)
    shipped = REPO_FIXTURES / name
    if (shipped / "data").is_dir():
        return shipped
    return cache_root() / "datasets" / name


def split_files(root: Path, name: str, split: str) -> list[Path]:
    """The files of ``split`` (one per point): ``<root>/data/<split>/<name>_Ma_.._Ms_...hdf5``."""
    return recipe(name).split_paths(root, split)


def manifest(name: str) -> dict[str, Any] | None:
    """The recorded checksums and statistics of set ``name`` (``None`` if never recorded)."""
    path = MANIFESTS / f"{name}.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text()))


# -- structural manifests (``physcheck data verify``) ---------------------------------------------
def recipe_manifest(name: str) -> dict[str, Any]:
    """The structural dataset manifest of set ``name`` (:mod:`physcheck.data.manifest`), derived
    from its recipe: one file per point and split, trajectories per split, frames, grid, fields,
    frame interval and the point's parameters; no byte checksums (a rebuild may differ in the last float32
    bit, see the module docstring). Shipped as ``physcheck/manifests/datasets/<name>.json``."""
    from physcheck.data.manifest import FORMAT

    r = recipe(name)
    files = r.structure()
    source = type(r).__module__.replace(".", "/") + ".py"
    return {
        "format": FORMAT,
        "name": name,
        "dataset_name": name,
        "description": r.description,
        "source": f"derived from physcheck's recipe of the {name} set ({source})",
        "notes": [
            "structural: a rebuild may differ from the maintainers' build in the last float32 "
            "bit, so no byte checksums; `physcheck fixtures verify` compares fingerprints, and "
            "`physcheck data manifest` records the checksums of one's own copy",
            *r.notes,
        ],
        "stats_yaml": {},
        "files": files,
    }


# -- fingerprints --------------------------------------------------------------------------------
def fingerprint(path: Path) -> dict[str, Any]:
    """``{"sha256": ..., "mean": [[...]], "rms": [[...]]}`` of one Well file: the SHA-256 of its
    stored field arrays (file order: the t0 fields, then the t1 fields, each group in its
    ``field_names`` order; float32 bytes) and per trajectory and channel (MHD: density, B_xyz,
    v_xyz) the mean and rms over time and space (float64)."""
    import h5py
    import numpy as np

    digest = hashlib.sha256()
    means: list[list[float]] = []
    rms: list[list[float]] = []
    try:
        with h5py.File(path, "r") as f:
            fields = [
                (group, str(name))
                for group in ("t0_fields", "t1_fields")
                for name in f[group].attrs["field_names"]
            ]
            if not fields:
                raise DataError(f"{path}: no t0 or t1 fields; delete it and build again")
            n_traj = int(f[fields[0][0]][fields[0][1]].shape[0])
            n_dims = int(f.attrs["n_spatial_dims"])
            means = [[] for _ in range(n_traj)]
            rms = [[] for _ in range(n_traj)]
            for group, field in fields:
                data = f[group][field]
                n_comp = n_dims if group == "t1_fields" else 1
                for b in range(n_traj):
                    values = np.ascontiguousarray(data[b], dtype=np.float32)
                    digest.update(values.tobytes())
                    flat = values.reshape(-1, n_comp).astype(np.float64)
                    means[b] += flat.mean(axis=0).tolist()
                    rms[b] += np.sqrt((flat**2).mean(axis=0)).tolist()
    except (OSError, KeyError) as exc:
        raise DataError(
            f"{path}: not a readable physcheck data file ({exc}); delete it and build again"
        ) from None
    return {"sha256": digest.hexdigest(), "mean": means, "rms": rms}


def compare_fingerprints(got: dict[str, Any], want: dict[str, Any]) -> str | None:
    """``None`` when two fingerprints agree (same SHA-256, or means and rms within
    ``FINGERPRINT_RTOL`` of each channel's rms), else what differs."""
    if got["sha256"] == want["sha256"]:
        return None
    if len(got["rms"]) != len(want["rms"]):
        return f"{len(got['rms'])} trajectories, expected {len(want['rms'])}"
    for b, (gm, gr, wm, wr) in enumerate(
        zip(got["mean"], got["rms"], want["mean"], want["rms"], strict=True)
    ):
        for c, (a_m, a_r, b_m, b_r) in enumerate(zip(gm, gr, wm, wr, strict=True)):
            scale = max(abs(b_r), 1e-30)
            if (
                abs(a_m - b_m) > FINGERPRINT_RTOL * scale
                or abs(a_r - b_r) > FINGERPRINT_RTOL * scale
            ):
                return (
                    f"trajectory {b}, channel {c}: mean {a_m:.9g} / rms {a_r:.9g}, "
                    f"recorded {b_m:.9g} / {b_r:.9g}"
                )
    return None


def verify(root: Path, name: str, splits: Iterable[str] = ("test",)) -> list[str]:
    """Check the files of ``splits`` under ``root`` against the recorded manifest; returns one
    line per file (``ok``, ``ok (round-off)``, or what differs). Raises :class:`DataError` if a
    file differs or is missing; a set without a manifest returns a line saying so."""
    recorded = manifest(name)
    if recorded is None:
        return [f"{name}: no recorded checksums (never built by the maintainers at full size)"]
    lines, problems = [], []
    for split in splits:
        for path in split_files(root, name, split):
            want = recorded["files"].get(f"{split}/{path.name}")
            if want is None:
                lines.append(f"{split}/{path.name}: no recorded checksum")
                continue
            if not path.exists():
                problems.append(f"{path}: missing")
                continue
            got = fingerprint(path)
            diff = compare_fingerprints(got, want)
            if diff is None:
                exact = got["sha256"] == want["sha256"]
                lines.append(f"{split}/{path.name}: ok{'' if exact else ' (equal to round-off)'}")
            else:
                problems.append(f"{path}: {diff}")
    if problems:
        raise DataError(
            f"the {name} data differ from their recorded checksums: "
            + "; ".join(problems)
            + f". Delete {root} and build again (`physcheck fixtures build {name}`); if it still"
            " differs, your torch build integrates differently: report it with `physcheck --version`."
        )
    return lines


# -- building ------------------------------------------------------------------------------------


def _progress_bar(total: int, description: str) -> Callable[[int, int], None]:
    """A tqdm bar on stderr counting solver intervals (falls back to silence without tqdm)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return lambda done, total: None
    bar = tqdm(total=total, desc=description, unit="interval", file=sys.stderr, leave=True)

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def build(
    name: str,
    *,
    root: Path | None = None,
    splits: Sequence[str] = ("test",),
    device: str = "cpu",
    progress: bool = True,
    check: bool = True,
) -> Path:
    """Generate ``splits`` of set ``name`` under ``root`` (default :func:`dataset_dir`), write
    ``stats.yaml`` (from the train split when it is built, else the recorded statistics of the
    maintainers' train split) and, with ``check``, verify the files against the manifest."""
    r = recipe(name)
    root = Path(root) if root is not None else dataset_dir(name)
    if root.resolve().is_relative_to(cache_root().resolve()):
        mark_cache_dir(cache_root())
    unknown = [s for s in splits if s not in dict(r.trajectories)]
    if unknown:
        raise DataError(
            f"{name} has no split {', '.join(unknown)}; it has {', '.join(dict(r.trajectories))}"
        )
    total = r.work(splits)
    on_frame = (
        _progress_bar(total, f"physcheck: building {name} {'+'.join(splits)}") if progress else None
    )
    r.generate(root, splits=splits, device=device, on_frame=on_frame)
    write_stats(root, name, from_train="train" in splits)
    if check:
        verify(root, name, splits)
    return root


def write_stats(root: Path, name: str, *, from_train: bool) -> Path:
    """Write ``<root>/stats.yaml``: from the train split's files when ``from_train``, else the
    statistics recorded in the manifest (computed from the maintainers' train split)."""
    from physcheck.data.writer import write_stats as write_yaml

    target = Path(root) / "stats.yaml"
    if from_train:
        from physcheck.sim.generate import statistics

        write_yaml(target, statistics(split_files(root, name, "train")))
        return target
    recorded = manifest(name)
    if recorded is None or "stats" not in recorded:
        if target.exists():
            return target
        raise DataError(
            f"{name}: no recorded statistics; build its train split for stats.yaml "
            f"(`physcheck fixtures build {name} --splits train,test`)"
        )
    write_yaml(target, recorded["stats"])
    return target


def default_dataset(*, splits: Sequence[str] = ("test",), name: str | None = None) -> Path:
    """The directory of set ``name`` (default :func:`default_name`) with ``data/<split>/`` and
    ``stats.yaml``, building any missing split of ``splits`` first (under a file lock, so
    parallel workers build once)."""
    name = name or default_name()
    root = dataset_dir(name)

    def missing() -> list[str]:
        return [s for s in splits if not all(p.exists() for p in split_files(root, name, s))]

    if missing() or not (root / "stats.yaml").exists():
        from filelock import FileLock

        root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(root / ".build.lock")):
            todo = missing()
            if todo and not recipe(name).build_on_first_use:
                raise DataError(
                    f"the {name} data set ({recipe(name).description}) has no {', '.join(todo)} "
                    f"split under {root}; it is too large to build on first use: run `physcheck "
                    f"fixtures build {name} --splits {','.join(todo)} --device cuda` (hours on a GPU)"
                )
            if todo:
                r = recipe(name)
                print(
                    f"physcheck: building the {name} data set ({r.description}) split(s) "
                    f"{', '.join(todo)} into {root}; this happens once",
                    file=sys.stderr,
                    flush=True,
                )
                build(name, root=root, splits=todo)
            elif not (root / "stats.yaml").exists():
                write_stats(root, name, from_train=False)
    return root


__all__ = [
    "CACHE_ENV",
    "DATASET_ENV",
    "DEFAULT",
    "RECIPES",
    "SPLITS",
    "build",
    "cache_root",
    "compare_fingerprints",
    "dataset_dir",
    "default_dataset",
    "default_name",
    "fingerprint",
    "manifest",
    "recipe_manifest",
    "split_files",
    "verify",
    "write_stats",
]
