"""Walrus's field maps: which row of its field embedding each of the data's channels uses
(the released map, a checkpoint's own map from its config or a file, or Walrus's rule for a
single-dataset model), and the state count a checkpoint was trained with. Torch-free."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from physcheck.errors import ModelSpecError

#: Walrus's released field-embedding rows for The Well's MHD channels
RELEASED_FIELD_INDICES: dict[str, int] = {
    "density": 28,
    "magnetic_field_x": 39,
    "magnetic_field_y": 40,
    "magnetic_field_z": 41,
    "velocity_x": 4,
    "velocity_y": 5,
    "velocity_z": 6,
}
RELEASED_N_STATES = 67


def checkpoint_n_states(state: Mapping[str, Any]) -> int | None:
    """The number of field-embedding rows a Walrus state dict was trained with: the length of
    a decoder's output bias (``debed.<d>.proj2.bias``, one per state), else the input width of
    an encoder's first projection (``embed.<d>.proj1.weight``). ``None`` if neither is there."""
    for key, value in state.items():
        if key.startswith("debed.") and key.endswith("proj2.bias") and hasattr(value, "shape"):
            return int(value.shape[0])
    for key, value in state.items():
        if key.startswith("embed.") and key.endswith("proj1.weight") and hasattr(value, "shape"):
            return int(value.shape[1])
    return None


def _mapping(node: Any) -> dict[str, int] | None:
    """A ``{field: index}`` mapping from a config node (dict or OmegaConf), else ``None``."""
    if node is None or isinstance(node, str | bytes):
        return None
    try:
        items = dict(node).items()
    except (TypeError, ValueError):
        return None
    try:
        return {str(k): int(v) for k, v in items}
    except (TypeError, ValueError):
        return None


def read_field_map(path: str | Path) -> dict[str, int]:
    """A field map file: YAML or JSON ``{field_name: embedding_row}``."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ModelSpecError(f"no Walrus field map at {path}")
    mapping = _mapping(yaml.safe_load(path.read_text()))
    if mapping is None:
        raise ModelSpecError(f"{path}: a field map is a mapping of field names to integer rows")
    return mapping


def resolve_field_map(
    field_names: Sequence[str],
    *,
    n_states: int,
    config_override: Any = None,
    field_map: Mapping[str, int] | None = None,
    source: str = "",
) -> tuple[dict[str, int], str]:
    """Walrus's field-to-row map for ``field_names`` and where it came from.

    In order: an explicit ``field_map``; the config's ``data.field_index_map_override`` when
    it lists every field; for a checkpoint with the released state count (67), the released
    map; else Walrus's own rule for a model trained on one dataset without prefetching field
    names (``MultiWellDataset._build_subset_dict``): the override's rows first, then the
    data's fields in order from ``max(override) + 1``, which must account for every state.
    Every row must be below ``n_states``. Raises ``ModelSpecError`` naming the field and map.
    """
    override = _mapping(config_override) or {}
    if field_map is not None:
        chosen, origin = dict(field_map), f"the field map {source or '(given)'}"
    elif all(f in override for f in field_names):
        chosen, origin = override, "the config's data.field_index_map_override"
    elif n_states == RELEASED_N_STATES:
        chosen, origin = dict(RELEASED_FIELD_INDICES), "the released checkpoint's map"
    else:
        start = (max(override.values()) + 1) if override else 0
        chosen = dict(override)
        for name in field_names:
            if name not in chosen:
                chosen[name] = start
                start += 1
        origin = (
            f"Walrus's rule for a single-dataset model: data.field_index_map_override "
            f"{dict(override)} then the data's fields"
        )
        if start != n_states:
            raise ModelSpecError(
                f"the checkpoint has {n_states} field states, but {origin} gives {start}; give the "
                "training run's field map (walrus:CONFIG:CHECKPOINT:FIELD_MAP.yaml, a YAML "
                "{field: row} file)"
            )
    missing = [f for f in field_names if f not in chosen]
    if missing:
        raise ModelSpecError(
            f"field(s) {missing} are not in {origin} ({sorted(chosen)}); add them to the field map"
        )
    beyond = {f: chosen[f] for f in field_names if not 0 <= chosen[f] < n_states}
    if beyond:
        raise ModelSpecError(
            f"rows {beyond} from {origin} are outside the checkpoint's {n_states} field states"
        )
    return {f: chosen[f] for f in field_names}, origin


__all__ = [
    "RELEASED_FIELD_INDICES",
    "RELEASED_N_STATES",
    "checkpoint_n_states",
    "read_field_map",
    "resolve_field_map",
]
