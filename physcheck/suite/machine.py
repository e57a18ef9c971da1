"""What a run's rollouts take of the machine, settled before anything runs: the CUDA device
asked for (refused, with the reason, where torch sees none: a GPU gate must not pass
without running) and torch's CPU threads (capped while physcheck rolls out)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch

from physcheck.errors import ConfigError


def cuda_missing_reason() -> str | None:
    """``None`` where torch sees a CUDA device, else why not."""
    if torch.cuda.is_available():
        return None
    return f"no CUDA device is available to torch {torch.__version__}"


def require_cuda(device: str, *, asked_by: str) -> None:
    """Raise ``ConfigError`` where ``asked_by`` (``--physcheck-device cuda``, a ``-m gpu``
    selection) asks for a CUDA ``device`` (``cuda``, ``cuda:N``, or any other for the
    selection) that torch cannot give."""
    reason = cuda_missing_reason()
    if reason is None:
        index = device.partition(":")[2]
        if index.isdigit() and int(index) >= torch.cuda.device_count():
            raise ConfigError(
                f"--physcheck-device {device}: torch sees {torch.cuda.device_count()} CUDA "
                "device(s); use cuda:0 to cuda:N-1"
            )
        return
    raise ConfigError(
        f"{asked_by} asks for the GPU gate, but {reason}: a gate must not pass without running; "
        "run on a machine with a GPU, or use --physcheck-device cpu for a CPU run"
    )


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def thread_count(threads: int | None, *, workers: int = 1) -> int | None:
    """torch's CPU threads for physcheck's rollouts: ``threads`` (``--physcheck-threads``);
    else ``None`` (leave torch as it is) when the user set ``OMP_NUM_THREADS``; else the
    available cores divided among ``workers`` processes (pytest-xdist's)."""
    if threads is not None:
        return threads
    if os.environ.get("OMP_NUM_THREADS", "").strip():
        return None
    return max(1, available_cores() // max(workers, 1))


@contextmanager
def capped_threads(wanted: int | None) -> Iterator[None]:
    """torch's CPU threads set to ``wanted`` (``None``: left as they are) inside the block,
    and given back afterwards, so a user's own tests keep their ``OMP_NUM_THREADS`` or
    ``torch.set_num_threads``."""
    if wanted is None:
        yield
        return
    before = torch.get_num_threads()
    if before != wanted:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


__all__ = ["available_cores", "capped_threads", "cuda_missing_reason", "require_cuda", "thread_count"]
