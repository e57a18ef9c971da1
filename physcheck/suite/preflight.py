"""What can be known about a model and the data before any rollout of a run: one line
saying what is wrong, raised before the first check runs (``validate``)."""

from __future__ import annotations

from physcheck.engine import rollout
from physcheck.errors import ConfigError, DataError, ModelRunError, ModelSpecError, PhyscheckError
from physcheck.profiles import profile_names
from physcheck.suite.inputs import Inputs


def validate(inputs: Inputs, name: str) -> None:
    """The data fit their profile (its channels, in order, and its spatial dimensions), the
    window fits the trajectories and the model's history, and one step of the model on one trajectory returns a float frame of
    the data's shape ``[1, X, Y, Z, C]`` (saved rollouts: they cover the window and the
    trajectories). Raises ``DataError``, ``ConfigError``, ``ModelSpecError`` or
    ``ModelRunError`` with one line."""
    data = inputs.data
    profile = inputs.profile
    differences = profile.differences(data.field_names, len(data.spatial_shape))
    if differences:
        how = (
            "named with --physcheck-profile"
            if inputs.settings.profile
            else f"found for data set {data.name!r}"
        )
        raise DataError(
            f"{data.files[0]}: the data do not fit the {profile.name} profile ({how}): "
            f"{'; '.join(differences)}; name the data's profile with --physcheck-profile "
            f"(known: {', '.join(profile_names())}) or register one "
            "(physcheck.profiles.register_profile)"
        )
    model = inputs.model(name)
    declared = getattr(model, "n_channels", None)
    if isinstance(declared, int) and declared != data.n_channels:
        raise ModelSpecError(
            f"model {name!r} takes {declared} channels; the data has {data.n_channels} "
            f"({', '.join(data.field_names)})"
        )
    window = inputs.window
    explicit = window.n_history
    if explicit is not None and explicit < model.n_history:
        raise ConfigError(
            f"window {window.label} gives {explicit} history frame(s); model {name!r} needs "
            f"{model.n_history}: use --physcheck-window {window.first}:{model.n_history}:{window.n_steps}"
        )
    n_history = inputs.n_history(name)
    window.check(n_history, data.n_time)
    saved = inputs.saved(name)
    if saved is not None:
        saved.check_window(window.first, window.n_steps, inputs.trajectories)
        return
    history, _ = data.read_window(inputs.trajectories[0], window, n_history)
    probe = history[None].to(inputs.device)
    try:
        out = rollout(
            model,
            probe,
            1,
            device=inputs.device,
            seed=inputs.settings.diagnostics.seed,
            keep_frames=True,
            start_frame=window.first,
            trajectories=inputs.trajectories[:1],
            step_timeout=inputs.settings.step_timeout,
        )
    except PhyscheckError as exc:
        raise ModelSpecError(f"model {name!r}: {exc}") from None
    except (Exception, SystemExit) as exc:  # the model's own code (sys.exit included)
        raise ModelRunError.wrap(name, exc) from exc
    assert out.frames is not None
    if not out.frames.is_floating_point():
        raise ModelSpecError(f"model {name!r} returns {out.frames.dtype} frames; expected floats")


__all__ = ["validate"]
