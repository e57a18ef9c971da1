"""Evaluation windows: which frames are history and which are predicted.

A window is its first predicted frame (0-based frame index in the trajectory) and its
length K; the history is the ``n_history`` frames just before the first predicted frame.
Two are standard (the diagnostic paper's): ``early`` (first predicted frame 3, K = 50:
history [0, 1, 2] for 3 frames) and ``paper`` (first predicted frame 17, K = 60: history
[14, 15, 16]; the Walrus paper's "all predicted trajectories begin from T = 17").
"""

from __future__ import annotations

from dataclasses import dataclass

from physcheck.data.errors import DataError


@dataclass(frozen=True)
class Window:
    """``first``: 0-based index of the first predicted frame; ``n_steps``: K;
    ``n_history``: frames of history, or ``None`` to use the model's."""

    first: int
    n_steps: int
    n_history: int | None = None

    def __post_init__(self) -> None:
        if self.first < 1 or self.n_steps < 1:
            raise DataError(
                f"a window needs first predicted frame >= 1 and K >= 1, got first={self.first}, K={self.n_steps}"
            )
        if self.n_history is not None and self.n_history < 1:
            raise DataError(f"n_history must be >= 1, got {self.n_history}")

    def history_frames(self, n_history: int | None = None) -> range:
        """Frame indices of the history (``n_history`` overrides the window's own)."""
        n = self.resolve_history(n_history)
        return range(self.first - n, self.first)

    @property
    def predicted_frames(self) -> range:
        """Frame indices of the K predicted frames (truth to compare with)."""
        return range(self.first, self.first + self.n_steps)

    def resolve_history(self, n_history: int | None) -> int:
        n = self.n_history if self.n_history is not None else n_history
        if n is None:
            raise DataError("the window has no history length: give the model's n_history")
        return n

    def check(self, n_history: int | None, n_time: int) -> None:
        """Raise ``DataError`` when the window does not fit a trajectory of ``n_time`` frames."""
        n = self.resolve_history(n_history)
        if n + 1 > n_time:  # no window fits: every suggestion below would be out of range
            raise DataError(
                f"window {self.label}: the trajectories have {n_time} frames, too few for a "
                f"history of {n} frames and one predicted frame; use data with more frames or a "
                "model with a shorter history"
            )
        start = self.first - n
        if start < 0:
            raise DataError(
                f"window {self.label}: a history of {n} frames would start at frame {start}, before frame 0; "
                f"use a first predicted frame from {n} to {n_time - 1}"
            )
        last = self.first + self.n_steps - 1
        if last >= n_time:
            room = n_time - self.first
            fix = (
                f"use K <= {room}"
                if room >= 1
                else f"start the window at a frame from {n} to {n_time - 1}"
            )
            raise DataError(
                f"window {self.label}: its last frame {last} is past the trajectory's end ({n_time} frames, "
                f"last index {n_time - 1}); {fix}"
            )

    @property
    def label(self) -> str:
        """``START:HISTORY:K`` (or ``START:K``), the command-line form."""
        for name, window in STANDARD_WINDOWS.items():
            if window == self:
                return name
        middle = f"{self.n_history}:" if self.n_history is not None else ""
        return f"{self.first}:{middle}{self.n_steps}"


EARLY = Window(3, 50)
PAPER = Window(17, 60)
STANDARD_WINDOWS = {"early": EARLY, "paper": PAPER}


def parse_window(text: str) -> Window:
    """``early``, ``paper``, ``START:HISTORY:K`` or ``START:K`` -> ``Window``."""
    key = text.strip().lower()
    if key in STANDARD_WINDOWS:
        return STANDARD_WINDOWS[key]
    parts = key.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) == 3:
        return Window(numbers[0], numbers[2], numbers[1])
    if len(numbers) == 2:
        return Window(numbers[0], numbers[1])
    raise DataError(
        f"bad window {text!r}: use 'early', 'paper', 'START:HISTORY:K' (e.g. 17:3:60) or 'START:K'"
    )
