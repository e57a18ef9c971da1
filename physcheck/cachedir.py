"""physcheck's cache directories: where the per-user cache lives, and the tag that marks a
cache directory as one (torch-free).

``user_cache_root()`` is physcheck's per-user cache (``$PHYSCHECK_CACHE``, else platformdirs'
user cache directory): the built data sets and the remembered file checksums. The rollout
cache (``.physcheck-cache/`` in the rootdir) is another. ``mark_cache_dir(path)`` puts a
``CACHEDIR.TAG`` in a cache directory so that backup and archiving tools skip it
(https://bford.info/cachedir/).
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "PHYSCHECK_CACHE"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by physcheck.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def user_cache_root() -> Path:
    """``$PHYSCHECK_CACHE``, else platformdirs' per-user cache directory for physcheck."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir("physcheck", appauthor=False))


def mark_cache_dir(directory: Path) -> None:
    """Create ``directory`` with a ``CACHEDIR.TAG`` in it (best effort: a cache that cannot be
    marked still works; one that cannot be created fails where it is written)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tag = directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG)
    except OSError:
        pass


__all__ = ["CACHEDIR_TAG", "CACHE_ENV", "mark_cache_dir", "user_cache_root"]
