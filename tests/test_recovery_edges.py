"""Recovery's edges, reached on purpose, catch a regression that lives only there.

The injected regression: running recovery judges a runner dead by how long its
invocation has been RUNNING instead of by its heartbeats.  It shows only when the
dead-runner timeout passes while a live runner's body is still in the provider
(the situation ``dead-after-while-a-body-runs``): the sweep then takes a running
invocation from a live runner, and the work runs twice.  The gate's schedules reach
that situation on purpose (``strategies/schedules.py``, ``_recovery_edges``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pynenc_suite import artefacts, invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.drivers.recovery import dead_after_seconds
from pynenc_suite.findings.registry import candidate_fixes
from pynenc_suite.history.situations import reached
from pynenc_suite.schedules.steps import Advance, Enqueue, Finish, Poll, Recover, Schedule, Start
from tests.detection import detect
from tests.regressions import running_recovery_by_age

CALL = {"account_id": "a", "op": "x"}


def _broken(target: Target, *steps: Any) -> set[str]:
    with candidate_fixes():
        history = run_schedule(target, ["call_keyed"], Schedule(2, steps))
    return {v.rule for v in invariants.check_all(history)}


def test_the_regression_shows_only_when_dead_after_passes_during_a_body(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    past = dead_after_seconds(target.app) + 1.0
    during = (Enqueue(0, "call_keyed", CALL), Poll(0), Start(0), Advance(past), Recover(1))
    after = (Enqueue(0, "call_keyed", CALL), Poll(0), Start(0), Finish(0), Advance(past), Recover(1))
    assert not _broken(target, *during) and not _broken(target, *after)  # unmodified pynenc: heartbeats count
    running_recovery_by_age(monkeypatch)
    assert not _broken(target, *after)  # the body answered before the timeout passed: nothing to take
    assert "reroute-preserves-work" in _broken(target, *during)


def test_the_gate_catches_it_in_a_schedule_that_reaches_the_edge(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every candidate fix on, as in the gate: the regression has PYN-016's symptom (work taken from a live
    runner), so this is also PYN-016's lookalike, caught although PYN-016's fix is among them."""
    running_recovery_by_age(monkeypatch)
    found = detect(target, "call_keyed", "reroute-preserves-work")
    assert found.caught, "the gate's budget never reached the dead-runner timeout during a body"
    folder = Path(found.message.split("schedule and history: ")[1].split("/\n")[0])
    history = artefacts.load(folder).history
    max_pending = float(target.app.conf.max_pending_seconds)
    assert "dead-after-while-a-body-runs" in reached(history, max_pending, dead_after_seconds(target.app))
    print(f"\ncaught after {found.examples_to_first_failure} examples")
