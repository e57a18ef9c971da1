"""The demo surrogate: a small periodic 3D conv net trained on the default set's train split.

It predicts the next frame as ``last + std_delta * net(normalised history)``: the history
``[B, T, X, Y, Z, C]`` is normalised per channel by the training data's mean and std, its
T frames are stacked as input channels, and a few circular-padded 3D convolutions output
the normalised frame-to-frame change. Like real surrogates it is good at step 1 and
drifts over a long rollout. Weights live in ``physcheck/models/weights/demo.pt`` (package
data, so a wheel has them; trained by ``physcheck train-demo``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from physcheck.errors import ModelSpecError

if TYPE_CHECKING:
    from physcheck.config.model_kinds import ModelTarget

DEMO_DIR = Path(__file__).resolve().parent / "weights"
DEMO_WEIGHTS = DEMO_DIR / "demo.pt"


class DemoSurrogate(nn.Module):
    """Conv net surrogate; ``n_history`` frames of ``n_channels`` channels in, one frame out."""

    mean: torch.Tensor
    std: torch.Tensor
    std_delta: torch.Tensor
    checkpoint_path: str | None = None

    def __init__(
        self, n_channels: int = 7, n_history: int = 3, width: int = 24, depth: int = 3
    ) -> None:
        super().__init__()
        self.n_history = n_history
        self.n_channels = n_channels
        layers: list[nn.Module] = []
        in_ch = n_channels * n_history
        for _ in range(depth):
            layers += [nn.Conv3d(in_ch, width, 3, padding=1, padding_mode="circular"), nn.GELU()]
            in_ch = width
        layers.append(nn.Conv3d(in_ch, n_channels, 3, padding=1, padding_mode="circular"))
        self.net = nn.Sequential(*layers)
        self.register_buffer("mean", torch.zeros(n_channels))
        self.register_buffer("std", torch.ones(n_channels))
        self.register_buffer("std_delta", torch.ones(n_channels))

    def set_normalisation(
        self, mean: torch.Tensor, std: torch.Tensor, std_delta: torch.Tensor
    ) -> None:
        """Per-channel statistics of the training data (physical units)."""
        self.mean.copy_(mean)
        self.std.copy_(std)
        self.std_delta.copy_(std_delta)

    def normalised_delta(self, history: torch.Tensor) -> torch.Tensor:
        """``[B, T, X, Y, Z, C]`` -> predicted normalised change ``[B, X, Y, Z, C]``."""
        x = (history - self.mean) / self.std
        b, t, nx, ny, nz, c = x.shape
        x = x.permute(0, 1, 5, 2, 3, 4).reshape(b, t * c, nx, ny, nz)
        out: torch.Tensor = self.net(x)
        return out.permute(0, 2, 3, 4, 1)

    def step(self, history: torch.Tensor) -> torch.Tensor:
        """Next frame ``[B, X, Y, Z, C]`` from ``history [B, n_history, X, Y, Z, C]`` (physical units)."""
        return history[:, -1] + self.std_delta * self.normalised_delta(history)

    forward = step


def load_demo(
    path: str | Path | None = None, *, device: str | torch.device = "cpu"
) -> DemoSurrogate:
    """The trained demo surrogate (float32, eval mode) from ``path`` (default: the shipped weights)."""
    path = Path(path) if path is not None else DEMO_WEIGHTS
    if not path.is_file():
        raise ModelSpecError(
            f"no demo weights at {path}: train them with `physcheck train-demo` (a few minutes on a CPU)"
        )
    payload = torch.load(path, map_location="cpu", weights_only=True)
    model = DemoSurrogate(**payload["architecture"])
    model.load_state_dict(payload["state_dict"])
    model.checkpoint_path = str(path)
    return model.eval().to(device)


def from_spec(target: ModelTarget, **options: Any) -> DemoSurrogate:
    """The ``demo`` model kind's loader: the shipped weights (``options``: ``device``)."""
    return load_demo(device=options.get("device", "cpu"))
