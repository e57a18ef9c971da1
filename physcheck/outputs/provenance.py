"""Where a verdict came from: the data, the models and the software of a run.

Every output names its provenance (the results JSON's ``provenance`` block, the terminal
summary, JUnit properties and the report), so two runs on different data can never produce
records that look the same:

- ``data``: the source as given (a path, an fsspec URL with any credentials removed, or the
  physcheck set built on first use), the split, the data set's own name, grid, fields and
  time step, its axes' boundary types and the profile that judged it (``profile``: its name,
  whether it is the generic one and what a dataset-specific profile would add); every file the
  checked trajectories were read from with its size and SHA-256
  (local files: computed once per file and remembered by path, size and mtime; remote files:
  the server's ETag or modification time, since hashing would download the whole file), the
  ``stats.yaml`` beside it, each trajectory with its file, (Ma, Ms) and the window's frames.
- ``models``: each model's spec, content hash (code, weights, declared keys), the SHA-256 of
  the weight or prediction files it names, its history length, device and precision.
- ``environment``: physcheck, torch, Python, numpy, h5py and CUDA versions, the platform, the
  device's name; ``seed``: the noise seed of the perturbed rollouts.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from physcheck.data.checksums import file_sha256
from physcheck.formatting import redact_url
from physcheck.outputs.summary import profile_lines

if TYPE_CHECKING:
    from physcheck.suite import Suite

#: the checks whose measures assume a periodic box (spectra, periodic translations)
PERIODIC_CHECKS = ("spectrum", "equivariance")


def _file_entry(path: Any) -> dict[str, Any]:
    """Name, location, size and checksum of one data or weight file."""
    from physcheck.data.remote import RemoteFile

    if isinstance(path, RemoteFile):
        return {
            "name": path.name,
            "path": redact_url(path.url),
            "size": int(path.size),
            "sha256": None,
            "version": path.version or None,
        }
    local = Path(path)
    try:
        size: int | None = local.stat().st_size
        digest: str | None = file_sha256(local)
    except OSError:
        size, digest = None, None
    return {"name": local.name, "path": str(local.resolve()), "size": size, "sha256": digest}


def data_source(suite: Suite) -> dict[str, Any]:
    """How the data was named: the ``--physcheck-data`` value (credentials removed) or the
    physcheck set built on first use."""
    if suite.settings.data:
        return {"given": redact_url(suite.settings.data), "recipe": None}
    from physcheck.datasets import default_name

    return {"given": None, "recipe": default_name(suite.settings.profile)}


def data_provenance(suite: Suite) -> dict[str, Any]:
    """The ``data`` block (see the module docstring)."""
    data = suite.data
    used = {data.trajectories[t].file for t in suite.trajectories}
    files = [_file_entry(p) for p in data.files if p in used]
    stats = None
    if data.stats_path is not None:
        stats_path = data.stats_path
        stats = (
            {"path": redact_url(stats_path), "sha256": None}
            if isinstance(stats_path, str)
            else _file_entry(stats_path)
        )
    trajectories = []
    for t in suite.trajectories:
        ref = data.trajectories[t]
        params = data.trajectory_parameters(t)
        entry: dict[str, Any] = {"index": t, "file": ref.file.name, "local": ref.local}
        entry.update({k: params[k] for k in ("Ma", "Ms") if k in params})
        trajectories.append(entry)
    window = suite.window
    return {
        **data_source(suite),
        "split": suite.settings.split,
        "dataset_name": data.name,
        "grid": list(data.spatial_shape),
        "fields": list(data.field_names),
        "boundaries": data.axis_boundaries,
        "profile": profile_provenance(suite),
        "time_step": data.frame_interval,
        "files": files,
        "stats": stats,
        "trajectories": trajectories,
        "window": {
            "label": window.label,
            "first_predicted_frame": window.first,
            "steps": window.n_steps,
        },
    }


def profile_provenance(suite: Suite) -> dict[str, Any]:
    """The ``data.profile`` block: the profile's name, whether it is the generic one (then
    ``would_add``: the checks a dataset-specific profile of these fields could add), and
    ``periodic_checks``: the checks it serves that assume a periodic box."""
    from physcheck.config import check_names, check_spec
    from physcheck.profiles import would_add

    profile = suite.profile
    requires = {name: check_spec(name).requires for name in check_names()}
    block: dict[str, Any] = {"name": profile.name, "generic": profile.generic}
    if profile.generic:
        block["would_add"] = would_add(profile, requires)
    block["periodic_checks"] = [
        c for c in PERIODIC_CHECKS if c in requires and profile.missing(requires[c]) is None
    ]
    return block


def model_provenance(suite: Suite, name: str) -> dict[str, Any]:
    """One model's entry: spec, content hash, weight files, history, device and precision."""
    from physcheck.models import model_hash
    from physcheck.models.hashing import weight_files

    entry = suite.model_entry(name)
    model = suite.model(name)
    n_history = suite.n_history(name)
    return {
        "spec": redact_url(entry.text),
        "hash": model_hash(model, entry.spec),
        "weights": [_file_entry(p) for p in weight_files(model)],
        "n_history": n_history,
        "frames": {
            "history": [suite.window.first - n_history, suite.window.first - 1],
            "predicted": [suite.window.first, suite.window.first + suite.window.n_steps - 1],
        },
        "device": str(suite.device),
        "dtype": suite.settings.dtype,
        "reference_dtype": suite.settings.reference_dtype,
    }


def environment(suite: Suite) -> dict[str, Any]:
    """Versions and the device this process ran on."""
    import h5py
    import numpy
    import torch

    import physcheck

    device = suite.device
    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device)
    else:
        device_name = platform.processor() or platform.machine() or "cpu"
    cuda = torch.version.cuda
    # plain str (torch's TorchVersion does not cross to pytest-xdist's controller)
    return {
        "physcheck": str(physcheck.__version__),
        "torch": str(torch.__version__),
        "python": sys.version.split()[0],
        "numpy": str(numpy.__version__),
        "h5py": str(h5py.__version__),
        "cuda": None if cuda is None else str(cuda),
        "platform": platform.platform(),
        "device": str(device),
        "device_name": str(device_name),
    }


def provenance(suite: Suite, name: str) -> dict[str, Any]:
    """Everything a record of model ``name`` came from, as plain JSON data."""
    return {
        "data": data_provenance(suite),
        "models": {name: model_provenance(suite, name)},
        "environment": environment(suite),
        "seed": suite.settings.diagnostics.seed,
    }


def merge(blocks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One run's provenance from the per-model blocks (each xdist worker sends its own):
    the first block's data, environment and seed, every model's entry."""
    if not blocks:
        return None
    merged = dict(blocks[0])
    merged["models"] = {}
    for block in blocks:
        merged["models"].update(block["models"])
    merged["models"] = dict(sorted(merged["models"].items()))
    return merged


def summary_lines(block: dict[str, Any] | None) -> list[str]:
    """A few lines for the terminal summary: the data and its checksums, the models' hashes,
    the versions."""
    if not block:
        return []
    data = block["data"]
    source = data["given"] or f"physcheck set {data['recipe']!r}"
    grid = "x".join(str(n) for n in data["grid"])
    trajectories = ", ".join(
        f"{t['index']}" + (f" (Ma {t['Ma']:g}, Ms {t['Ms']:g})" if "Ma" in t and "Ms" in t else "")
        for t in data["trajectories"]
    )
    lines = [
        f"data: {source}, split {data['split']}, {data['dataset_name']}, {grid}, "
        f"window {data['window']['label']}; trajectories {trajectories}"
    ]
    lines += profile_lines(data)
    for f in data["files"]:
        checksum = f"sha256 {f['sha256'][:16]}" if f["sha256"] else f"version {f.get('version')}"
        lines.append(f"  file {f['name']}: {f['size']} bytes, {checksum}")
    for name, model in block["models"].items():
        lines.append(f"model {name}: {model['spec']}, hash {model['hash']}, {model['dtype']}")
    env = block["environment"]
    lines.append(
        f"software: physcheck {env['physcheck']}, torch {env['torch']}, Python {env['python']}, "
        f"CUDA {env['cuda'] or 'none'}; device {env['device']} ({env['device_name']}); "
        f"seed {block['seed']}"
    )
    return lines


def junit_properties(block: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Plain ``(name, value)`` pairs for JUnit XML's global properties."""
    if not block:
        return []
    data = block["data"]
    pairs = [
        ("physcheck_data", str(data["given"] or data["recipe"])),
        ("physcheck_split", str(data["split"])),
        ("physcheck_trajectories", ",".join(str(t["index"]) for t in data["trajectories"])),
    ]
    pairs += [(f"physcheck_file:{f['name']}", str(f["sha256"] or f.get("version"))) for f in data["files"]]
    pairs += [(f"physcheck_model_hash:{n}", str(m["hash"])) for n, m in block["models"].items()]
    env = block["environment"]
    pairs += [(f"physcheck_version:{k}", str(env[k])) for k in ("physcheck", "torch", "python", "cuda")]
    return pairs


__all__ = [
    "PERIODIC_CHECKS",
    "data_provenance",
    "environment",
    "junit_properties",
    "merge",
    "model_provenance",
    "profile_provenance",
    "provenance",
    "summary_lines",
]
