"""What a check returns (torch-free)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from physcheck.jsonio import json_number


def test_id(
    check: str, model: str, trajectory: int | None = None, channel: str | None = None
) -> str:
    """``check[model-trajN]``, ``check[model-trajN-channel]`` or, for a check over all of a
    model's trajectories, ``check[model]``: the name of a check's test item, the key of its
    result and how messages refer to it."""
    parts = [model] + ([f"traj{trajectory}"] if trajectory is not None else [])
    parts += [channel] if channel else []
    return f"{check}[{'-'.join(parts)}]"


@dataclass
class CheckResult:
    """One check of one model on one trajectory (and channel, where it applies).

    ``trajectory`` is ``None`` for a check over all of a model's trajectories (a median).
    ``value``/``threshold``: the measured number and the bound it was judged by (numbers, or
    ``None`` for a skipped check; for a two-sided bound, the side that was nearest);
    ``details``: the other named numbers behind the verdict; ``step``: the rollout step the
    message points at (1-based); ``skipped``: the reason a check could not run (then
    ``passed`` is True and the check counts as skipped). Prose goes in ``message``.
    """

    check: str
    model: str
    trajectory: int | None
    channel: str | None
    passed: bool
    value: float | None
    threshold: float | None
    message: str
    step: int | None = None
    skipped: str | None = None
    details: dict[str, float] | None = None

    @property
    def test_id(self) -> str:
        """``check[model-trajN]`` or ``check[model-trajN-channel]``."""
        return test_id(self.check, self.model, self.trajectory, self.channel)

    @property
    def outcome(self) -> str:
        return "skipped" if self.skipped else ("passed" if self.passed else "failed")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["value"] = json_number(_number(out["value"]))
        out["threshold"] = json_number(_number(out["threshold"]))
        if self.details is not None:
            out["details"] = {k: json_number(_number(v)) for k, v in self.details.items()}
        return out


def _number(value: Any) -> float | None:
    """A plain float (ints and numpy/torch scalars included); ``None`` stays ``None``."""
    return None if value is None else float(value)


__all__ = ["CheckResult", "test_id"]
