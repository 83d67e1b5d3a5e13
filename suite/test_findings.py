"""Defects of pynenc found by the suite, each reproduced by its minimal schedule (see FINDINGS.md).

Every test here is ``xfail(strict=True)``: green while pynenc has the defect,
red the day pynenc fixes it, so the finding and its gate filter get removed.
"""

from __future__ import annotations

import pytest

import invariants
from harness.run import run_schedule
from harness.target import Target
from invariants.history import Kind
from invariants.timeline import render
from strategies.schedule import Enqueue, Poll, Schedule, Stop


@pytest.fixture()
def reference(target: Target) -> Target:
    if "call_keyed_drop" not in target.tasks:
        pytest.skip("findings are reproduced on the reference app")
    return target


@pytest.mark.xfail(strict=True, reason="PYN-001: pynenc 0.4.0 raises REROUTED -> CONCURRENCY_CONTROLLED_FINAL")
def test_pyn_001_rerouted_drop_invocation_is_not_lost(reference: Target) -> None:
    call = {"account_id": 0, "op": "x"}
    schedule = Schedule(
        runners=3,
        steps=(Enqueue(0, "call_keyed_drop", call), Poll(0), Enqueue(0, "call_keyed_drop", call), Stop(0)),
    )
    history = run_schedule(reference, ["call_keyed_drop"], schedule)
    violations = invariants.check_all(history)
    errors = [e for e in history if e.kind is Kind.ERROR]
    assert not errors and not violations, render(history, violations)
