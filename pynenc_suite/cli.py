"""``pynenc-suite``: the gate, the real-time tier, replays and re-judging, from a team's own repository.

    pynenc-suite gate mypkg.tasks:app [--engine sqlite|redis] [--hypothesis-profile ci] [-- PYTEST_ARGS]
    pynenc-suite realtime mypkg.tasks:app --engine redis [--budget 600]
    pynenc-suite fuzz mypkg.tasks:app --minutes 60 --workers 8 --database redis://host:6379/0
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
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from pynenc_suite import profiles
from pynenc_suite.exit_status import BAD_INPUT, INTERRUPTED, INTERRUPTED_LINE, BadInput
from pynenc_suite.options import add_to_command, default_artefacts

HASH_SEED = "0"
APP_COMMANDS = ("gate", "realtime", "explore", "fuzz", "lock", "profile", "doctor", "matrix", "versions", "reach")
TIERS_HELP = {
    "gate": "every property, the key audit and the explorer on an app (deterministic)",
    "realtime": "pynenc's own runners in separate processes, with real faults",
    "explore": "every small group of concurrent operations, every preemption placement up to a bound "
    "(deterministic, exhaustive)",
}
APP_USAGE = "%(prog)s [APP] [options] [pytest options]"
APP_HELP = "APP: the app as package.module:attribute, right after the command (default: the suite's reference app)"


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
            return _command(args.run)(args, passthrough)
        finally:
            _announce_pynenc_log()
    except BadInput as error:
        print(f"pynenc-suite: {error}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:  # outside pytest (loading the app, the policy lock): the same status and line
        print(INTERRUPTED_LINE, file=sys.stderr)
        return INTERRUPTED


def _command(name: str) -> Callable[[argparse.Namespace, list[str]], int]:
    """The body of a command, ``module:function`` in :mod:`pynenc_suite.commands`, imported now."""
    module, function = name.split(":")
    run: Callable[[argparse.Namespace, list[str]], int] = getattr(
        import_module(f"pynenc_suite.commands.{module}"), function
    )
    return run


def _route_pynenc_log(args: argparse.Namespace) -> None:
    """pynenc's log lines of a command that runs the app: to its file in the artefact folder, or the terminal."""
    from pynenc_suite import pynenc_log

    pynenc_log.route(getattr(args, "artefacts", None) or default_artefacts(), args.command, args.log_to_terminal)


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

    for tier, summary in TIERS_HELP.items():  # the tiers: the app, the options the table gives them, pytest's
        command = commands.add_parser(tier, help=summary, usage=APP_USAGE, description=APP_HELP)
        add_to_command(command, tier)
        command.set_defaults(run=f"tiers:run_{tier}")

    fuzz = commands.add_parser(
        "fuzz",
        help="the gate's properties as HypoFuzz fuzz targets for a set time, failures stored in a shared example "
        "database that `gate --database` replays (needs the fuzz extra)",
        usage=APP_USAGE,
        description=f"{APP_HELP}. Several machines fuzz together by sharing one --database.",
    )
    add_to_command(fuzz, "fuzz")
    fuzz.add_argument("--minutes", type=float, default=10.0, help="how long to fuzz (default 10)")
    fuzz.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: every core)")
    fuzz.add_argument("--dashboard", action="store_true", help="serve HypoFuzz's dashboard on 127.0.0.1 while it runs")
    fuzz.add_argument("--port", type=int, default=9999, help="the dashboard's port (default 9999)")
    fuzz.set_defaults(run="fuzz:run_fuzz")

    replay = commands.add_parser(
        "replay", help="replay a failure folder (a property or a key failure); 0 if it reproduces"
    )
    replay.add_argument("folder", type=Path)
    replay.set_defaults(run="failures:run_replay")

    report = commands.add_parser("report", help="(re)write a failure folder's report.html")
    report.add_argument("folder", type=Path)
    report.set_defaults(run="failures:run_report")

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
    monitor.set_defaults(run="failures:run_monitor")

    rejudge = commands.add_parser("rejudge", help="judge saved real-time histories again with this installation")
    rejudge.add_argument("folder", type=Path)
    rejudge.add_argument("-v", "--verbose", action="store_true", help="print every verdict, not only failures")
    rejudge.set_defaults(run="failures:run_rejudge")

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
    lock.set_defaults(run="lock:run_lock")

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
    doctor.set_defaults(run="doctor:run_doctor")

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
    matrix.set_defaults(run="matrix:run_matrix")

    phases = commands.add_parser(
        "profile",
        help="where a gate example's time goes: draw, setup, drive, check",
        usage="pynenc-suite profile [APP] [options]",
    )
    phases.add_argument("--engine", default="memory", help="memory (default) or sqlite")
    phases.add_argument("--examples", type=int, default=60, help="schedules drawn per task (default 60)")
    phases.set_defaults(run="measure:run_profile")

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
    versions.set_defaults(run="measure:run_versions")

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
    reach.set_defaults(run="measure:run_reach")

    bench = commands.add_parser("bench", help="the explorer's speed against direct pynenc calls")
    bench.add_argument("--rounds", type=int, default=200)
    bench.add_argument("--repeats", type=int, default=5)
    bench.set_defaults(run="measure:run_bench")
    return parser
