"""Every gate example is bounded, and so is what a failing property spends after its first failure.

A drain that does not settle within its bound (events per invocation the schedule created) stops with a BOUND
event, a liveness violation; after :data:`pynenc_suite.tiers.gate.FAILURE_SECONDS` a failing property runs only schedules that
already failed, so Hypothesis's generating and shrinking end and the run reports within minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic import driver
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import candidate_fixes
from pynenc_suite.history.model import Event, History, Kind
from pynenc_suite.invariants.liveness import BOUND_MESSAGE
from pynenc_suite.schedules.steps import Crash, Enqueue, Poll, Schedule, Start
from pynenc_suite.tiers.gate import FAILURE_SECONDS_VARIABLE, FailureBudget

ROOT = Path(__file__).resolve().parent.parent
BOUND = 150.0  # seconds for one failing property on SQLite with the regression (before: over 5 minutes)
CALL = {"account_id": "a", "op": "x"}


def test_a_drain_past_its_bound_stops_and_is_a_liveness_failure(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crashed runner holds the key: the drain cycles the blocked call; with a bound of 1 event per invocation
    it stops there with a BOUND event, and liveness flags it first."""
    steps = (Enqueue(0, "call_keyed", CALL), Poll(0, 1), Start(0), Crash(0), Enqueue(0, "call_keyed", CALL))
    monkeypatch.setattr(driver, "DRAIN_EVENTS_PER_INVOCATION", 1)
    with candidate_fixes():
        history = run_schedule(target, ["call_keyed"], Schedule(2, steps))
    assert history.events[-1].kind is Kind.BOUND
    violations = invariants.check("liveness", history)
    assert violations[0].message == BOUND_MESSAGE and violations[0].events == (history.events[-1].seq,)


def test_liveness_flags_a_bound_event_and_only_it() -> None:
    """Hand-made: a history whose drain reached its bound violates liveness; the same without it holds."""
    events = [Event(0, Kind.DRAIN), Event(1, Kind.BOUND)]
    assert [v.message for v in invariants.check("liveness", History(events=events))] == [BOUND_MESSAGE]
    assert invariants.check("liveness", History(events=events[:1])) == []


def test_a_healthy_drain_stays_within_its_bound(target: Target) -> None:
    steps = (Enqueue(0, "call_keyed", CALL), Poll(0, 1), Start(0), Crash(0), Enqueue(0, "call_keyed", CALL))
    with candidate_fixes():
        history = run_schedule(target, ["call_keyed"], Schedule(2, steps))
    assert not history.of_kind(Kind.BOUND)
    assert invariants.check("liveness", history) == []


def test_a_spent_budget_runs_only_the_schedules_that_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    budget = FailureBudget(seconds=10.0)
    assert not budget.spent("s1")
    budget.failed("s1")
    assert not budget.spent("s2")  # within the budget every schedule runs
    later = time.monotonic() + 11.0
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert budget.spent("s2") and not budget.spent("s1")
    budget.reset()
    assert not budget.spent("s2")


def test_a_key_held_after_finishing_on_sqlite_fails_liveness_within_the_bound(tmp_path: Path) -> None:
    """The user's report: on SQLite a finished invocation keeps blocking its key; the property ran for minutes."""
    command = [sys.executable, "-m", "pynenc_suite", "gate", "--engine=sqlite", f"--artefacts={tmp_path}",
               "--hypothesis-profile=smoke", "-p", "no:xdist", "-p", "no:randomly", "-q",
               "-k", "test_property and call_keyed-liveness", "-p", "tests.plugins.finished_keeps_key"]  # fmt: skip
    environment = {**os.environ, FAILURE_SECONDS_VARIABLE: "5"}  # the bound is what is tested, not its size
    began = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BOUND, env=environment)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the failing property ran for more than {BOUND:g}s")
    print(f"ended in {time.monotonic() - began:.0f}s")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "violation(s) of liveness on call_keyed" in result.stdout, result.stdout[-3000:]
    assert "replay: pynenc-suite replay" in result.stdout
    assert any((tmp_path / "failures").iterdir())
