"""Replay a saved counterexample: ``pytest suite/test_replay.py --replay=RUN_FOLDER``.

Runs the artefact's schedule against the same app and backend, checks the same
rule, and fails with the same verdict if the violation reproduces.  Without
``--replay`` the test is skipped.
"""

from __future__ import annotations

import pytest

import invariants
from harness import artefacts
from harness.run import run_schedule
from harness.target import TargetError, load
from invariants.timeline import render


def test_replay(pytestconfig: pytest.Config) -> None:
    folder = pytestconfig.getoption("--replay")
    if not folder:
        pytest.skip("no --replay=RUN_FOLDER given")
    try:
        artefact = artefacts.load(folder)
        target = load(artefact.meta["app"], backend=artefact.meta["backend"])
    except (FileNotFoundError, TargetError) as error:
        raise pytest.UsageError(str(error)) from None
    rule, task = artefact.meta["rule"], artefact.meta["task"]
    history = run_schedule(target, [task], artefact.schedule)
    violations = invariants.ALL_CHECKERS[rule](history)
    assert not violations, (
        f"replayed {folder}: {len(violations)} violation(s) of {rule} on {task}:\n"
        + "\n".join(f"  {v}" for v in violations)
        + f"\n\n{render(history, violations)}"
    )
