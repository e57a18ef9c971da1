"""The data layer's error type (defined with the others in ``physcheck.errors``)."""

from __future__ import annotations

from physcheck.errors import DataError

__all__ = ["DataError"]
