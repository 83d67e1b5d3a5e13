"""``matrix``: the decision matrix, measured on real runners."""

from __future__ import annotations

import argparse
import sys

from pynenc_suite.exit_status import PASSED, BadInput
from pynenc_suite.options import default_artefacts


def run_matrix(args: argparse.Namespace, passthrough: list[str]) -> int:
    import multiprocessing
    import platform
    from importlib.metadata import version

    from pynenc_suite.apps.target import REFERENCE_APP, TargetError, load
    from pynenc_suite.engines.instance import EngineUnavailable, engine_instance
    from pynenc_suite.engines.registry import EngineError, engine_for_tier
    from pynenc_suite.matrix import grid as grids
    from pynenc_suite.matrix.report import charts, markdown
    from pynenc_suite.matrix.sweep import run_grid
    from pynenc_suite.provider.loopback import LoopbackProvider

    if passthrough:
        raise BadInput(f"matrix: unknown option(s) {' '.join(passthrough)}")
    try:
        target = load(args.app or REFERENCE_APP)
        engine = engine_for_tier(args.engine, "realtime")
    except (TargetError, EngineError) as error:
        raise BadInput(str(error)) from None
    policies = dict(grids.POLICIES)
    if args.tasks:
        names = args.tasks.split(",")
        if len(names) != 3:
            raise BadInput("--tasks needs three task names: ROUTED,DROP,DEDUP")
        policies = dict(zip(policies, names, strict=True))
    missing = [t for t in policies.values() if t not in target.tasks]
    if missing:
        raise BadInput(
            f"matrix: the app has no task {', '.join(missing)}; name its three with --tasks ROUTED,DROP,DEDUP"
        )
    try:
        calls = tuple(int(v) for v in args.calls_per_account.split(",")) if args.calls_per_account else None
        holds = tuple(float(v) for v in args.hold.split(",")) if args.hold else None
    except ValueError:
        raise BadInput("--calls-per-account takes whole numbers and --hold seconds, separated by commas") from None
    grid = (grids.QUICK if args.quick else grids.FULL).varied(calls, holds)
    out = args.out or default_artefacts() / "matrix"
    out.mkdir(parents=True, exist_ok=True)
    try:
        with engine_instance(engine) as session, LoopbackProvider().serving() as provider:
            results = run_grid(
                target, session, provider, grid, args.runner, default_artefacts() / "matrix" / "runs", policies
            )
    except EngineUnavailable as error:
        raise BadInput(str(error)) from None
    command = "pynenc-suite " + " ".join(sys.argv[1:])
    machine = (f"{multiprocessing.cpu_count()} cores, Python {platform.python_version()}, "
               f"pynenc {version('pynenc')}")  # fmt: skip
    (out / "matrix.md").write_text(markdown(results, command, machine) + "\n")
    drawn = charts(results, out)
    print(f"wrote {out / 'matrix.md'}" + (f" and {len(drawn)} chart(s)" if drawn else " (no charts: pip install "
          "'pynenc-suite[charts]' for them)") + f" in {results.seconds:.0f} s")  # fmt: skip
    return PASSED
