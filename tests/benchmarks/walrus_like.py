"""A Walrus stand-in that costs something, for timing whole gates where Polymathic's walrus is
not installed (``physcheck bench --physcheck-model walrus_like=tests.benchmarks.walrus_like:
walrus_like``).

It has ``walrus.models.IsotropicModel``'s forward signature and layout (``x [T, B, C, X, Y,
Z]`` normalised, ``state_labels [C]``, ``bcs [B][3][2]``, ``metadata`` -> ``[1, B, C, X, Y,
Z]``, the normalised change) and goes through physcheck's own Walrus adapter
(``WalrusSurrogate``: RMS normalisation, field map, 3-frame history), so the adapter's work is
timed with it. Its compute has Walrus's shape at a small size: a per-field input embedding
chosen by ``state_labels``, a strided patch encoder (4^3 patches), space-time blocks (full
attention over the patches of each frame, causal attention over the 3 frames, an MLP, each
with a residual) and a transposed-convolution decoder. Random weights from a fixed seed; the
decoder's output is scaled down so that rollouts stay finite over a bench window. On one CPU
core a 16^3 step of one row takes about 50 ms in float32 (about 4x the demo's), 0.1 s in
float64. Walrus takes only 16^3 and 64^3 grids, and so does the adapter (it refuses 32^3 with
the reason).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from physcheck.models.walrus import RELEASED_N_STATES, WalrusSurrogate


class SpaceTimeBlock(nn.Module):
    """Attention over the patches of each frame, causal attention over the frames, an MLP."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.space_norm = nn.LayerNorm(width)
        self.space = nn.MultiheadAttention(width, heads, batch_first=True)
        self.time_norm = nn.LayerNorm(width)
        self.time = nn.MultiheadAttention(width, heads, batch_first=True)
        self.mlp_norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """``tokens [T, B, N, W]`` (frames, rows, patches, width) -> the same shape."""
        t, b, n, w = tokens.shape
        space = self.space_norm(tokens).reshape(t * b, n, w)
        tokens = tokens + self.space(space, space, space, need_weights=False)[0].reshape(t, b, n, w)
        time = self.time_norm(tokens).permute(1, 2, 0, 3).reshape(b * n, t, w)
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=tokens.device), diagonal=1)
        attended = self.time(time, time, time, attn_mask=causal, need_weights=False)[0]
        tokens = tokens + attended.reshape(b, n, t, w).permute(2, 0, 1, 3)
        return tokens + self.mlp(self.mlp_norm(tokens))


class WalrusLikeModel(nn.Module):
    """Walrus's forward signature with a small space-time transformer behind it."""

    def __init__(
        self,
        n_states: int = RELEASED_N_STATES,
        width: int = 192,
        depth: int = 8,
        heads: int = 4,
        patch: int = 4,
        embedding: int = 16,
        seed: int = 0,
    ) -> None:
        super().__init__()
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.field_embedding = nn.Parameter(torch.randn(n_states, embedding) / embedding**0.5)
            self.encoder = nn.Conv3d(embedding, width, kernel_size=patch, stride=patch)
            self.blocks = nn.ModuleList(SpaceTimeBlock(width, heads) for _ in range(depth))
            self.decoder_norm = nn.LayerNorm(width)
            self.decoder = nn.ConvTranspose3d(width, embedding, kernel_size=patch, stride=patch)
            self.field_readout = nn.Parameter(torch.randn(n_states, embedding) * 1e-2)

    def forward(
        self,
        x: torch.Tensor,
        state_labels: torch.Tensor,
        bcs: Any,
        metadata: Any,
        proj_axes: Any = None,
        return_att: bool = False,
        train: bool = True,
    ) -> torch.Tensor:
        """``x [T, B, C, X, Y, Z]`` (normalised) -> ``[1, B, C, X, Y, Z]`` (normalised change)."""
        t, b, c, *spatial = x.shape
        embed = self.field_embedding[state_labels].to(x.dtype)  # [C, E]
        fields = torch.einsum("tbcxyz,ce->tbexyz", x, embed).reshape(t * b, -1, *spatial)
        patches = self.encoder(fields)  # [T B, W, X/p, Y/p, Z/p]
        grid = patches.shape[2:]
        tokens = patches.flatten(2).transpose(1, 2).reshape(t, b, -1, patches.shape[1])
        for block in self.blocks:
            tokens = block(tokens)
        last = self.decoder_norm(tokens[-1])  # [B, N, W]
        volume = last.transpose(1, 2).reshape(b, -1, *grid)
        decoded = self.decoder(volume)  # [B, E, X, Y, Z]
        readout = self.field_readout[state_labels].to(x.dtype)  # [C, E]
        return torch.einsum("bexyz,ce->bcxyz", decoded, readout)[None]


def walrus_like(data: Any = None) -> WalrusSurrogate:
    """The stand-in behind physcheck's Walrus adapter (MHD_64's fields, 3-frame history)."""
    return WalrusSurrogate(WalrusLikeModel().eval(), n_history=3)
