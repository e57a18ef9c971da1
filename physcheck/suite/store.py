"""Where a run's diagnostic records are kept (``RecordStore``): each ``(model, variant)``
record once per suite (memo) and, with the disk cache on, once across runs (under a key of
everything that decides it, locked while it is computed). A record not had is computed with
the variants of its batch group, by the ``compute`` function the store is given, which gets
the base record's kept frames from the store when a variant compares with them.

The store rolls nothing out itself; a cache that cannot be used (a read-only or full disk)
is dropped after one warning, and the run goes on without it.
"""

from __future__ import annotations

import collections
import contextlib
import warnings
from collections.abc import Callable
from pathlib import Path

import torch

import physcheck
from physcheck import timing
from physcheck.cache import CacheWarning, RecordCache, cache_key
from physcheck.data.well import file_identity
from physcheck.models import model_hash
from physcheck.records import DiagnosticRecord
from physcheck.suite.inputs import Inputs
from physcheck.suite.plan import RolloutPlan
from physcheck.suite.variant import BASE, Variant

#: ``compute(model, variants, base_frames)``: the records of ``variants`` computed together;
#: ``base_frames()`` gives the base record's kept frames ``[B, K, X, Y, Z, C]`` (or ``None``)
ComputeVariants = Callable[
    [str, list[Variant], Callable[[], torch.Tensor | None]], dict[Variant, DiagnosticRecord]
]
#: ``group(model, variant)``: the variants computed together with ``variant``
BatchGroup = Callable[[str, Variant], list[Variant]]


def open_cache(inputs: Inputs) -> RecordCache | None:
    """The disk cache at the ``cache_dir`` setting (relative to the rootdir); ``None`` when
    the cache is off."""
    settings = inputs.settings
    if not settings.use_cache:
        return None
    folder = Path(settings.cache_dir)
    return RecordCache(folder if folder.is_absolute() else inputs.rootdir / folder)


class RecordStore:
    """The records of ``inputs``' models. ``group``: which variants are computed together
    (``RolloutPlan.batch_group``); ``compute``: computes them."""

    def __init__(
        self,
        inputs: Inputs,
        plan: RolloutPlan,
        *,
        group: BatchGroup,
        compute: ComputeVariants,
    ) -> None:
        self.inputs = inputs
        self.plan = plan
        self.group = group
        self.compute = compute
        self.cache = open_cache(inputs)
        #: the records read from the disk cache, per ``(model, variant name)``
        self.cache_hits: collections.Counter[tuple[str, str]] = collections.Counter()
        self._records: dict[tuple[str, Variant], DiagnosticRecord] = {}

    def has(self, name: str, variant: Variant) -> bool:
        """Whether the record is had (computed, read from the cache or put)."""
        return (name, variant) in self._records

    def held_frames(self, name: str, variant: Variant = BASE) -> torch.Tensor | None:
        """The kept frames ``[B, K, X, Y, Z, C]`` of a record the run already holds (``None``
        where it holds none, or one without frames); never computes one."""
        record = self._records.get((name, variant))
        return record.frames if record is not None else None

    def put(self, name: str, variant: Variant, record: DiagnosticRecord) -> None:
        """Keep a record computed elsewhere (not written to the disk cache)."""
        self._records[(name, variant)] = record

    def record(self, name: str, variant: Variant = BASE) -> DiagnosticRecord:
        """The diagnostic record of one rollout variant of a model: kept, cached, or computed
        with its batch group (and then cached)."""
        memo = (name, variant)
        if memo in self._records:
            return self._records[memo]
        group = self.group(name, variant)
        n_history = self.inputs.n_history(name)
        # saved rollouts are read, not run: nothing to cache
        cached = self.cache is not None and self.inputs.saved(name) is None
        keys = {v: self.key(name, v, n_history) for v in group} if cached else {}
        with contextlib.ExitStack() as locks:
            if self.cache is not None and keys:
                try:
                    with timing.phase("cache I/O"):
                        for key in sorted(set(keys.values())):
                            locks.enter_context(self.cache.lock(key))
                except OSError as exc:
                    self.drop_cache(exc)
                    keys = {}
            missing = []
            for v in group:
                found = self.cached(keys[v]) if keys else None
                if found is None:
                    missing.append(v)
                else:
                    self._records[(name, v)] = found
                    self.cache_hits[(name, str(v))] += 1
            if missing:
                computed = self.compute(name, missing, lambda: self.record(name, BASE).frames)
                for v, record in computed.items():
                    self._records[(name, v)] = record
                    if self.cache is not None and keys:
                        try:
                            with timing.phase("cache I/O"):
                                self.cache.put(keys[v], *record.to_cache())
                        except Exception as exc:  # a full or read-only disk: only slower
                            self.drop_cache(exc)
        return self._records[memo]

    def key(self, name: str, variant: Variant, n_history: int) -> str:
        """The cache key of a record: everything that decides it (model, data, window,
        trajectories, variant, precision, batching, device, diagnostics, versions)."""
        inputs = self.inputs
        entry = inputs.model_entry(name)
        s = inputs.settings
        window = inputs.window
        return cache_key(
            {
                "model": model_hash(inputs.model(name), entry.spec),
                "projection": entry.projection,
                "data": inputs.data.content_hash(),
                "data_files": [file_identity(p) for p in inputs.data.files],
                "split": s.split,
                "window": [window.first, window.n_steps, n_history],
                "trajectories": inputs.trajectories,
                "variant": str(variant),
                "dtype": s.reference_dtype if variant.is_twin else s.dtype,
                # batched rows equal one-at-a-time rows only for a batch-invariant model
                "batched": inputs.batching and not variant.is_twin,
                "batch_rows": s.batch_rows,
                "early_stop": s.early_stop,
                "device": inputs.device.type,
                "diagnostics": repr(inputs.diagnostics),
                "guide_axis": s.guide_axis,
                "profile": inputs.profile.name,
                "keep_frames": self.plan.keeps_frames(name),
                "versions": [physcheck.__version__, torch.__version__],
            }
        )

    def cached(self, key: str) -> DiagnosticRecord | None:
        """The record cached under ``key``; ``None`` when there is none, or (after a warning)
        when the entry does not fit a record."""
        assert self.cache is not None
        with timing.phase("cache I/O"):
            entry = self.cache.get(key, DiagnosticRecord.cache_layout())
        if entry is None:
            return None
        try:
            return DiagnosticRecord.from_cache(*entry)
        except (KeyError, TypeError, ValueError) as exc:
            warnings.warn(
                f"physcheck cache entry {key} does not fit a record ({exc}); it is recomputed",
                CacheWarning,
                stacklevel=2,
            )
            return None

    def drop_cache(self, exc: BaseException) -> None:
        """Go on without the disk cache, after one warning: it is an optimisation, and a cache
        that cannot be written (a read-only or full disk) must not fail the models."""
        if self.cache is None:
            return
        reason = getattr(exc, "strerror", None) or f"{type(exc).__name__}: {exc}"
        warnings.warn(
            f"physcheck: the rollout cache {self.cache.directory} cannot be used ({reason}); "
            "the run goes on without it (--physcheck-no-cache to say so, or point "
            "cache_dir at a writable place)",
            CacheWarning,
            stacklevel=2,
        )
        self.cache = None


__all__ = ["BatchGroup", "ComputeVariants", "RecordStore", "open_cache"]
