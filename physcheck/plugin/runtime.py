"""What a configured run needs of the machine, settled before anything runs: the device
(a GPU gate must not pass without a GPU) and torch's CPU threads, as pytest gives them (the
``-m`` selection, the xdist workers); the policies are ``physcheck.suite.machine``'s, imported
on use (loading the plugin imports no torch)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from physcheck.config import Settings
from physcheck.data.remote import local_path
from physcheck.errors import ConfigError


def cuda_missing_reason() -> str | None:
    """``None`` where torch sees a CUDA device, else why not."""
    from physcheck.suite.machine import cuda_missing_reason as reason

    return reason()


def selects_gpu_gate(markexpr: str) -> bool:
    """Whether ``-m markexpr``, read by pytest's own matcher, selects the physics items only
    when they carry the ``gpu`` marker (``gpu``, ``gpu and physics``; not ``not (gpu)`` nor
    ``gpu or physics``)."""
    if not markexpr.strip():
        return False
    from _pytest.mark.expression import Expression

    try:
        expression = Expression.compile(markexpr)
    except Exception:  # pytest reports a malformed expression itself
        return False

    def selects(marks: set[str]) -> bool:
        def matcher(name: str, /, **_: object) -> bool:
            return name in marks

        return bool(expression.evaluate(matcher))  # type: ignore[arg-type, unused-ignore]

    return selects({"gpu", "physics"}) and not selects({"physics"})


def check_device(config: pytest.Config, settings: Settings) -> None:
    """``--physcheck-device cuda`` without CUDA, or ``-m gpu`` selecting a physcheck gate on a
    machine without one, is a usage error: a gate must fail, not pass without running."""
    if not settings.models:
        return
    asked_cuda = settings.device.startswith("cuda")
    markexpr = str(getattr(config.option, "markexpr", "") or "")
    gate = selects_gpu_gate(markexpr)
    if not (asked_cuda or gate):
        return
    from physcheck.suite.machine import require_cuda

    what = f"--physcheck-device {settings.device}" if asked_cuda else f"-m '{markexpr}'"
    require_cuda(settings.device, asked_by=what)


def output_path(config: pytest.Config, raw: str) -> Path:
    """An output path as the user wrote it: absolute, or relative to the directory pytest was
    invoked from (as pytest's own ``--junitxml``), wherever the rootdir is."""
    path = Path(local_path(raw))
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


def check_outputs(config: pytest.Config, settings: Settings) -> None:
    """The results JSON and report locations are writable, found before a long run rather
    than after it (when the results would be lost)."""
    places = []
    if settings.json_path:
        places.append(("--physcheck-json", output_path(config, settings.json_path), True))
    if settings.report_dir:
        places.append(("--physcheck-report", output_path(config, settings.report_dir), False))
    for option, path, is_file in places:
        folder = path.parent if is_file else path
        if is_file and path.is_dir():
            raise ConfigError(f"{option} {path}: is a directory; give a file path")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".physcheck-write-test-{os.getpid()}"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise ConfigError(
                f"{option} {path}: cannot write there ({exc.strerror or exc})"
            ) from None


def thread_count(config: pytest.Config, settings: Settings) -> int | None:
    """torch's CPU threads for physcheck's rollouts (``physcheck.suite.machine.thread_count``),
    the available cores divided among the xdist workers."""
    from physcheck.suite.machine import thread_count as count

    workerinput = getattr(config, "workerinput", None)
    workers = int(workerinput.get("workercount", 1)) if isinstance(workerinput, dict) else 1
    return count(settings.threads, workers=workers)


@contextmanager
def rollout_threads(config: pytest.Config, settings: Settings) -> Iterator[None]:
    """Cap torch's CPU threads while physcheck rolls out (torch's default oversubscribes a
    shared or xdist-split machine), and give the user's setting back afterwards, so a user's
    own tests keep their ``OMP_NUM_THREADS`` or ``torch.set_num_threads``."""
    wanted = thread_count(config, settings)
    if wanted is None:
        yield
        return
    from physcheck.suite.machine import capped_threads

    with capped_threads(wanted):
        yield


__all__ = [
    "check_device",
    "check_outputs",
    "cuda_missing_reason",
    "rollout_threads",
    "selects_gpu_gate",
    "thread_count",
]
