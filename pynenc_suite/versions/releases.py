"""``pynenc-suite versions``: the gate on each pynenc release, one child process per release and tier.

Each release runs the gate (every property, every finding's reproductions on the memory engine), and, where
a ``redis-server`` is installed, the explore tier's Redis tests (the Redis findings' reproductions), whose
child stops at once with PYN-010's line on a pynenc that pynenc-redis cannot run with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pynenc_suite.versions.install import installed
from pynenc_suite.versions.verdicts import ReleaseResult, judge

REDIS_TESTS = ["explore", "--engine=redis", "--size", "1", "-p", "no:xdist", "-k", "redis_commands"]


class ChildGateFailed(Exception):
    """The gate on a release did not run at all; ``str()`` names its log."""


def gate_on_release(release: str, root: Path, gate_arguments: list[str], redis: bool) -> tuple[ReleaseResult, float]:
    """Install pynenc ``release`` under ``root``, run the gate (and with ``redis`` the Redis tests) on it in child
    processes, judge their outcomes together.  Each child's output is kept in ``root/pynenc-<release>[-redis].log``.
    """
    from pynenc_suite.findings.registry import FINDINGS

    folder = installed("pynenc", release, root)
    started = time.monotonic()
    rows = _child(release, folder, root, "", ["gate", *gate_arguments])
    notes: list[str] = []
    if redis:
        try:
            rows += _child(release, folder, root, "-redis", REDIS_TESTS)
        except ChildGateFailed:
            log = (root / f"pynenc-{release}-redis.log").read_text().strip().splitlines()
            notes.append(f"Redis tests not run: {log[-1] if log else 'no output'}")
    result = judge(release, rows, [f.id for f in FINDINGS])
    result.notes += notes
    return result, time.monotonic() - started


def _child(release: str, folder: Path, root: Path, suffix: str, arguments: list[str]) -> list[dict]:
    outcomes = root / f"pynenc-{release}{suffix}.outcomes.json"
    outcomes.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])),
        "PYNENC_SUITE_OUTCOMES": str(outcomes),
    }
    command = [sys.executable, "-m", "pynenc_suite", *arguments, "-p", "pynenc_suite.versions.outcomes"]
    log = root / f"pynenc-{release}{suffix}.log"
    with log.open("w") as out:
        subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if not outcomes.exists():
        raise ChildGateFailed(f"{arguments[0]} on pynenc {release} ran no test; see {log}")
    measured = json.loads(outcomes.read_text())
    if measured["pynenc"] != release:
        raise ChildGateFailed(f"{arguments[0]} meant for pynenc {release} ran on pynenc {measured['pynenc']}")
    return measured["rows"]
