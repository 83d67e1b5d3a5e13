"""``replay``, ``report``, ``rejudge`` and ``monitor``: what a run left in its artefact folder, looked at again."""

from __future__ import annotations

import argparse
import sys

from pynenc_suite.exit_status import FAILED, PASSED, BadInput


def run_replay(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.artefacts import NotAnArtefact, key_failures
    from pynenc_suite.artefacts.replay import replay

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

    from pynenc_suite.artefacts.monitor import CannotMonitor, monitor_command

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
    from pynenc_suite import artefacts
    from pynenc_suite.artefacts import key_failures
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
    from pynenc_suite.artefacts.rejudge import rejudge

    if not args.folder.is_dir():
        raise BadInput(f"{args.folder} is not a folder of real-time runs")
    return FAILED if rejudge(args.folder, args.verbose) else PASSED
