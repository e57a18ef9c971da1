"""A small, bounded memo of intermediate results that the single-purpose diagnostics share.

A user computing several diagnostics of one frame (``divb_ratio``, ``energies``,
``channel_variance``, ``perpendicular_spectrum``, ``vrmse`` against a truth) passes the same
tensor, or views of it, to each. The expensive intermediates (a channel's real FFT, the
channel moments, ``|B|``) are kept here for the next call, keyed on exactly what decides their
value:

- the *storage* the tensor views (its identity: a weak reference, so the memo never keeps a
  frame alive, and a new tensor that reuses a freed address is a miss), the offset into it,
  the shape, the strides, dtype and device: two views of the same memory with the same layout
  share an entry (``frame[..., 1:4]`` built twice), anything else does not;
- the tensor's version counter (``tensor._version``, shared by a tensor and all its views), so
  any in-place edit through torch (``x[...] = ...``, ``x.add_(...)``, ``copy_``, ``out=``)
  makes the entry a miss.

Only plain, torch-owned tensors are memoized: not numpy-backed ones (``torch.from_numpy``,
numpy input, DLPack: memory that can change without torch seeing it), not tensors that require
grad, not inference-mode tensors (they have no version counter), not tensor subclasses, not
meta tensors, and nothing while tracing or compiling. Writes that bypass the version counter
(through ``tensor.numpy()``, ``tensor.data[...] = ...``, or a second tensor built with ``set_``
on the same storage) are not seen: call ``clear_cache()`` after such an edit.

The memo holds at most ``MAX_ENTRIES`` results and ``MAX_BYTES`` of tensors (least recently
used dropped first; a larger result is not kept; results of freed tensors dropped at the next
miss), so it keeps at most a few frames' intermediates alive. Cached values are internal: the
public functions never hand one out, only results computed from them, so a caller editing a
returned tensor cannot corrupt the memo.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import torch

T = TypeVar("T")

#: results kept at most (a prediction, its truth and a reference need about 10)
MAX_ENTRIES = 64
#: bytes of results kept at most; a larger result is computed and not kept, so the memo never
#: holds more than this (a 64^3 frame's B transforms are about 1 MB per component in float32)
MAX_BYTES = 256 * 2**20

_Key = tuple[Hashable, ...]
_lock = threading.RLock()
_entries: OrderedDict[_Key, tuple[weakref.ref[Any], object, int]] = OrderedDict()
_held = [0]  # bytes held


def clear_cache() -> None:
    """Drop every memoized intermediate (needed only after an edit that torch cannot see)."""
    with _lock:
        _entries.clear()
        _held[0] = 0


def _nbytes(value: object) -> int:
    """Bytes of the tensors in ``value`` (a tensor, or a tuple or list of them)."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v) for v in value)
    return 0


def _tracing() -> bool:
    """Whether ``torch.jit.trace`` or ``torch.compile`` is recording (a memo hit would leave
    ops out of the graph)."""
    compiling = getattr(torch.compiler, "is_compiling", None)  # torch >= 2.3
    if compiling is not None and compiling():
        return True
    return bool(torch.jit.is_tracing())  # type: ignore[attr-defined,no-untyped-call]


def _storage_key(tensor: torch.Tensor) -> tuple[_Key, Any] | None:
    """``(layout key, storage)`` of a tensor that may be memoized, ``None`` for one that may not."""
    if type(tensor) is not torch.Tensor or tensor.requires_grad or tensor.is_inference():
        return None
    if tensor.device.type == "meta" or _tracing():
        return None
    try:
        storage = tensor.untyped_storage()
        if not storage.resizable():  # memory torch does not own (numpy, DLPack, frombuffer)
            return None
        key = (
            storage.data_ptr(),
            tensor.storage_offset(),
            tuple(tensor.shape),
            tuple(tensor.stride()),
            tensor.dtype,
            tensor.device,
            tensor.is_conj(),
            tensor.is_neg(),
            tensor._version,
        )
    except (RuntimeError, NotImplementedError, TypeError):  # exotic tensors: no memo
        return None
    return key, storage


def memoizable(tensor: torch.Tensor) -> bool:
    """Whether results computed from ``tensor`` can be memoized (see the module docstring)."""
    return _storage_key(tensor) is not None


def _drop(key: _Key) -> None:
    _held[0] -= _entries.pop(key)[2]


def _purge_dead() -> None:
    """Drop the entries whose storage has been freed (their values are unreachable); run on
    every ``put``, so a freed frame's results go with the next miss."""
    while dead := [key for key, (ref, _, _) in _entries.items() if ref() is None]:
        for key in dead:  # dropping one may free another's storage (a transform of a plane)
            _drop(key)


def _get(found: tuple[_Key, Any] | None, kind: Hashable) -> Any | None:
    if found is None:
        return None
    layout, storage = found
    key = (kind, *layout)
    with _lock:
        entry = _entries.get(key)
        if entry is None or entry[0]() is not storage:
            return None
        _entries.move_to_end(key)
        return entry[1]


def _set(found: tuple[_Key, Any] | None, kind: Hashable, value: object) -> None:
    nbytes = _nbytes(value)
    if found is None or nbytes > MAX_BYTES:
        return
    layout, storage = found
    try:
        ref = weakref.ref(storage)
    except TypeError:  # a torch without weak references to storages: no memo
        return
    key = (kind, *layout)
    with _lock:
        _purge_dead()
        if key in _entries:
            _drop(key)
        _entries[key] = (ref, value, nbytes)
        _held[0] += nbytes
        while len(_entries) > MAX_ENTRIES or _held[0] > MAX_BYTES:
            _drop(next(iter(_entries)))


def peek(tensor: torch.Tensor, kind: Hashable) -> Any | None:
    """The value memoized for ``kind`` on ``tensor`` (same memory, layout and version), or
    ``None``."""
    return _get(_storage_key(tensor), kind)


def put(tensor: torch.Tensor, kind: Hashable, value: object) -> None:
    """Memoize ``value`` for ``kind`` on ``tensor`` as it is now (nothing happens for a tensor
    that may not be memoized, or a value over ``MAX_BYTES``). ``value`` must be fresh tensors
    that nobody edits."""
    _set(_storage_key(tensor), kind, value)


def memoized(tensor: torch.Tensor, kind: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from an earlier call with the same ``kind`` on the same
    memory, layout and version of ``tensor`` (see the module docstring).

    ``kind`` names what is computed and every parameter it depends on besides ``tensor``.
    ``compute`` must depend on nothing but the values ``tensor`` views (and ``kind``) and
    return fresh tensors that nobody else holds. The key is taken before ``compute`` runs, so
    an edit made meanwhile (another thread) leaves the value under the old version.
    """
    found = _storage_key(tensor)
    value: T | None = _get(found, kind)
    if value is None:
        value = compute()
        _set(found, kind, value)
    return value
