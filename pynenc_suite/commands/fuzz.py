"""``fuzz``: the gate's properties for an app as HypoFuzz fuzz targets, for a set time, storing failing examples in a
shared example database that ``gate --database`` replays.

HypoFuzz (``hypothesis fuzz``) runs until it is stopped: this command starts it in a process group of its own,
with the suite's pytest configuration and the fuzz folder as rootdir (:mod:`pynenc_suite.tiers.fuzz`), stops the
group when the time is up (or at Ctrl-C), and reads the database: exit 1 when it holds a failing example of one
of the app's properties.  HypoFuzz's own output goes to ``<artefacts>/hypofuzz.log``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from pynenc_suite.commands.tiers import chosen_app, suite_configuration
from pynenc_suite.exit_status import FAILED, INTERRUPTED, INTERRUPTED_LINE, PASSED, SUITE_ERROR, BadInput
from pynenc_suite.options import pytest_arguments

EXTRA = "pip install 'pynenc-suite[fuzz]'"
# HypoFuzz 25.11.1 (the newest) stops every worker at its first shrink under Hypothesis 6.157.2 and newer
# ('ConjectureResult' object has no attribute 'slice_comments'); the fuzz extra pins a Hypothesis it runs with.
HYPOFUZZ_TESTED = "25.11.1"
HYPOTHESIS_BREAKS_IT = "6.157.2"
PARENT = "PYNENC_SUITE_FUZZ_PARENT"  # the fuzz command's pid, for HypoFuzz's hub to watch
# `hypothesis fuzz` in this Python, as the leader of a process group that ends with the command, however the
# command ends (SIGKILL included): the hub asks Linux for SIGTERM when its parent dies (PR_SET_PDEATHSIG), and on
# SIGTERM kills its whole group (its workers, their manager, the dashboard).
LAUNCH = f"""\
import ctypes, os, signal, sys
signal.signal(signal.SIGTERM, lambda *_: os.killpg(0, signal.SIGKILL))
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
if os.getppid() != int(os.environ["{PARENT}"]):
    os.killpg(0, signal.SIGKILL)
from hypothesis.extra.cli import main
sys.exit(main())
"""
COLLECTED = re.compile(r"to fuzz (\d+) tests?")  # HypoFuzz's line once it has collected the targets
STOP_GRACE_SECONDS = 15.0
HUB_FIRST_CHECK_SECONDS = 55.0  # HypoFuzz's hub first looks at its workers after 60 s
WATCH_SECONDS = 10.0  # how often the database is read for new failing examples


def run_fuzz(args: argparse.Namespace, passthrough: list[str]) -> int:
    _require_hypofuzz()
    if args.minutes <= 0 or (args.workers is not None and args.workers < 1):
        raise BadInput("fuzz: --minutes must be more than 0 and --workers at least 1")
    from pynenc_suite.example_db import DatabaseError, open_database
    from pynenc_suite.plugin import suite_folders
    from pynenc_suite.tiers.fuzz import TARGETS_FILE, FuzzCase, cases_for, stored

    chosen, target = chosen_app(args, "fuzz")
    args.database = chosen.example_database
    try:
        database = open_database(args.database)
    except DatabaseError as error:
        raise BadInput(str(error)) from None
    targets = cases_for(target)
    workers = args.workers or os.cpu_count() or 1
    folder = Path(suite_folders("fuzz")[0])  # the rootdir: the targets' node ids are their database keys
    pytest_args = [str(folder / TARGETS_FILE), *suite_configuration(folder), "-p", "no:cacheprovider",
                   *pytest_arguments(chosen, args, "fuzz"), *passthrough]  # fmt: skip
    dashboard = ["--dashboard", "--host", "127.0.0.1", "--port", str(args.port)] if args.dashboard else []
    command = [sys.executable, "-c", LAUNCH, "fuzz", "-n", str(workers), *(dashboard or ["--no-dashboard"])]
    log = chosen.artefacts / "hypofuzz.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"fuzz: {len(targets)} properties of {chosen.app}, {workers} worker(s), {args.minutes:g} min; "
          f"database {args.database}")  # fmt: skip
    if args.dashboard:
        print(f"fuzz: dashboard on http://127.0.0.1:{args.port}/ while it runs")
    print(f"fuzz: HypoFuzz's output in {log}", flush=True)
    env = {**os.environ, "PYTHONHASHSEED": "0", PARENT: str(os.getpid()),
           "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    signal.signal(signal.SIGTERM, _interrupted)  # CI cancelling the job: the same clean stop as Ctrl-C
    started = time.monotonic()
    reported: set[FuzzCase] = set()
    counted: list[str] = []

    def watch() -> bool:
        """Print how many targets HypoFuzz collected (once) and each property's first stored failing example as it
        appears; True once every one has failed."""
        if not counted and (collected := COLLECTED.search(log.read_text(errors="replace"))):
            counted.append(collected.group(1))
            print(f"fuzz: HypoFuzz fuzzes {collected.group(1)} of them", flush=True)
        for case in targets:
            if case not in reported and stored(database, case):
                reported.add(case)
                print(f"fuzz: {(time.monotonic() - started) / 60:.1f} min: a failing example of {case.task} / "
                      f"{case.rule} is stored", flush=True)  # fmt: skip
        return len(reported) == len(targets)

    try:
        rounds = _rounds([*command, "--", *pytest_args], env, log, args.minutes * 60, watch)
    except KeyboardInterrupt:
        print(INTERRUPTED_LINE, file=sys.stderr)
        return INTERRUPTED
    except HypoFuzzStopped as stopped:
        print(f"pynenc-suite: HypoFuzz stopped: {stopped} (all of its output in {log})", file=sys.stderr)
        return SUITE_ERROR
    minutes = (time.monotonic() - started) / 60
    print(f"fuzz: {minutes:.1f} min in {rounds} HypoFuzz run(s)")
    failing = {case: n for case in targets if (n := len(stored(database, case)))}
    if not failing:
        print(f"fuzz: no failing example of {chosen.app}'s {len(targets)} properties after {minutes:.1f} min")
        return PASSED
    print(f"fuzz: the database holds failing examples of {len(failing)} of {chosen.app}'s properties:")
    for case, count in failing.items():
        print(f"  {case.task} / {case.rule}: {count}")
    print(f"replay them, each with its folder: pynenc-suite gate {chosen.app} --database {args.database}")
    return FAILED


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class HypoFuzzStopped(Exception):
    """HypoFuzz ended by itself before its hub could have: it did not start (``str()``: its last line)."""


def _rounds(command: list[str], env: dict[str, str], log: Path, seconds: float, watch: Callable[[], bool]) -> int:
    """Run HypoFuzz for ``seconds`` in all (each run in a process group of its own, stopped when the time is up);
    the number of runs.

    HypoFuzz's hub ends its run when, a minute after the start, no worker has reported, and a worker reports once
    it has run 100 examples of its first target: a target that takes more than half a second an example under
    HypoFuzz's coverage tracing (a gate property takes about 1 s) ends every run after its first batch.  So a run
    that ends by itself is started again until the time is up or every target has failed (``watch``, called every
    :data:`WATCH_SECONDS`); the shared database keeps what each run found.  A run that ends before the hub's first
    minute did not start."""
    deadline = time.monotonic() + seconds
    rounds = 0
    with log.open("w") as out:
        while deadline > time.monotonic() and not watch():
            rounds += 1
            out.write(f"--- pynenc-suite: HypoFuzz run {rounds} ---\n")
            out.flush()
            began = time.monotonic()
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
            try:
                while process.poll() is None and (left := deadline - time.monotonic()) > 0:
                    try:
                        process.wait(timeout=min(left, WATCH_SECONDS))
                    except subprocess.TimeoutExpired:
                        if watch():
                            break
            finally:
                _stop(process)
            if time.monotonic() - began < HUB_FIRST_CHECK_SECONDS and time.monotonic() < deadline:
                out.flush()
                lines = log.read_text(errors="replace").strip().splitlines()
                raise HypoFuzzStopped(f"exit status {process.returncode}: {lines[-1] if lines else '(no output)'}")
    return rounds


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End HypoFuzz and its workers (its process group): SIGINT, then SIGKILL after a grace period."""
    if process.poll() is None:
        _signal_group(process, signal.SIGINT)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(process, signal.SIGKILL)  # workers that outlived their hub
    process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _require_hypofuzz() -> None:
    """HypoFuzz is an optional extra, and its newest release runs only with a Hypothesis older than 6.157.2."""
    from packaging.version import Version

    try:
        hypofuzz = metadata.version("hypofuzz")
    except metadata.PackageNotFoundError:
        raise BadInput(f"fuzz needs HypoFuzz, an optional extra: {EXTRA}") from None
    hypothesis = metadata.version("hypothesis")
    if Version(hypofuzz) <= Version(HYPOFUZZ_TESTED) and Version(hypothesis) >= Version(HYPOTHESIS_BREAKS_IT):
        raise BadInput(
            f"fuzz: HypoFuzz {hypofuzz} stops its workers under Hypothesis {hypothesis} (it needs one older than "
            f"{HYPOTHESIS_BREAKS_IT}): {EXTRA}, which installs one it runs with"
        )
