"""``pynenc-suite versions``: the gate on each pynenc release, one child process per release."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pynenc_suite.versions.install import installed
from pynenc_suite.versions.verdicts import ReleaseResult, judge


def gate_on_release(release: str, root: Path, gate_arguments: list[str]) -> tuple[ReleaseResult, float]:
    """Install pynenc ``release`` under ``root``, run the gate on it in a child process, judge its outcomes.

    The child's whole output is kept in ``root/pynenc-<release>.log``."""
    from pynenc_suite.findings.registry import FINDINGS

    folder = installed("pynenc", release, root)
    outcomes = root / f"pynenc-{release}.outcomes.json"
    outcomes.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])),
        "PYNENC_SUITE_OUTCOMES": str(outcomes),
    }
    command = [sys.executable, "-m", "pynenc_suite", "gate", *gate_arguments, "-p", "pynenc_suite.versions.outcomes"]
    started = time.monotonic()
    with (root / f"pynenc-{release}.log").open("w") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    seconds = time.monotonic() - started
    if not outcomes.exists():
        raise ChildGateFailed(f"the gate on pynenc {release} ran no test; see {root / f'pynenc-{release}.log'}")
    measured = json.loads(outcomes.read_text())
    if measured["pynenc"] != release:
        raise ChildGateFailed(f"the gate meant for pynenc {release} ran on pynenc {measured['pynenc']}")
    return judge(release, measured["rows"], [f.id for f in FINDINGS]), seconds


class ChildGateFailed(Exception):
    """The gate on a release did not run at all; ``str()`` names its log."""
