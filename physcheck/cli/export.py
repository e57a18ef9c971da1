"""``physcheck export``: write models' rollouts to prediction files, with the library.

``physcheck export DIR --physcheck-model demo=demo [--physcheck-* options]`` rolls each model
out with the run's settings (data, window, trajectories, precision, perturbations, symmetries)
and writes the rollouts the selected checks need to ``DIR/NAME.hdf5`` (``--physcheck-export-format
npz|pt`` for the other formats). ``physcheck run --physcheck-predictions NAME=DIR/NAME.hdf5``
with the same settings then gates the files with the numbers and verdicts of the in-process
run. No checks run, and no pytest: the settings are read as a pytest run reads them (the
rootdir's ``[tool.physcheck]``, then the options; checks registered in the rootdir's
``conftest.py`` count), and a ``Suite`` writes the files. The
export runs in a child process, so that a model that ends the process fails the command.

Exit status: 0 written; 2 no output folder; 4 a usage, settings, data or model error (one
``ERROR: physcheck: ...`` line); 1 when the export ended without finishing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from physcheck.cli.run import DEFAULT_MODELS, run_guarded, say_finished
from physcheck.errors import ConfigError

USAGE = "usage: physcheck export DIR [--physcheck-model NAME=SPEC ...] [--physcheck-* options]"
#: the exit status of an export refused for its options, settings, data or models (pytest's
#: usage error status, which ``physcheck export`` has always given)
USAGE_ERROR = 4


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv or [])
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args[0].startswith("-"):
        print(f"physcheck export: the first argument is the output folder\n{USAGE}", file=sys.stderr)
        return 2
    return run_guarded(
        [sys.executable, "-m", "physcheck.cli.export", *args],
        what="the export",
        lost="the model being exported has no file",
    )


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises ``ConfigError`` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{message} ({USAGE})")


def parse_options(args: Sequence[str]) -> argparse.Namespace:
    """The ``--physcheck-*`` options (one per command-line setting of
    ``physcheck.config.SETTINGS``), ``--rootdir`` and ``-q``; ``ConfigError`` for others."""
    from physcheck.config import SETTINGS

    parser = _Parser(prog="physcheck export", add_help=False, allow_abbrev=False)
    parser.add_argument("--rootdir", default=None)
    parser.add_argument("-q", "--quiet", action="count", default=0)
    for setting in SETTINGS:
        if setting.option is None:
            continue
        kwargs: dict[str, Any] = {"dest": setting.dest}
        if setting.cli == "append":
            kwargs.update(action="append", default=[])
        elif setting.cli in ("disable", "enable"):
            kwargs.update(action="store_true", default=False)
        parser.add_argument(setting.option, **kwargs)
    return parser.parse_args(list(args))


def _printer(quiet: int) -> Any:
    """``progress(line)`` on standard output as ``physcheck: line`` (``-q -q``: silent); on a
    terminal, a rollout's step lines rewrite one live line."""
    live = sys.stdout.isatty()

    def progress(line: str) -> None:
        if quiet > 1:
            return
        step = line.startswith("  ")
        if step and live:
            sys.stdout.write(f"\r\033[Kphyscheck: {line.strip()}")
        else:
            sys.stdout.write("\r\033[K" if live else "")
            sys.stdout.write(f"physcheck: {line.strip() if step else line}\n")
        sys.stdout.flush()

    return progress


def load_conftests(rootdir: Path, cwd: Path) -> None:
    """Run the ``conftest.py`` files a pytest session started in ``cwd`` would load first (the
    rootdir's, and those of the folders from it down to ``cwd``), so that checks they register
    (``physcheck.register_check``) are known to the settings and the plan. The rootdir is put
    on ``sys.path`` as pytest's default import mode does for a root conftest."""
    import runpy

    folders = [rootdir]
    if cwd != rootdir and rootdir in cwd.parents:
        parts = cwd.relative_to(rootdir).parts
        folders += [rootdir.joinpath(*parts[: i + 1]) for i in range(len(parts))]
    for folder in folders:
        conftest = folder / "conftest.py"
        if not conftest.is_file():
            continue
        if str(rootdir) not in sys.path:
            sys.path.insert(0, str(rootdir))
        try:
            runpy.run_path(str(conftest), run_name="conftest")
        except Exception as exc:  # the user's code: one line naming the file
            raise ConfigError(f"{conftest}: {type(exc).__name__}: {exc}") from exc


def export_here(args: Sequence[str]) -> int:
    """The export itself, in this process: ``args`` is ``DIR [options]``."""
    from physcheck.config import SETTINGS, build_settings, read_file_settings
    from physcheck.config.files import find_rootdir
    from physcheck.data.remote import local_path
    from physcheck.errors import PhyscheckError

    target, rest = args[0], args[1:]
    settings = None
    try:
        options = parse_options(rest)
        cwd = Path.cwd()
        rootdir = Path(options.rootdir).absolute() if options.rootdir else find_rootdir(cwd)
        if not rootdir.is_dir():
            raise ConfigError(f"Directory '{rootdir}' not found. Check your '--rootdir' option.")
        load_conftests(rootdir, cwd)
        values = {s.key: getattr(options, s.dest) for s in SETTINGS if s.option is not None}
        values["fallback_models"] = [*values["fallback_models"], *DEFAULT_MODELS]
        values["export"] = target
        settings = build_settings(read_file_settings(rootdir), values)
        from physcheck.suite import Suite
        from physcheck.suite.machine import capped_threads, require_cuda, thread_count

        if settings.device.startswith("cuda"):
            require_cuda(settings.device, asked_by=f"--physcheck-device {settings.device}")
        progress = _printer(options.quiet)
        folder = Path(local_path(target))
        shown_folder = folder
        folder = folder if folder.is_absolute() else cwd / folder
        suite = Suite(settings, rootdir=rootdir, progress=progress)
        with capped_threads(thread_count(settings.threads)):
            for entry in settings.models:
                suite.validate(entry.name)
            for name, written in suite.export_models(folder):
                shown = shown_folder / written.name
                progress(
                    f"exported {name}: {shown} (gate it with --physcheck-predictions {name}={shown})"
                )
    except (PhyscheckError, FileNotFoundError, ImportError) as exc:
        print(f"ERROR: physcheck: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except (Exception, SystemExit) as exc:  # a fault nobody named: one line, unless debugging
        if settings is not None and settings.debug:
            raise
        print(
            f"ERROR: physcheck: {type(exc).__name__} while preparing the suite: {exc} "
            "(--physcheck-debug shows the traceback)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    return 0


if __name__ == "__main__":  # the child process of ``main``
    try:
        status = export_here(sys.argv[1:])
    except BaseException:  # --physcheck-debug: the traceback, and a finished export that failed
        say_finished(1)
        raise
    say_finished(status)
    raise SystemExit(status)
