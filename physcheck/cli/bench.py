"""``physcheck bench [--physcheck-* options]``: gate one model once and show where the time
goes (``physcheck.bench``).

Options: the ``--physcheck-*`` settings as for ``physcheck run`` (the first configured model,
else the demo, is benchmarked; its cache is off unless ``--cache`` is given, so rollouts are
timed, not read), ``--model NAME`` (another configured model), ``--test-trajectories N``
(default 50, MHD_64's test split), ``--devices N[,N...]`` (default 1,8), ``--scaling W``
(gate again on a local Dask cluster of W one-thread worker processes and project with the
measured scaling efficiency), ``--efficiency E`` (the scaling efficiency of the projection,
default: the measured one with ``--scaling``, else 1: ideal), ``--json PATH`` (the breakdown
as JSON). Prints the breakdown as a Markdown table. Exit status 0, or 4 with one
``ERROR: physcheck: ...`` line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    from physcheck.bench import MHD64_TEST_TRAJECTORIES, bench, measure_scaling, table
    from physcheck.cli.export import load_conftests, parse_options
    from physcheck.cli.run import DEFAULT_MODELS
    from physcheck.config import SETTINGS, build_settings, read_file_settings
    from physcheck.config.files import find_rootdir
    from physcheck.errors import ConfigError, PhyscheckError
    from physcheck.suite.machine import capped_threads, thread_count

    args = list(argv or [])
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    own: dict[str, str] = {}
    rest: list[str] = []
    names = {"--model", "--test-trajectories", "--devices", "--efficiency", "--json", "--scaling"}
    use_cache = False
    i = 0
    while i < len(args):
        if args[i] == "--cache":
            use_cache = True
        elif args[i] in names and i + 1 < len(args):
            own[args[i]] = args[i + 1]
            i += 1
        else:
            rest.append(args[i])
        i += 1
    try:
        options = parse_options(rest)
        cwd = Path.cwd()
        rootdir = Path(options.rootdir).absolute() if options.rootdir else find_rootdir(cwd)
        load_conftests(rootdir, cwd)
        values = {s.key: getattr(options, s.dest) for s in SETTINGS if s.option is not None}
        values["fallback_models"] = [*values["fallback_models"], *DEFAULT_MODELS]
        if not use_cache:
            values["cache"] = True  # --physcheck-no-cache: time the rollouts, not the cache
        settings = build_settings(read_file_settings(rootdir), values)
        model = own.get("--model", settings.models[0].name)
        if model not in [m.name for m in settings.models]:
            raise ConfigError(f"--model {model}: not a configured model ({', '.join(m.name for m in settings.models)})")
        test_trajectories = int(own.get("--test-trajectories", MHD64_TEST_TRAJECTORIES))
        devices = [int(n) for n in own.get("--devices", "1,8").split(",")]
        efficiency = float(own.get("--efficiency", "1"))
        workers = int(own.get("--scaling", "0"))
        if test_trajectories < 1 or min(devices) < 1 or not 0 < efficiency <= 1 or workers < 0:
            raise ConfigError(
                "--test-trajectories, --devices and --scaling take counts >= 1, "
                "--efficiency a number in (0, 1]"
            )

        def progress(line: str) -> None:
            if options.quiet < 2:
                print(f"physcheck: {line.strip()}", file=sys.stderr, flush=True)

        with capped_threads(thread_count(settings.threads)):
            result = bench(settings, model, rootdir=rootdir, progress=progress)
            scaling = (
                measure_scaling(settings, model, workers, result, rootdir=rootdir, progress=progress)
                if workers
                else None
            )
        if scaling is not None and "--efficiency" not in own:
            efficiency = min(1.0, scaling.efficiency)
    except ValueError as exc:
        print(f"ERROR: physcheck: bad bench option ({exc})", file=sys.stderr)
        return 4
    except PhyscheckError as exc:
        print(f"ERROR: physcheck: {exc}", file=sys.stderr)
        return 4
    print(
        table(
            result,
            test_trajectories=test_trajectories,
            devices=devices,
            efficiency=efficiency,
            scaling=scaling,
        )
    )
    if "--json" in own:
        from physcheck.jsonio import write_text_atomic

        payload = {**result.to_dict(), "projection": {
            "test_trajectories": test_trajectories,
            "efficiency": efficiency,
            "scaling": scaling.to_dict() if scaling is not None else None,
            "minutes": {str(n): result.projected_minutes(test_trajectories, n, efficiency) for n in devices},
        }}
        write_text_atomic(own["--json"], json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")
    return 0
