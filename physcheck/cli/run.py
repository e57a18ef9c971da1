"""``physcheck run``: the physics suite alone, through pytest.

``physcheck run`` checks the configured models (``[tool.physcheck] models`` and
``predictions``, or ``--physcheck-model`` / ``--physcheck-predictions``); where none is
configured anywhere it checks the demo surrogate on the default data set (CPU is fine).
``physcheck run --calibrate`` adds the reference-solver oracle to those defaults: the full
calibration run (every check must pass on the oracle; about half an hour on two cores).
Any pytest or ``--physcheck-*`` option can follow. Snapshot tests are left out (a main job
run from any folder has no committed snapshots to compare with);
``--physcheck-with-snapshots`` keeps them, and ``--snapshot-update`` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

#: ``physcheck`` is imported before pytest starts, so pytest cannot rewrite its asserts (it has
#: none that a user's test relies on); without this filter an installed wheel warns about it
NO_REWRITE_WARNING = [
    "-W",
    "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning",
]
#: checked where no model is configured anywhere
DEFAULT_MODELS = ("demo=demo",)
#: ``--calibrate`` adds the oracle, which must pass every check it takes
CALIBRATION_MODELS = ("reference=reference",)


def with_default_models(args: Sequence[str], *, calibrate: bool = False) -> list[str]:
    """``args`` with the default models given as fallbacks: the plugin checks them only when
    neither the command line nor the settings file configures a model or saved rollouts."""
    out = list(args)
    for model in DEFAULT_MODELS + (CALIBRATION_MODELS if calibrate else ()):
        out += ["--physcheck-fallback-model", model]
    return out


#: where the pytest session of ``physcheck run`` writes its exit status once it has finished
MARKER_ENV = "PHYSCHECK_SESSION_MARKER"


#: statuses with which pytest ends before a session starts, having printed why (a bad option,
#: an unreadable configuration file): no session, so no marker, and nothing else to say
NO_SESSION_STATUSES = (2, 3, 4)


def run_pytest(args: Sequence[str]) -> int:
    """Run ``pytest args`` in a child process and return its status (``run_guarded``)."""
    import sys

    return run_guarded(
        [sys.executable, "-m", "pytest", *args],
        what="the pytest session",
        lost="no verdict and no results were written",
    )


def run_guarded(command: Sequence[str], *, what: str, lost: str) -> int:
    """Run ``command`` in a child process and return its status. The child writes its status
    to the file named by ``$PHYSCHECK_SESSION_MARKER`` once it has finished; a child that ended
    without it (a model's native code called ``exit(0)``, a segfault, an OOM kill) is reported
    (``what`` ended before it finished; ``lost``) and fails (status 1 when the process said 0),
    so a crashed gate is never green."""
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="physcheck-run-") as folder:
        marker = os.path.join(folder, "session-finished")
        env = {**os.environ, MARKER_ENV: marker}
        child = subprocess.Popen(list(command), env=env)
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # the child got the same Ctrl-C: let it end its session
                continue
        if os.path.exists(marker):
            return code
    if code in NO_SESSION_STATUSES:  # pytest refused the command line and said why
        return code
    how = f"exit status {code}" if code >= 0 else f"signal {-code}"
    print(
        f"physcheck: {what} ended before it finished ({how}): a model or a native "
        f"library ended the process; {lost}",
        file=sys.stderr,
    )
    return code if code > 0 else 1


def say_finished(code: int) -> None:
    """In a child of ``run_guarded``: say that it finished, with its status ``code``."""
    import os

    marker = os.environ.get(MARKER_ENV)
    if marker:
        try:
            with open(marker, "w") as handle:
                handle.write(f"{int(code)}\n")
        except OSError:
            pass


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv or [])
    calibrate = "--calibrate" in args
    args = [a for a in args if a != "--calibrate"]
    if "--physcheck-with-snapshots" in args:
        args = [a for a in args if a != "--physcheck-with-snapshots"]
    elif "--snapshot-update" not in args:
        args.append("--physcheck-no-snapshot")
    return run_pytest(
        [
            "--physcheck-only",
            "-p",
            "no:cacheprovider",
            *NO_REWRITE_WARNING,
            *with_default_models(args, calibrate=calibrate),
        ]
    )
