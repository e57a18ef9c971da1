"""Adapter for Polymathic's Walrus (``walrus.models.IsotropicModel``) as a physcheck surrogate.

One step follows the Walrus paper's eq. 10 and Walrus's own validation rollout
(``walrus/trainer/training.py``, ``rollout_model``) with ``SamplewiseRevNormalization``:

1. the history ``[B, T, X, Y, Z, C]`` becomes Walrus's ``[T, B, C, X, Y, Z]``;
2. per sample and channel, ``rms = max(sqrt(mean_{T,S} x^2), eps)`` and the RMS of the
   history's frame-to-frame differences ``rms_delta = max(sqrt(mean_{T-1,S} (dx)^2), eps)``
   (``eps = 1e-5``; ``rms_delta = 1`` for a one-frame history);
3. ``model(x / rms, field_indices, bcs, metadata)``; the last output frame is the normalised
   change (``prediction_type = delta``);
4. ``next = x[-1] + rms_delta * out[-1]``.

``field_indices`` are the rows of Walrus's field embedding for the data's channels (the
released map: density 28, magnetic_field_x/y/z 39/40/41, velocity_x/y/z 4/5/6; 67 states);
``bcs`` is ``[B][3][2]`` boundary codes (WALL 0, OPEN 1, PERIODIC 2); ``metadata`` a
``the_well`` ``WellMetadata``. Walrus's patch jitter draws from torch's and numpy's RNGs;
the rollout engine seeds both. Unlike Walrus's trainer (which computes the statistics in
float32), the statistics here keep the run's dtype so that a float64 run is float64 throughout.

Polymathic's ``walrus`` is installed from its git repository; the PyPI package named
``walrus`` is an unrelated Redis library and is detected with a clear message.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from physcheck.errors import (
    DataError,
    LayoutError,
    MissingFileError,
    ModelSpecError,
    OptionalDependencyError,
)
from physcheck.fields import MHD_FIELDS
from physcheck.models.walrus_fields import (
    RELEASED_FIELD_INDICES,
    RELEASED_N_STATES,
    checkpoint_n_states,
    read_field_map,
    resolve_field_map,
)

if TYPE_CHECKING:
    from physcheck.config.model_kinds import ModelTarget, WalrusArguments

BOUNDARY_CODES = {"WALL": 0, "OPEN": 1, "PERIODIC": 2}
#: 3D grid sizes Walrus's kernel-size table accepts (32^3 raises inside Walrus)
SUPPORTED_3D_SIZES = (16, 64)
EPSILON = 1e-5
INSTALL_HINT = (
    "install Polymathic's Walrus from its git repository (e.g. pip install "
    "'git+https://github.com/PolymathicAI/walrus'), plus hydra-core, timm and einops"
)


class WalrusUnavailable(OptionalDependencyError):
    """Polymathic's ``walrus`` cannot be imported (missing, or the unrelated PyPI package)."""


class WalrusGridError(DataError):
    """A grid Walrus cannot take."""


def import_walrus() -> Any:
    """Polymathic's ``walrus`` package, or ``WalrusUnavailable`` saying what to install."""
    try:
        walrus = importlib.import_module("walrus")
    except ImportError as exc:
        raise WalrusUnavailable(
            f"Polymathic's walrus is not importable ({exc}); {INSTALL_HINT}"
        ) from None
    if hasattr(walrus, "Database"):  # the Redis library's entry point
        raise WalrusUnavailable(
            f"the installed `walrus` ({getattr(walrus, '__file__', '?')}) is the Redis library from PyPI, not "
            f"Polymathic's model; pip uninstall walrus, then {INSTALL_HINT}"
        )
    try:
        importlib.import_module("walrus.models")
    except ImportError as exc:
        raise WalrusUnavailable(
            f"`walrus` is importable but walrus.models is not ({exc}); {INSTALL_HINT}"
        ) from None
    return walrus


def walrus_missing_reason() -> str | None:
    """``None`` when Polymathic's walrus is importable, else why not (for skip messages)."""
    try:
        import_walrus()
    except WalrusUnavailable as exc:
        return str(exc)
    return None


def check_grid(spatial_shape: Sequence[int]) -> None:
    """Reject grids Walrus cannot take, before any compute."""
    shape = tuple(int(s) for s in spatial_shape)
    if len(shape) == 3 and any(s not in SUPPORTED_3D_SIZES for s in shape):
        raise WalrusGridError(
            f"Walrus cannot take a {'x'.join(map(str, shape))} grid: its 3D kernel-size table accepts only "
            f"{' and '.join(f'{n}^3' for n in SUPPORTED_3D_SIZES)}; resample the data to one of them"
        )


def well_metadata(
    field_names: Sequence[str], spatial_shape: Sequence[int], dataset_name: str = "MHD_64"
) -> Any:
    """A ``the_well`` ``WellMetadata`` for a periodic 3D dataset with these channels."""
    from the_well.data.datasets import WellMetadata

    t0 = [n for n in field_names if n == "density"]
    t1 = [n for n in field_names if n != "density"]
    return WellMetadata(
        dataset_name=dataset_name,
        n_spatial_dims=3,
        spatial_resolution=tuple(int(s) for s in spatial_shape),
        scalar_names=[],
        constant_scalar_names=[],
        field_names={0: t0, 1: t1, 2: []},
        constant_field_names={0: [], 1: [], 2: []},
        boundary_condition_types=["PERIODIC"],
        n_files=1,
        n_trajectories_per_file=[1],
        n_steps_per_trajectory=[1],
    )


class WalrusSurrogate(nn.Module):
    """A Walrus ``IsotropicModel`` (or anything with its forward signature) as a surrogate.

    ``model(x [T, B, C, X, Y, Z], field_indices [C] int64, bcs [B][3][2], metadata)`` must
    return ``[T_out, B, C, X, Y, Z]`` normalised changes.
    """

    field_indices: torch.Tensor
    weight_files: list[str]

    def __init__(
        self,
        model: nn.Module,
        *,
        n_history: int,
        field_names: Sequence[str] = MHD_FIELDS,
        field_indices: Mapping[str, int] = RELEASED_FIELD_INDICES,
        boundary: str = "PERIODIC",
        dataset_name: str = "MHD_64",
        epsilon: float = EPSILON,
        checkpoint_path: str | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.n_history = int(n_history)
        self.field_names = tuple(field_names)
        missing = [n for n in self.field_names if n not in field_indices]
        if missing:
            raise ModelSpecError(
                f"no Walrus field index for channel(s) {missing}; known: {sorted(field_indices)}"
            )
        self.register_buffer(
            "field_indices",
            torch.tensor([field_indices[n] for n in self.field_names], dtype=torch.int64),
            persistent=False,
        )
        self.boundary_code = BOUNDARY_CODES[boundary.upper()]
        self.dataset_name = dataset_name
        self.epsilon = epsilon
        self.checkpoint_path = checkpoint_path
        self.weight_files = []
        self._metadata: dict[tuple[int, ...], Any] = {}

    def metadata(self, spatial_shape: tuple[int, ...]) -> Any:
        if spatial_shape not in self._metadata:
            self._metadata[spatial_shape] = well_metadata(
                self.field_names, spatial_shape, self.dataset_name
            )
        return self._metadata[spatial_shape]

    def normalisation(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(rms, rms_delta)`` of ``x [T, B, C, X, Y, Z]``, each ``[1, B, C, 1, 1, 1]``."""
        dims = (0, 3, 4, 5)
        eps = torch.tensor(self.epsilon, dtype=x.dtype, device=x.device)
        rms = torch.maximum(x.square().mean(dims, keepdim=True).sqrt(), eps)
        if x.shape[0] > 1:
            delta = x[1:] - x[:-1]
            rms_delta = torch.maximum(delta.square().mean(dims, keepdim=True).sqrt(), eps)
        else:
            rms_delta = torch.ones_like(rms)
        return rms, rms_delta

    def step(self, history: torch.Tensor) -> torch.Tensor:
        """``[B, T, X, Y, Z, C]`` -> next frame ``[B, X, Y, Z, C]`` (physical units)."""
        b, _, *spatial, c = history.shape
        check_grid(spatial)
        if c != len(self.field_names):
            raise LayoutError(
                f"the history has {c} channels; this Walrus adapter expects {len(self.field_names)}: {list(self.field_names)}"
            )
        x = history.permute(1, 0, 5, 2, 3, 4)  # T B C X Y Z
        rms, rms_delta = self.normalisation(x)
        bcs = [[[self.boundary_code] * 2 for _ in range(3)] for _ in range(b)]
        out = self.model(x / rms, self.field_indices, bcs, metadata=self.metadata(tuple(spatial)))
        change = out[-1].to(x.dtype) * rms_delta[0]
        frame: torch.Tensor = (x[-1] + change).permute(0, 2, 3, 4, 1)
        return frame

    forward = step

    def identity(self) -> str:
        indices = [int(i) for i in self.field_indices]
        return f"walrus:{self.checkpoint_path}:{self.n_history}:{indices}"


def _config_history(cfg: Any, default: int) -> int:
    for path in ("data.module_parameters.n_steps_input", "n_steps_input"):
        node = cfg
        for key in path.split("."):
            node = node.get(key) if hasattr(node, "get") else None
            if node is None:
                break
        if node is not None:
            return int(node)
    return default


def build_walrus_model(model_config: Any, n_states: int = RELEASED_N_STATES) -> nn.Module:
    """``hydra.utils.instantiate(model_config, n_states=...)`` -> ``IsotropicModel``."""
    import_walrus()
    from hydra.utils import instantiate

    model: nn.Module = instantiate(model_config, n_states=n_states)
    return model


def _config_node(cfg: Any, dotted: str) -> Any:
    node = cfg
    for key in dotted.split("."):
        node = node.get(key) if hasattr(node, "get") else None
        if node is None:
            return None
    return node


def load_walrus(
    config_path: str | Path,
    checkpoint_path: str | Path | None,
    *,
    device: str | torch.device = "cpu",
    data: Any = None,
    n_history: int | None = None,
    field_map: str | Path | Mapping[str, int] | None = None,
) -> WalrusSurrogate:
    """Walrus from a Hydra config (e.g. the released ``extended_config.yaml``) and a checkpoint
    (``torch.load(p, weights_only=True)["app"]["model"]``); ``checkpoint_path=None`` keeps random
    weights (for tests). The state count comes from the checkpoint's embedding shapes and the
    field map from ``field_map`` (a ``{field: row}`` mapping or YAML/JSON file), the config's
    ``data.field_index_map_override``, or Walrus's rules (:func:`resolve_field_map`). The
    data's grid is checked up front."""
    import_walrus()
    from omegaconf import OmegaConf

    config_path = Path(config_path)
    if not config_path.is_file():
        raise MissingFileError(f"no Walrus config at {config_path}")
    cfg = OmegaConf.load(config_path)
    if data is not None:
        check_grid(data.spatial_shape)
    state = None
    n_states = RELEASED_N_STATES
    if checkpoint_path is not None:
        checkpoint_path = Path(checkpoint_path)
        if not checkpoint_path.is_file():
            raise MissingFileError(f"no Walrus checkpoint at {checkpoint_path}")
        state = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
        try:
            state = state["app"]["model"]
        except (KeyError, TypeError):
            raise ModelSpecError(
                f"{checkpoint_path}: not a Walrus checkpoint (expected ['app']['model'] inside)"
            ) from None
        n_states = checkpoint_n_states(state) or RELEASED_N_STATES
    field_names = tuple(data.field_names) if data is not None else MHD_FIELDS
    given = read_field_map(field_map) if isinstance(field_map, str | Path) else field_map
    indices, _origin = resolve_field_map(
        field_names,
        n_states=n_states,
        config_override=_config_node(cfg, "data.field_index_map_override"),
        field_map=given,
        source=str(field_map) if isinstance(field_map, str | Path) else "",
    )
    model = build_walrus_model(cfg.model if "model" in cfg else cfg, n_states=n_states)
    if state is not None:
        model.load_state_dict(state)
    surrogate = WalrusSurrogate(
        model,
        n_history=n_history or _config_history(cfg, 6),
        field_names=field_names,
        field_indices=indices,
        checkpoint_path=str(checkpoint_path) if checkpoint_path else None,
    )
    surrogate.weight_files = [str(config_path)] + (
        [str(field_map)] if isinstance(field_map, str | Path) else []
    )  # hashed into the cache key with the checkpoint
    return surrogate.eval().to(device)


def from_spec(target: ModelTarget, **options: Any) -> WalrusSurrogate:
    """The ``walrus`` model kind's loader: ``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]``
    (``options``: ``device``, ``data``)."""
    args: WalrusArguments = target.arguments
    return load_walrus(
        args.config,
        args.checkpoint,
        device=options.get("device", "cpu"),
        data=options.get("data"),
        field_map=args.field_map,
    )
