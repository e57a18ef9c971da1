"""Build a surrogate from a spec a user can write on a command line or in config.

Specs (parsed by ``physcheck.config.specs``, the same rules as the settings):

- ``reference``: the isothermal MHD reference solver (exact oracle); needs ``data=``.
- ``demo``: the small learned surrogate shipped with physcheck (weights in ``physcheck/models/weights``, shipped in the wheel).
- ``persistence``, ``climatology``: the do-nothing baselines (``physcheck.models.baselines``).
- ``walrus:CONFIG.yaml:CHECKPOINT.pt[:FIELD_MAP.yaml]``: Polymathic's Walrus from a Hydra config
  and checkpoint (state count from the checkpoint; field map from the file, the config, or
  Walrus's rules).
- ``package.module:attr``: a surrogate object, or a callable returning one (called with the
  options it accepts, e.g. ``data``).
- ``saved:PATH[,...]``: rollouts computed elsewhere (``physcheck.models.saved``); read, not run.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from physcheck.config.specs import ModelSpec, check_target
from physcheck.errors import ModelProtocolError, ModelSpecError
from physcheck.models.protocol import Surrogate, check_surrogate


def load(spec: str | ModelSpec, **options: Any) -> Surrogate:
    """The surrogate named by ``spec`` (see the module docstring). ``options``: ``data``
    (a ``WellData``), ``device``, and model-specific settings."""
    target = check_target(spec.spec if isinstance(spec, ModelSpec) else spec)
    device = options.get("device", "cpu")
    if target == "reference":
        from physcheck.models.reference import ReferenceSurrogate

        data = options.get("data")
        if data is None:
            raise ModelSpecError(
                "the 'reference' model needs the dataset (data=...) to read the solver settings from"
            )
        return ReferenceSurrogate.from_data(data, device=device)
    if target == "demo":
        from physcheck.models.demo import load_demo

        return load_demo(device=device)
    if target in ("persistence", "climatology"):
        from physcheck.models.baselines import BASELINES

        baseline = BASELINES[target]()
        baseline.to(device=device)
        return baseline
    if target.startswith("saved:"):
        from pathlib import Path

        from physcheck.models.saved import load_saved

        root = options.get("root")
        return load_saved(
            target, data=options.get("data"), root=Path(root) if root is not None else None
        )
    if target.startswith("walrus:"):
        _, config_path, checkpoint, *field_map = target.split(":")
        from physcheck.models.walrus import load_walrus

        return load_walrus(
            config_path,
            checkpoint,
            device=device,
            data=options.get("data"),
            field_map=field_map[0] if field_map else None,
        )
    return _load_attribute(target, options)


def _accepted(factory: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The options (``data``, ``device``, ...) a class or factory accepts by name. A class that
    does not define ``__init__`` itself (``object``'s or ``nn.Module``'s) gets none."""
    target = factory
    if inspect.isclass(factory):
        init = next(
            (
                klass.__dict__["__init__"]
                for klass in factory.__mro__
                if "__init__" in klass.__dict__
            ),
            None,
        )
        if init is None or init in (object.__init__, _module_init()):
            return {}
        target = init
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return {}
    accepts_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
    return {k: v for k, v in options.items() if accepts_all or k in params}


def _module_init() -> Any:
    import torch

    return torch.nn.Module.__init__


def search_roots(root: Any = None) -> list[str]:
    """Where a ``package.module:attr`` spec's module is looked for besides ``sys.path``: the
    rootdir (``root``) and the current directory, as pytest's ``pythonpath = .`` would."""
    import os

    roots = [os.path.abspath(str(root))] if root is not None else []
    here = os.getcwd()
    return roots + ([here] if here not in roots else [])


def import_spec_module(module_name: str, spec: str, root: Any = None) -> Any:
    """Import ``module_name`` from ``sys.path``, else from the rootdir and the current
    directory (added to ``sys.path`` only when the module is found there). A failure names
    where it looked; an error raised inside the module (a syntax error, a failing import of
    its own) names the module's file and line."""
    import sys

    top = module_name.split(".")[0]
    extra = [r for r in search_roots(root) if r not in sys.path]
    for attempt in ([], *([r] for r in extra)):
        sys.path[:0] = attempt
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or exc.name.split(".")[0] != top:
                raise ModelSpecError(
                    f"model spec {spec!r}: importing {module_name!r} failed: {exc}"
                ) from None
        except Exception as exc:  # the module itself is broken
            where = ""
            if isinstance(exc, SyntaxError) and exc.filename:
                where = f" ({exc.filename}, line {exc.lineno})"
            raise ModelSpecError(
                f"model spec {spec!r}: importing {module_name!r} raised "
                f"{type(exc).__name__}: {exc}{where}"
            ) from None
        finally:
            if module_name not in sys.modules:  # not found there: leave sys.path as it was
                for path in attempt:
                    sys.path.remove(path)
    looked = ", ".join(search_roots(root))
    raise ModelSpecError(
        f"model spec {spec!r}: cannot import {module_name!r}: no module of that name on sys.path, "
        f"in the rootdir or in the current directory ({looked}); install your package (pip install -e .), run from "
        "its folder, or add its folder to PYTHONPATH"
    )


def _load_attribute(spec: str, options: dict[str, Any]) -> Surrogate:
    module_name, _, attr = spec.partition(":")
    module = import_spec_module(module_name, spec, options.get("root"))
    try:
        obj: Any = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise ModelSpecError(
            f"model spec {spec!r}: {module_name!r} has no attribute {attr!r}"
        ) from None
    if inspect.isclass(obj) or (callable(obj) and not hasattr(obj, "step")):
        try:
            obj = obj(**_accepted(obj, options))
        except Exception as exc:
            what = "class" if inspect.isclass(obj) else "factory"
            raise ModelSpecError(
                f"model spec {spec!r}: calling the {what} {attr}() failed: {type(exc).__name__}: {exc}"
            ) from exc
    try:
        return check_surrogate(obj, name=f"model spec {spec!r}")
    except ModelProtocolError as exc:
        raise ModelSpecError(str(exc)) from None


__all__ = ["load"]
