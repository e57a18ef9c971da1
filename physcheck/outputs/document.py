"""The results document of a library run: what ``--physcheck-json`` writes for a pytest
session, built straight from a ``Suite`` (for ``physcheck bench``, notebooks and tests)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from physcheck.suite import Suite


def suite_document(suite: Suite, models: Sequence[str] | None = None) -> dict[str, Any]:
    """The results document of ``models`` (default: every configured one): their results,
    settings, key numbers and provenance, in the schema of ``physcheck.outputs.results``."""
    import physcheck
    from physcheck.outputs.payloads import key_numbers
    from physcheck.outputs.provenance import merge, provenance
    from physcheck.outputs.results import results_document

    names = list(models) if models is not None else [m.name for m in suite.settings.models]
    settings = suite.settings.summary()
    settings["profile"] = suite.profile.name  # the profile the run found, named or not
    document = results_document(
        [r.to_dict() for name in names for r in suite.results(name)],
        settings,
        {name: key_numbers(suite, name) for name in names},
        {"version": physcheck.__version__},
    )
    merged = merge([provenance(suite, name) for name in names])
    if merged is not None:
        document["provenance"] = merged
    return document


__all__ = ["suite_document"]
