"""``--physcheck-baseline DIR``: a directory of saved rollouts (``physcheck export DIR``) as
the baseline. Each gated model's file there is read into the run as a baseline model
(``NAME (baseline)``, no items of its own), after its own metadata has been compared with
the run (``physcheck.baseline.saved``); its numbers then pair with the model's as
``--physcheck-compare`` pairs two models of one run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from physcheck.errors import ConfigError

if TYPE_CHECKING:
    from physcheck.baseline.saved import Coverage
    from physcheck.plugin.items import PhyscheckPlugin
    from physcheck.suite import Suite

#: how a gated model's baseline is named in the run
BASELINE_SUFFIX = " (baseline)"


def coverage(suite: Suite) -> Coverage:
    """What the run covers: window, trajectories, channels, grid and data files."""
    from physcheck.baseline.saved import Coverage
    from physcheck.outputs.provenance import data_provenance

    window = suite.window
    files = data_provenance(suite)["files"]
    return Coverage(
        label=window.label,
        start=window.first,
        n_history=window.n_history,
        steps=window.n_steps,
        trajectories=tuple(suite.trajectories),
        fields=tuple(suite.data.field_names),
        grid=tuple(suite.data.spatial_shape),
        files={str(f["name"]): str(f.get("sha256") or "") for f in files},
    )


def saved_baselines(plugin: PhyscheckPlugin, directory: Path) -> dict[str, tuple[str, str]]:
    """``{model: (its baseline model in the run, label)}`` for each gated model with saved
    rollouts in ``directory``; one-line ``ConfigError`` for a directory with none of them or
    rollouts that cannot be compared with this run."""
    from physcheck.baseline.saved import rollout_files, saved_differences
    from physcheck.config import ModelSpec
    from physcheck.data.formats import FORMATS
    from physcheck.data.predictions import open_predictions

    suite = plugin.suite
    suffixes = [suffix for cls in FORMATS.values() for suffix in cls.suffixes]
    files = rollout_files(directory, [m.name for m in plugin.settings.models], suffixes)
    run = coverage(suite)
    out = {}
    for model, path in files.items():
        opened = open_predictions(path, suite.data.infos[0].sources)
        found = saved_differences(opened.meta, opened.shapes[""], run)
        if found:
            raise ConfigError(f"the baseline {path} cannot be compared with this run: {'; '.join(found)}")
        name = f"{model}{BASELINE_SUFFIX}"
        suite.add_model(ModelSpec(name, f"saved:{path}"))
        suite.validate(name)
        out[model] = (name, f"baseline {path.name}")
    return out


__all__ = ["BASELINE_SUFFIX", "coverage", "saved_baselines"]
