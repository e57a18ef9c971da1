"""The results JSON (``--physcheck-json``): every result, the key numbers and the settings.

Built from plain result dicts (``CheckResult.to_dict()``) and per-model key numbers, which
is all that crosses from pytest-xdist workers to the controller. Deterministic: sorted keys,
no timestamps, so two runs with the same numbers give the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from physcheck.config import check_names
from physcheck.jsonio import to_json_data, write_json


def sort_results(results: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Results in a stable order: model, check (catalogue order), trajectory, channel."""
    order = {name: i for i, name in enumerate(check_names())}
    return sorted(
        (dict(r) for r in results),
        key=lambda r: (
            r["model"],
            order.get(r["check"], len(order)),
            -1 if r["trajectory"] is None else r["trajectory"],
            r["channel"] or "",
        ),
    )


def results_document(
    results: Iterable[Mapping[str, Any]],
    settings: Mapping[str, Any],
    key_numbers: Mapping[str, Any],
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    """The document: ``physcheck`` (version), ``settings``, ``models`` (key numbers per model)
    and ``results`` (sorted)."""
    return {
        "physcheck": {"schema": SCHEMA, **meta},
        "settings": dict(settings),
        "models": {name: to_json_data(key_numbers[name]) for name in sorted(key_numbers)},
        "results": sort_results(results),
    }


#: the schema every results document follows (shipped as ``physcheck/schemas/results-v1.json``)
SCHEMA = "physcheck-results/1"


def results_schema() -> dict[str, Any]:
    """The JSON Schema of the results document."""
    text = resources.files("physcheck").joinpath("schemas/results-v1.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_results(document: Mapping[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` follows the schema (needs the
    ``jsonschema`` package)."""
    import jsonschema

    jsonschema.validate(json.loads(json.dumps(document)), results_schema())


def _has_validator() -> bool:
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return False
    return True


def write_results(path: str | Path, document: Mapping[str, Any]) -> Path:
    """Write the results JSON deterministically and atomically. With the environment variable
    ``PHYSCHECK_VALIDATE_RESULTS=1`` (physcheck's own tests set it while they run) the document
    is validated against the schema first, where ``jsonschema`` is installed (the test extra):
    a plain install writes the file without it."""
    if os.environ.get("PHYSCHECK_VALIDATE_RESULTS") == "1" and _has_validator():
        validate_results(document)
    return write_json(path, document)


__all__ = ["results_document", "sort_results", "write_results"]
