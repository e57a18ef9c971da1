"""A Well file's channels, channels last: each t0 field, and each component of a t1 or t2
field, flattened as The Well does (``density``, ``magnetic_field_x`` ... ``velocity_z``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def stack_channels(
    read: Callable[[str, str], np.ndarray],
    sources: Sequence[tuple[str, str, int | None]],
    n_lead: int,
) -> np.ndarray:
    """The channels ``[..., C]`` named by ``sources`` (``FileInfo.sources``: group, dataset,
    component or ``None``), each dataset read once with ``read(group, name)``. Datasets have
    ``n_lead`` leading axes (e.g. time and space) and a t1/t2 dataset's components after them."""
    cache: dict[tuple[str, str], np.ndarray] = {}
    channels = []
    for group, name, component in sources:
        if (group, name) not in cache:
            cache[(group, name)] = read(group, name)
        data = cache[(group, name)]
        if component is None:
            channels.append(data)
        else:
            channels.append(data.reshape(*data.shape[:n_lead], -1)[..., component])
    return np.stack(channels, axis=-1)


__all__ = ["stack_channels"]
