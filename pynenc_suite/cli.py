"""``pynenc-suite``: the gate, the real-time tier, replays and re-judging, from a team's own repository.

    pynenc-suite gate mypkg.tasks:app [--engine sqlite|redis] [--hypothesis-profile ci] [-- PYTEST_ARGS]
    pynenc-suite realtime mypkg.tasks:app --engine redis [--budget 600]
    pynenc-suite replay .pynenc-suite/failures/<test id>
    pynenc-suite rejudge .pynenc-suite/realtime/<engine>-<time>
    pynenc-suite profile [APP] [--engine sqlite]
    pynenc-suite bench
    pynenc-suite versions [APP] [--releases 0.3.0,0.3.1,0.4.0] [--write FINDINGS.md]
    pynenc-suite reach [APP] [--engines memory,sqlite] [--write docs/figures.md]

Exit status: 0 the suite passed, 1 a property failed (or a replay did not
reproduce), 2 bad input (one line on stderr), 3 the suite itself failed,
130 interrupted by Ctrl-C (one line on stderr).  The status keeps its meaning
whatever pytest options are passed through: a run stopped early by ``-x`` or
``--maxfail`` in which a property failed exits 1, and a ``-k``/``-m`` that
selects nothing is bad input.  Arguments the command does not know are passed
to pytest.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pynenc_suite import profiles
from pynenc_suite.options import SuiteOptions, add_to_command, default_artefacts, pytest_arguments

PASSED, FAILED, BAD_INPUT, SUITE_ERROR = 0, 1, 2, 3
INTERRUPTED = 130  # Ctrl-C: the shell's 128 + SIGINT, never mistaken for bad input
INTERRUPTED_LINE = "pynenc-suite: interrupted (Ctrl-C): the run stopped before a verdict"
HASH_SEED = "0"
APP_COMMANDS = ("gate", "realtime", "explore", "lock", "profile", "doctor", "matrix", "versions", "reach")
APP_USAGE = "%(prog)s [APP] [options] [pytest options]"
APP_HELP = "APP: the app as package.module:attribute, right after the command (default: the suite's reference app)"


class BadInput(Exception):
    """A mistake in what the command was given; ``str()`` is the one line that says what to fix."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _same_hash_seed(argv)  # determinism: sets and dicts of str iterate the same way in every run
    _current_directory_importable()
    parser = _parser()
    app = _app_argument(argv)
    args, passthrough = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return BAD_INPUT
    args.app = app
    try:
        if hasattr(args, "log_to_terminal"):
            _route_pynenc_log(args)
        try:
            return args.run(args, passthrough)
        finally:
            _announce_pynenc_log()
    except BadInput as error:
        print(f"pynenc-suite: {error}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:  # outside pytest (loading the app, the policy lock): the same status and line
        print(INTERRUPTED_LINE, file=sys.stderr)
        return INTERRUPTED


def _route_pynenc_log(args: argparse.Namespace) -> None:
    """pynenc's log lines of a command that runs the app: to its file in the artefact folder, or the terminal."""
    from pynenc_suite import pynenc_log

    if args.log_to_terminal:
        pynenc_log.to_terminal()
    else:
        pynenc_log.to_file(pynenc_log.file_for(getattr(args, "artefacts", None) or default_artefacts(), args.command))


def _announce_pynenc_log() -> None:
    """Where pynenc's log lines went, unless the run's summary said it already."""
    from pynenc_suite import pynenc_log

    line = pynenc_log.announcement()
    if line:
        print(line, file=sys.stderr)


def _app_argument(argv: list[str]) -> str | None:
    """Take the APP of ``gate`` / ``realtime`` out of ``argv``: the word right after the command, if it is not an option.

    Only that place: a value after a pytest option (``-n 2``) is never mistaken for an app.
    """
    if len(argv) > 1 and argv[0] in APP_COMMANDS and not argv[1].startswith("-"):
        return argv.pop(1)
    return None


def _current_directory_importable() -> None:
    """An app is imported from the environment, ``PYTHONPATH``, or the current directory (as ``python -m`` does)."""
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def _same_hash_seed(argv: list[str]) -> None:
    """Run again with ``PYTHONHASHSEED=0`` if this process has another seed (xdist workers inherit it)."""
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        env = {**os.environ, "PYTHONHASHSEED": HASH_SEED}
        os.execve(sys.executable, [sys.executable, "-m", "pynenc_suite", *argv], env)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pynenc-suite", description="Property-based and chaos regression gate for pynenc's concurrency control.",
        epilog="Exit status: 0 passed, 1 a property failed, 2 bad input, 3 the suite itself failed, "
               "130 interrupted (Ctrl-C).",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gate = commands.add_parser(
        "gate",
        help="every property, the key audit and the explorer on an app (deterministic)",
        usage=APP_USAGE,
        description=APP_HELP,
    )
    add_to_command(gate, "gate")
    gate.set_defaults(run=run_gate)

    realtime = commands.add_parser(
        "realtime",
        help="pynenc's own runners in separate processes, with real faults",
        usage=APP_USAGE,
        description=APP_HELP,
    )
    add_to_command(realtime, "realtime")
    realtime.set_defaults(run=run_realtime)

    explore = commands.add_parser("explore", help="every small group of concurrent operations, every preemption "
                                  "placement up to a bound (deterministic, exhaustive)", usage=APP_USAGE,
                                  description=APP_HELP)  # fmt: skip
    add_to_command(explore, "explore")
    explore.set_defaults(run=run_explore)

    replay = commands.add_parser(
        "replay", help="replay a failure folder (a property or a key failure); 0 if it reproduces"
    )
    replay.add_argument("folder", type=Path)
    replay.set_defaults(run=run_replay)

    report = commands.add_parser("report", help="(re)write a failure folder's report.html")
    report.add_argument("folder", type=Path)
    report.set_defaults(run=run_report)

    monitor = commands.add_parser(
        "monitor",
        help="open a real-time SQLite run's kept database in pynenc's monitor",
        description="Starts `pynenc monitor` (needs pynenc[monitor]) on the database the "
        "real-time tier kept in FOLDER, with the app and configuration its runners had.",
    )
    monitor.add_argument("folder", type=Path, help="a real-time schedule folder (it holds pynenc.sqlite3)")
    monitor.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    monitor.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    monitor.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="print the equivalent `pynenc monitor` command instead of starting it",
    )
    monitor.set_defaults(run=run_monitor)

    rejudge = commands.add_parser("rejudge", help="judge saved real-time histories again with this installation")
    rejudge.add_argument("folder", type=Path)
    rejudge.add_argument("-v", "--verbose", action="store_true", help="print every verdict, not only failures")
    rejudge.set_defaults(run=run_rejudge)

    lock = commands.add_parser(
        "lock",
        help="write the policy lock (pynenc-policies.lock) the gate compares with",
        usage="pynenc-suite lock APP [--lock FILE] [--update] [options]",
        description="Without --update, an existing lock that differs from the app is not "
        "written: the policy diff and its measured consequences are printed (exit 1).",
    )
    lock.add_argument("--lock", type=Path, default=None, metavar="FILE", help="the lock (pynenc-policies.lock)")
    lock.add_argument("--update", action="store_true", help="rewrite an existing lock (accept the changes)")
    add_to_command(lock, "lock")
    lock.set_defaults(run=run_lock)

    doctor = commands.add_parser(
        "doctor",
        help="the pre-deployment checklist: pass, warn or fail per item",
        usage="pynenc-suite doctor APP [--expected-keys N] [--max-body-seconds S] [--json FILE]",
        description="Key consistency, policy sanity, runner sizing, recovery settings and "
        "alert thresholds of the app; Markdown on stdout; exit 1 when an item fails.",
    )
    doctor.add_argument(
        "--expected-keys", type=int, default=None, metavar="N", help="distinct keys you expect to be active at once"
    )
    doctor.add_argument(
        "--max-body-seconds", type=float, default=None, metavar="S", help="the longest a task body runs"
    )
    doctor.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the items as JSON")
    add_to_command(doctor, "doctor")
    doctor.set_defaults(run=run_doctor)

    matrix = commands.add_parser("matrix", help="the decision matrix, measured on real runners: matrix.md and charts",
                                 usage="pynenc-suite matrix [APP] [--engine sqlite|redis] [--quick] [--runner R] "
                                 "[--tasks ROUTED,DROP,DEDUP] [--out DIR]")  # fmt: skip
    matrix.add_argument("--engine", default="sqlite", help="sqlite (default) or redis")
    matrix.add_argument("--quick", action="store_true", help="a small grid, once each (about a minute)")
    matrix.add_argument("--runner", default="ThreadRunner", choices=("ThreadRunner", "MultiThreadRunner"))
    matrix.add_argument(
        "--calls-per-account",
        default=None,
        metavar="N[,N...]",
        help="calls per account, each value a dimension of the grid (default 4; --quick 3)",
    )
    matrix.add_argument(
        "--hold",
        default=None,
        metavar="S[,S...]",
        help="seconds each call holds the provider, each value a dimension (default 0.2; --quick 0.1)",
    )
    matrix.add_argument(
        "--tasks",
        default=None,
        metavar="ROUTED,DROP,DEDUP",
        help="the app's tasks for reroute=True, reroute=False and registration KEYS "
        "(default: the reference app's call_keyed, call_keyed_drop, refresh_once)",
    )
    matrix.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where matrix.md and the charts go (.pynenc-suite/matrix; each run's artefacts go to "
        ".pynenc-suite/matrix/runs)",
    )
    matrix.set_defaults(run=run_matrix)

    phases = commands.add_parser(
        "profile",
        help="where a gate example's time goes: draw, setup, drive, check",
        usage="pynenc-suite profile [APP] [options]",
    )
    phases.add_argument("--engine", default="memory", help="memory (default) or sqlite")
    phases.add_argument("--examples", type=int, default=60, help="schedules drawn per task (default 60)")
    phases.set_defaults(run=run_profile)

    versions = commands.add_parser(
        "versions",
        help="the gate on every pynenc release from 0.3.0 on: which releases each finding affects",
        usage="pynenc-suite versions [APP] [options] [pytest options]",
    )
    versions.add_argument(
        "--releases",
        default=None,
        metavar="R[,R...]",
        help="pynenc releases to run (default: every release on PyPI from 0.3.0 on)",
    )
    versions.add_argument(
        "--write",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the table into FILE between its markers (FINDINGS.md)",
    )
    versions.add_argument(
        "--hypothesis-profile",
        "--profile",
        default=None,
        choices=profiles.NAMES,
        help="examples per property in each release's gate (default: the gate's default)",
    )
    versions.add_argument(
        "--no-redis",
        dest="redis",
        action="store_false",
        help="skip the Redis tests (run by default where redis-server is on PATH)",
    )
    versions.add_argument(
        "--artefacts",
        default=None,
        metavar="DIR",
        help="where releases are installed and each gate's log is kept (.pynenc-suite/versions)",
    )
    versions.set_defaults(run=run_versions)

    reach = commands.add_parser(
        "reach",
        help="which branches of pynenc's concurrency code the gate reaches, beside pynenc's own tests",
        usage="pynenc-suite reach [APP] [options]",
    )
    reach.add_argument(
        "--engines",
        default="memory,sqlite",
        metavar="E[,E...]",
        help="the engines the gate runs on, its reach added up (default memory,sqlite)",
    )
    reach.add_argument(
        "--hypothesis-profile",
        "--profile",
        default="ci",
        choices=profiles.NAMES,
        help="examples per property in the gate on memory (default ci; other engines: engine)",
    )
    reach.add_argument(
        "--no-pynenc-tests",
        dest="pynenc_tests",
        action="store_false",
        help="measure the gate only (pynenc's tests need pytest-asyncio, psutil, requests)",
    )
    reach.add_argument("--workers", "-n", default=None, help="xdist workers per run (default: up to 2)")
    reach.add_argument("--top", type=int, default=15, help="functions listed among the gate's gaps (default 15)")
    reach.add_argument(
        "--write",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the tables into FILE between its reach markers (docs/figures.md)",
    )
    reach.add_argument(
        "--artefacts",
        default=None,
        metavar="DIR",
        help="where the coverage data and each run's log go (.pynenc-suite/reach)",
    )
    reach.add_argument(
        "--reuse",
        action="store_true",
        help="measure only what the last run in the artefacts folder did not (re-render its tables)",
    )
    reach.set_defaults(run=run_reach)

    bench = commands.add_parser("bench", help="the explorer's speed against direct pynenc calls")
    bench.add_argument("--rounds", type=int, default=200)
    bench.add_argument("--repeats", type=int, default=5)
    bench.set_defaults(run=run_bench)
    return parser


def _chosen(args: argparse.Namespace, tier: str) -> tuple[SuiteOptions, Any]:
    """(the suite options the command was given, the app loaded with them); bad input is one line."""
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.engines.registry import EngineError, engine_for_tier
    from pynenc_suite.session import target_for

    try:
        engine = engine_for_tier(args.engine, tier)
        chosen = SuiteOptions.resolved(args.app, tier, {**vars(args), "engine": engine.name})
        return chosen, target_for(chosen)
    except (TargetError, EngineError) as error:
        raise BadInput(str(error)) from None


def run_gate(args: argparse.Namespace, passthrough: list[str]) -> int:
    chosen, target = _chosen(args, "gate")
    changed = _policy_lock(target, args.lock, args.require_lock, chosen.artefacts, args.policy_seed, args.profile)
    if changed:
        print(changed)
        return 1
    options = pytest_arguments(chosen, args, "gate")
    return _pytest("gate", [*options, *_distribution(passthrough), *passthrough])


def _policy_lock(
    target: Any, lock: Path | None, required: bool, artefacts: Path, seed: int, profile: str | None
) -> str:
    """The policy diff and its measured consequences if the app differs from its lock (empty if it matches,
    or there is none); the locked rules get the examples of a gate property under ``profile``."""
    from pynenc_suite.apps.lock import LockError
    from pynenc_suite.consequences import Budget
    from pynenc_suite.policy_lock import PolicyChanged, check

    try:
        check(target, lock, required, artefacts, Budget(seed, profile or profiles.default_name()))
    except LockError as error:
        raise BadInput(str(error)) from None
    except PolicyChanged as change:
        return str(change)
    return ""


def run_realtime(args: argparse.Namespace, passthrough: list[str]) -> int:
    options = pytest_arguments(_chosen(args, "realtime")[0], args, "realtime")
    return _pytest("realtime", [*options, "-p", "no:xdist", *passthrough])


def run_explore(args: argparse.Namespace, passthrough: list[str]) -> int:
    if args.explore_size < 1 or args.explore_bound < 0:
        raise BadInput("explore: --size must be at least 1 and --bound at least 0")
    options = pytest_arguments(_chosen(args, "explore")[0], args, "explore")
    return _pytest("explore", [*options, *_distribution(passthrough), *passthrough])


def _distribution(passthrough: list[str]) -> list[str]:
    """xdist workers for the gate: every core (``-n auto``) unless the pytest arguments name a number, and
    ``--dist loadgroup`` unless they name another mode: the key audit's tests share one
    worker, which computes the app's audit once."""
    if any(arg.endswith("no:xdist") for arg in passthrough):
        return []
    workers = [] if any(arg.startswith(("-n", "--numprocesses")) for arg in passthrough) else ["-n", "auto"]
    mode = [] if any(arg.startswith("--dist") for arg in passthrough) else ["--dist", "loadgroup"]
    return [*workers, *mode]


def _pytest(tier: str, arguments: list[str]) -> int:
    """Run the tier's test modules with the suite's own pytest configuration, from any directory."""
    import pytest

    from pynenc_suite.plugin import suite_folders

    package = Path(__file__).resolve().parent
    config = ["-c", str(package / "pytest.ini"), f"--rootdir={Path(suite_folders(tier)[0]).parent.parent}"]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        config += ["-p", "pynenc_suite.plugin", "-p", "xdist.plugin", "-p", "hypothesis.extra.pytestplugin"]
    outcome = Outcome()
    code = int(pytest.main([*suite_folders(tier), *config, *arguments], plugins=[outcome]))
    status, line = outcome.status(code, tier)
    if line:
        print(line, file=sys.stderr)
    return status


class Outcome:
    """What the exit status needs beyond pytest's own code, passed to ``pytest.main`` as a plugin.

    pytest's code 2 ("interrupted") means three things: ``pytest.exit`` from the suite's plugin (bad input,
    its line already printed), a run stopped early (``-x``/``--maxfail`` under xdist, errors during
    collection), or Ctrl-C.  So the plugin counts the failed test reports (in the controller, which receives
    every xdist worker's reports) and notes a user's KeyboardInterrupt: a run in which a test failed exits 1
    however it stopped, Ctrl-C exits 130, and only the rest is bad input.
    """

    def __init__(self) -> None:
        self.failed = 0
        self.by_user = False
        self.selection = ""

    def pytest_configure(self, config: Any) -> None:
        expressions = [
            f"{flag} {value!r}"
            for flag, value in (("-k", config.option.keyword), ("-m", config.option.markexpr))
            if value
        ]
        self.selection = " and ".join(expressions) or "the test ids given"

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed += 1

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        # Exactly KeyboardInterrupt: pytest.exit and the Interrupted of -x/--maxfail are subclasses or others.
        self.by_user = type(excinfo.value) is KeyboardInterrupt

    def status(self, code: int, tier: str) -> tuple[int, str]:
        """The command's exit status for pytest's ``code``, and the one line to print (empty: none)."""
        if self.by_user:
            return INTERRUPTED, INTERRUPTED_LINE
        if code in (0, 1):
            return code, ""
        if code == 2 and self.failed:
            return FAILED, ""
        if code == 5:
            return BAD_INPUT, f"pynenc-suite: nothing matched: no {tier} test is selected by {self.selection}"
        return {2: BAD_INPUT, 4: BAD_INPUT}.get(code, SUITE_ERROR), ""


def run_replay(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite import key_failures
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.artefacts import NotAnArtefact
    from pynenc_suite.replay import replay

    if passthrough:
        raise BadInput(f"replay takes a folder only, not {' '.join(passthrough)}")
    try:
        if key_failures.is_key_failure(args.folder):
            return PASSED if key_failures.replay(args.folder) else FAILED
        return PASSED if replay(args.folder) else FAILED
    except (NotAnArtefact, TargetError) as error:
        raise BadInput(str(error)) from None


def run_monitor(args: argparse.Namespace, passthrough: list[str]) -> int:
    import subprocess

    from pynenc_suite.monitor import CannotMonitor, monitor_command

    try:
        command = monitor_command(args.folder, args.host, args.port)
    except CannotMonitor as error:
        raise BadInput(str(error)) from None
    if args.print_only:
        print(command.shell())
        return PASSED
    print(f"pynenc monitor on http://{args.host}:{args.port}/ for {args.folder} (Ctrl+C stops it)")
    for label, page in command.pages.items():
        print(f"  {label}: {page}")
    sys.stdout.flush()
    try:
        return subprocess.call(command.argv, env=command.env)
    except KeyboardInterrupt:
        return PASSED


def run_report(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite import artefacts, key_failures
    from pynenc_suite.judge import judge

    if key_failures.is_key_failure(args.folder):
        print(f"wrote {key_failures.write_page(args.folder)}")
        return PASSED
    try:
        artefact = artefacts.load(args.folder)
    except artefacts.NotAnArtefact as error:
        raise BadInput(str(error)) from None
    violations = judge(artefact.history, [artefact.meta["rule"]]).violations
    known = artefact.meta.get("finding")
    page = artefacts.write_report(args.folder, artefact.schedule, artefact.history, violations,
                                  task=artefact.meta["task"], rule=artefact.meta["rule"],
                                  finding=(known["id"], known["title"]) if known else None)  # fmt: skip
    print(f"wrote {page}")
    return PASSED


def run_rejudge(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.rejudge import rejudge

    if not args.folder.is_dir():
        raise BadInput(f"{args.folder} is not a folder of real-time runs")
    return FAILED if rejudge(args.folder, args.verbose) else PASSED


def run_lock(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.apps.lock import DEFAULT_PATH, LockError, read, snapshot, write

    path = args.lock or DEFAULT_PATH
    if not args.app:
        raise BadInput("lock needs the app: pynenc-suite lock package.module:app")
    if passthrough:
        raise BadInput(f"lock: unknown option(s) {' '.join(passthrough)}")
    chosen, target = _chosen(args, "gate")
    if path.exists() and not args.update:
        changed = _policy_lock(target, path, True, chosen.artefacts, args.policy_seed, args.profile)
        if changed:
            print(changed)
            print(f"{path} differs from the app; nothing written. Accept with --update after review.")
            return 1
        print(f"{path}: up to date ({len(target.tasks)} tasks)")
        return 0
    current = snapshot(target)
    try:
        if path.exists():
            read(path, target.app.app_id)  # never overwrite another app's lock, or a file that is not a lock
    except LockError as error:
        raise BadInput(str(error)) from None
    write(path, current)
    print(f"wrote {path}: {len(current['tasks'])} tasks")
    return 0


def run_doctor(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.determinism import without_local_constants
    from pynenc_suite.doctor import examine
    from pynenc_suite.doctor.items import as_json, failed, markdown
    from pynenc_suite.session import load_target

    if not args.app:
        raise BadInput("doctor needs the app: pynenc-suite doctor package.module:app")
    if passthrough:
        raise BadInput(f"doctor: unknown option(s) {' '.join(passthrough)}")
    if args.expected_keys is not None and args.expected_keys < 1:
        raise BadInput("--expected-keys must be at least 1")
    try:
        chosen = SuiteOptions(app=args.app, key_normalisers=args.key_normalisers, strategies=args.strategies)
        target = load_target(chosen, strict=False)
    except TargetError as error:
        raise BadInput(str(error)) from None
    without_local_constants()
    items = examine(target, args.expected_keys, args.max_body_seconds)
    print(markdown(target.spec, items))
    if args.json:
        args.json.write_text(as_json(target.spec, items) + "\n")
    return FAILED if failed(items) else PASSED


def run_matrix(args: argparse.Namespace, passthrough: list[str]) -> int:
    import multiprocessing
    import platform
    from importlib.metadata import version

    from pynenc_suite.apps.target import REFERENCE_APP, TargetError, load
    from pynenc_suite.engines.registry import EngineError, engine_for_tier
    from pynenc_suite.engines.session import EngineUnavailable, engine_session
    from pynenc_suite.matrix import grid as grids
    from pynenc_suite.matrix.report import charts, markdown
    from pynenc_suite.matrix.run import run_grid
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
        with engine_session(engine) as session, LoopbackProvider().serving() as provider:
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


def run_versions(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.findings.registry import FINDINGS
    from pynenc_suite.versions import install, table
    from pynenc_suite.versions.run import ChildGateFailed, gate_on_release

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
    from pynenc_suite.reach.measure import CannotMeasure
    from pynenc_suite.reach.run import default_workers, reach, write

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


def run_bench(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.drivers.deterministic.bench import bench

    bench(args.rounds, args.repeats)
    return PASSED
