"""A surrogate named by ``package.module:attr``: the module is imported from ``sys.path``, the
rootdir or the current directory; the attribute is a surrogate object, or a class or factory
called with the options it accepts (e.g. ``data``)."""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

from physcheck.errors import ModelProtocolError, ModelSpecError
from physcheck.models.protocol import Surrogate, check_surrogate

if TYPE_CHECKING:
    from physcheck.config.model_kinds import ModelTarget


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


def from_spec(target: ModelTarget, **options: Any) -> Surrogate:
    """The ``package.module:attr`` model kind's loader: the object, or what the class or
    factory returns when called with the ``options`` it accepts."""
    spec = target.text
    module_name, attr = target.arguments
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


__all__ = ["from_spec", "import_spec_module", "search_roots"]
