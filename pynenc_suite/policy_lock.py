"""The gate's first step: compare the app with its policy lock (``apps/lock.py``) before running anything.

No lock: the gate goes on (with ``--require-lock``, that is a failure).  A lock
that matches: the gate goes on.  A lock that differs: the gate fails with the
policy diff, also written as Markdown into the artefact folder for a pull
request comment.  ``pynenc-suite lock APP --update`` accepts the change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pynenc_suite.apps.lock import DEFAULT_PATH, LockError, read, snapshot
from pynenc_suite.apps.policy_diff import PolicyChange, policy_diff

DIFF_FILE = "policy-diff.md"


class PolicyChanged(Exception):
    """The app's policies differ from the lock; ``str()`` is the diff, with how to accept it."""


def check(target: Any, lock: Path | None, required: bool, artefacts: Path) -> str:
    """One line saying what the lock check found; raises PolicyChanged (exit 1) or LockError (exit 2)."""
    path = lock or DEFAULT_PATH
    if not path.exists():
        if required:
            raise PolicyChanged(f"pynenc-suite: no policy lock at {path} (--require-lock); write one with "
                                f"`pynenc-suite lock {target.spec}` and commit it after review")
        if lock is not None:
            raise LockError(f"policy lock {path}: no such file")
        return f"policy lock: none at {path}"
    changes = policy_diff(read(path, target.app.app_id), snapshot(target))
    if not changes:
        return f"policy lock: {path} matches the app"
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / DIFF_FILE).write_text(markdown(changes, path))
    raise PolicyChanged(
        f"pynenc-suite: the app's concurrency policies differ from {path}:\n"
        + "\n".join(change.text() for change in changes)
        + f"\n\nreview, then accept with: pynenc-suite lock {target.spec} --lock {path} --update"
        + f"\n(the diff as Markdown: {artefacts / DIFF_FILE})"
    )


def markdown(changes: list[PolicyChange], path: Path) -> str:
    return "\n".join([f"### Concurrency policy changes against `{path}`", "", *(c.markdown() for c in changes), ""])
