"""The gate's first step: compare the app with its policy lock (``policy_lock/lock_file.py``) before running anything.

No lock: the gate goes on (with ``--require-lock``, that is a failure).  A lock
that matches: the gate goes on, having run nothing extra.  A lock that differs:
the gate fails with the policy diff and, for each task whose options changed,
the measured consequences (:mod:`.consequences`), also written as Markdown into
the artefact folder for a pull request comment.  ``pynenc-suite lock APP
--update`` accepts the change.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pynenc_suite import pynenc_log
from pynenc_suite.options import SuiteOptions, command_arguments
from pynenc_suite.policy_lock.consequences import DEFAULT_BUDGET, Budget, Measured, measure_changes
from pynenc_suite.policy_lock.diff import PolicyChange, policy_diff
from pynenc_suite.policy_lock.lock_file import DEFAULT_PATH, LockError, read, snapshot

DIFF_FILE = "policy-diff.md"


class PolicyChanged(Exception):
    """The app's policies differ from the lock; ``str()`` is the diff, with how to accept it."""


def check(
    target: Any,
    lock: Path | None,
    required: bool,
    artefacts: Path,
    budget: Budget = DEFAULT_BUDGET,
    child: SuiteOptions | None = None,
) -> str:
    """One line saying what the lock check found; raises PolicyChanged (exit 1) or LockError (exit 2).

    ``child``: this process has another hash seed than the suite's, so the consequences are measured
    by ``pynenc-suite lock`` in a child process under the suite's seed, with these options."""
    path = lock or DEFAULT_PATH
    if not path.exists():
        if required:
            raise PolicyChanged(
                f"pynenc-suite: no policy lock at {path} (--require-lock); write one with "
                f"`pynenc-suite lock {target.spec}` and commit it after review"
            )
        if lock is not None:
            raise LockError(f"policy lock {path}: no such file")
        return f"policy lock: none at {path}"
    locked, current = read(path, target.app.app_id), snapshot(target)
    changes = policy_diff(locked, current)
    if not changes:
        return f"policy lock: {path} matches the app"
    if child is not None:
        raise PolicyChanged(_measured_in_child(child, path, artefacts, budget))
    measured = measure_changes(target, locked, current, artefacts, budget)
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / DIFF_FILE).write_text(markdown(changes, measured, path))
    raise PolicyChanged(
        f"pynenc-suite: the app's concurrency policies differ from {path}:\n"
        + "\n".join(_joined(change.text(), measured.get(change.task), "text") for change in changes)
        + f"\n\nreview, then accept with: pynenc-suite lock {target.spec} --lock {path} --update"
        + f"\n(the diff as Markdown: {artefacts / DIFF_FILE})"
    )


def markdown(changes: list[PolicyChange], measured: dict[str, Measured], path: Path) -> str:
    entries = [_joined(c.markdown(), measured.get(c.task), "markdown") for c in changes]
    return "\n".join([f"### Concurrency policy changes against `{path}`", "", *entries, ""])


def _joined(words: str, measured: Measured | None, form: str) -> str:
    if measured is None:
        return words
    return words + "\n" + ("\n" if form == "markdown" else "") + getattr(measured, form)()


def _measured_in_child(chosen: SuiteOptions, path: Path, artefacts: Path, budget: Budget) -> str:
    """``pynenc-suite lock`` on the same app and lock (it never writes a lock that differs): its report."""
    command = [
        sys.executable,
        "-m",
        "pynenc_suite",
        "lock",
        chosen.app,
        "--lock",
        str(path.resolve()),
        "--seed",
        str(budget.seed),
        "--hypothesis-profile",
        budget.profile,
        "--engine",
        chosen.engine,
        "--artefacts",
        str(artefacts.resolve()),
        *command_arguments(chosen, "lock", ("key_normalisers", "strategies", "run_bodies")),
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0", **pynenc_log.for_a_child()}
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode != 1:
        raise RuntimeError(f"measuring the policy change failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout.rstrip().rsplit("\n", 1)[0]  # without the lock command's "nothing written" line
