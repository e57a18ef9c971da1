"""The phase timer: exclusive time per phase that adds up to the timed wall, booked only for
the timing thread, and a no-op outside a timed run."""

from __future__ import annotations

import threading
import time

from physcheck import timing
from physcheck.timing import PhaseTimer, model_forward, phase, timed, variant


def busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_nested_phases_are_exclusive_and_add_up_to_the_wall() -> None:
    timer = PhaseTimer()
    started = time.perf_counter()
    with timed(timer, "setup"):
        busy(0.02)
        with phase("outer"):
            busy(0.03)
            with phase("inner"):
                busy(0.05)
            busy(0.01)
    wall = time.perf_counter() - started
    assert abs(timer.total - wall) < 0.005
    assert 0.05 <= timer.seconds["inner"] < 0.07
    assert 0.04 <= timer.seconds["outer"] < 0.06  # 0.03 + 0.01: the inner time is not its own
    assert timer.counts == {"setup": 1, "outer": 1, "inner": 1}


def test_model_forwards_are_booked_under_their_variant() -> None:
    timer = PhaseTimer()
    with timed(timer):
        with model_forward():
            busy(0.01)
        with variant("float64"), model_forward():
            busy(0.01)
    assert set(timer.seconds) == {"other", "model forward (base)", "model forward (float64)"}


def test_other_threads_and_untimed_runs_book_nothing() -> None:
    timer = PhaseTimer()
    with timed(timer):
        worker = threading.Thread(target=lambda: phase("elsewhere").__enter__())
        worker.start()
        worker.join()
    assert "elsewhere" not in timer.seconds
    assert timing._ACTIVE is None
    with phase("nobody"), model_forward(), variant("x"):
        pass  # no timer: nothing happens


def test_a_synchronize_hook_runs_at_each_boundary() -> None:
    calls: list[int] = []
    timer = PhaseTimer(synchronize=lambda: calls.append(1))
    with timed(timer), phase("a"):
        pass
    assert len(calls) == 4  # enter and leave, for "other" and for "a"
