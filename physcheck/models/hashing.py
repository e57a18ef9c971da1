"""Content hashes of models, for the rollout cache's keys.

A model's hash covers everything that decides its predictions: its spec and class, the
source code of the module that defines its class (or the ``cache_key``/``version`` a model
declares, for code physcheck cannot read), its ``identity()``, the bytes of the weight files
it names (``checkpoint_path``, ``weight_files``) and of every parameter and buffer, whether
the model is an ``nn.Module`` or holds tensors and modules in its attributes. Weights of any
dtype (bfloat16 included) are hashed by their raw bytes. Large files are hashed once per
(path, size, modification time) and process.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from physcheck.data.checksums import file_sha256


def model_hash(model: Any, spec: str | None = None) -> str:
    """A short content hash of a model (see the module docstring)."""
    h = hashlib.sha256()
    h.update((spec or "").encode())
    cls = type(model)
    h.update(f"{cls.__module__}.{cls.__qualname__}".encode())
    for attribute in ("cache_key", "version"):
        declared = getattr(model, attribute, None)
        if declared is not None and not callable(declared):
            h.update(f"{attribute}={declared}".encode())
    h.update(source_hash(cls).encode())
    identity = getattr(model, "identity", None)
    if callable(identity):
        h.update(str(identity()).encode())
    for path in weight_files(model):
        h.update(file_hash(str(path)).encode())
    for name, tensor in named_tensors(model):
        h.update(name.encode())
        h.update(tensor_bytes(tensor))
    return h.hexdigest()[:16]


def source_hash(cls: type) -> str:
    """Hash of the source file that defines ``cls`` (its whole module, so helpers it calls
    count too), or of its qualified name where there is no file (e.g. ``__main__`` in a
    notebook: declare ``cache_key`` there)."""
    module = sys.modules.get(cls.__module__)
    try:
        path = inspect.getsourcefile(module) if module is not None else None
    except TypeError:  # a built-in module
        path = None
    if path is None or not Path(path).is_file():
        return f"no-source:{cls.__module__}.{cls.__qualname__}"
    return file_hash(path)


def file_hash(path: str) -> str:
    """SHA-256 of a file's bytes (``physcheck.data.checksums.file_sha256``: read once and
    remembered by path, size and modification time, in this process and on disk)."""
    stat = Path(path).stat()
    return _file_hash(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _file_hash(path: str, size: int, mtime_ns: int) -> str:
    return file_sha256(path)


def weight_files(model: Any) -> list[Path]:
    """The files a model says its weights come from (``checkpoint_path``, ``weight_files``)."""
    paths: list[Any] = [getattr(model, "checkpoint_path", None)]
    paths += list(getattr(model, "weight_files", None) or [])
    return [Path(p) for p in paths if p is not None and Path(p).is_file()]


def named_tensors(model: Any) -> Iterator[tuple[str, torch.Tensor]]:
    """Every parameter and buffer: the ``state_dict`` of an ``nn.Module``; for other objects,
    the tensors, numpy arrays and modules among their attributes (one level, lists and dicts
    included), so that weights a plain object reads from a file in ``__init__`` make its hash."""
    if isinstance(model, torch.nn.Module):
        yield from sorted(model.state_dict().items())
        return
    for attr, value in sorted(vars(model).items()) if hasattr(model, "__dict__") else []:
        yield from _tensors_in(attr, value)


def _tensors_in(name: str, value: Any) -> Iterator[tuple[str, torch.Tensor]]:
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype != object:  # weights read with numpy
        yield name, torch.from_numpy(np.ascontiguousarray(value).view(np.uint8).reshape(-1))
    if isinstance(value, torch.Tensor):
        yield name, value
    elif isinstance(value, torch.nn.Module):
        for key, tensor in sorted(value.state_dict().items()):
            yield f"{name}.{key}", tensor
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, (torch.Tensor, torch.nn.Module, np.ndarray)):
                yield from _tensors_in(f"{name}[{i}]", item)
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            if isinstance(value[key], (torch.Tensor, torch.nn.Module, np.ndarray)):
                yield from _tensors_in(f"{name}[{key}]", value[key])


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    """The raw bytes of a tensor of any dtype and device, with its dtype and shape."""
    t = tensor.detach().to("cpu").contiguous().reshape(-1)
    header = f"{t.dtype}:{tuple(tensor.shape)}".encode()
    return header + t.view(torch.uint8).numpy().tobytes()


__all__ = ["file_hash", "model_hash", "named_tensors", "source_hash", "tensor_bytes", "weight_files"]
