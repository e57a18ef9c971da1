"""``python -m physcheck``: the ``physcheck`` command."""

from physcheck.cli import main

raise SystemExit(main())
