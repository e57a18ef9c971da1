"""The physics diagnostics of physcheck, as plain tensor functions (no pytest needed).

Layouts are The Well's, channels last: a state is ``[..., X, Y, Z, C]``, a vector field
``[..., X, Y, Z, 3]`` (the fused per-frame ``frame_statistics`` and ``channel_moments`` take
any number of spatial axes, ``[..., *S, C]``). Every function accepts torch tensors on any device in float32 or
float64 (numpy arrays are converted) and returns tensors on the same device and dtype,
batched over all leading dimensions. Definitions: ``SPEC.md`` section 2.

Several diagnostics of one frame share their expensive intermediates (a component's real FFT,
the channel moments, ``|B|``) through a small memo keyed on the tensor's memory, layout and
version counter, so an in-place edit through torch is always seen; ``clear_cache()`` drops it
(needed only after writing through ``tensor.numpy()`` or ``tensor.data``). See ``_memo``.
"""

from physcheck.diagnostics._memo import clear_cache
from physcheck.diagnostics._tensor import as_tensor
from physcheck.diagnostics.basin import (
    BASIN_FIRST,
    BASIN_NONE,
    BASIN_NONFINITE,
    BASIN_SECOND,
    BLOW_UP_NONFINITE,
    NONFINITE_LABEL,
    amplification,
    basin_label,
    basin_names,
    blow_up_label,
    blow_up_names,
    perpendicular_asymmetry,
)
from physcheck.diagnostics.divergence import divb_ratio, divergence
from physcheck.diagnostics.energy import Energies, channel_variance, energies
from physcheck.diagnostics.frame_statistics import (
    FrameStatistics,
    channel_moments,
    frame_statistics,
    squared_error_sums,
)
from physcheck.diagnostics.metrics import (
    WindowStatistic,
    stability_horizon,
    vrmse,
    vrmse_from_sums,
    window_statistic,
)
from physcheck.diagnostics.projection import project_state, solenoidal_projection
from physcheck.diagnostics.spectra import (
    Bands,
    band_energies,
    low_high_ratio,
    perpendicular_spectrum,
    pile_up,
    spectral_slope,
    wavenumbers,
)

__all__ = [
    "BASIN_FIRST",
    "BASIN_NONE",
    "BASIN_NONFINITE",
    "BASIN_SECOND",
    "BLOW_UP_NONFINITE",
    "NONFINITE_LABEL",
    "Bands",
    "Energies",
    "FrameStatistics",
    "WindowStatistic",
    "amplification",
    "as_tensor",
    "band_energies",
    "basin_label",
    "basin_names",
    "blow_up_label",
    "blow_up_names",
    "channel_moments",
    "channel_variance",
    "clear_cache",
    "divb_ratio",
    "divergence",
    "energies",
    "frame_statistics",
    "low_high_ratio",
    "perpendicular_asymmetry",
    "perpendicular_spectrum",
    "pile_up",
    "project_state",
    "solenoidal_projection",
    "spectral_slope",
    "squared_error_sums",
    "stability_horizon",
    "vrmse",
    "vrmse_from_sums",
    "wavenumbers",
    "window_statistic",
]
