"""``profile``, ``bench``, ``versions`` and ``reach``: measurements of the suite itself and of pynenc's releases."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from pynenc_suite.exit_status import FAILED, PASSED, SUITE_ERROR, BadInput


def run_profile(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.apps.target import REFERENCE_APP, TargetError, load
    from pynenc_suite.determinism import without_local_constants
    from pynenc_suite.drivers.deterministic.phases import HEADER, profile
    from pynenc_suite.engines.registry import EngineError, engine_for_tier

    try:
        target = load(args.app or REFERENCE_APP, engine=engine_for_tier(args.engine, "gate").name)
    except (TargetError, EngineError) as error:
        raise BadInput(str(error)) from None
    without_local_constants()
    logging.disable(logging.WARNING)  # pynenc logs every retry and conflict; the table is the output
    print(f"app={target.spec} engine={target.engine}: the gate's schedules for each task, one seed")
    print(HEADER)
    for row in profile(target, args.examples):
        print(row.line(), flush=True)
    return 0


def run_bench(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.drivers.deterministic.bench import bench

    bench(args.rounds, args.repeats)
    return PASSED


def run_versions(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.findings.registry import FINDINGS
    from pynenc_suite.versions import install, table
    from pynenc_suite.versions.releases import ChildGateFailed, gate_on_release

    try:
        releases = args.releases.split(",") if args.releases else install.releases_on_pypi()
        if args.write is not None and not args.write.exists():
            raise BadInput(f"versions: {args.write} does not exist")
        root = Path(args.artefacts or ".pynenc-suite").resolve() / "versions"
        root.mkdir(parents=True, exist_ok=True)
        child = [
            *([args.app] if args.app else []),
            *(["--hypothesis-profile", args.hypothesis_profile] if args.hypothesis_profile else []),
            *passthrough,
        ]
        results = []
        for release in releases:
            result, seconds = gate_on_release(
                release, root, child, args.redis and shutil.which("redis-server") is not None
            )
            affected = [f for f, v in result.findings.items() if v.verdict == "affected"]
            print(
                f"pynenc {release}: {result.properties_passed} properties passed, "
                f"{len(result.properties_failed)} failed; affected by {', '.join(affected) or 'no finding'} "
                f"({seconds:.0f} s; log {root / f'pynenc-{release}.log'})",
                flush=True,
            )
            for note in result.notes:
                print(f"  {note}", flush=True)
            results.append(result)
    except install.CannotInstall as error:
        raise BadInput(str(error)) from None
    except ChildGateFailed as error:
        print(f"pynenc-suite: {error}", file=sys.stderr)
        return SUITE_ERROR
    command = " ".join(
        [
            "pynenc-suite versions",
            f"--releases {','.join(releases)}",
            *([f"--hypothesis-profile {args.hypothesis_profile}"] if args.hypothesis_profile else []),
        ]
    )
    text = table.render(results, [f.id for f in FINDINGS], command)
    print(text)
    if args.write is not None:
        try:
            table.write_between_markers(args.write, text)
        except table.NoTableMarkers as error:
            raise BadInput(str(error)) from None
    failed = any(r.properties_failed or r.suite_errors for r in results)
    return FAILED if failed else PASSED


def run_reach(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.engines.registry import EngineError, engine_for_tier
    from pynenc_suite.markers import NoMarkers
    from pynenc_suite.reach.both_sides import default_workers, reach, write
    from pynenc_suite.reach.measure import CannotMeasure

    if passthrough:
        raise BadInput(f"reach: unknown arguments {' '.join(passthrough)}")
    engines = args.engines.split(",")
    try:
        for engine in engines:
            engine_for_tier(engine, "gate")
        if args.write is not None and not args.write.exists():
            raise BadInput(f"reach: {args.write} does not exist")
        root = Path(args.artefacts or ".pynenc-suite").resolve() / "reach"
        text, runs = reach(args.app, engines, args.hypothesis_profile, root, args.workers or default_workers(),
                           args.pynenc_tests, args.top, args.reuse)  # fmt: skip
        print(text)
        if args.write is not None:
            write(args.write, text)
    except (EngineError, CannotMeasure, NoMarkers) as error:
        raise BadInput(str(error)) from None
    gate_failed = [r for r in runs if r.name.startswith("gate") and r.exit_code != 0]
    for run in gate_failed:
        print(f"pynenc-suite: {run.name} failed under coverage ({run.summary}); see {run.log}", file=sys.stderr)
    return SUITE_ERROR if gate_failed else PASSED
