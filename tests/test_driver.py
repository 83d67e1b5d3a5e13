"""The deterministic driver: same schedule, same history; faults behave as pynenc's runners do."""

from __future__ import annotations

import json

import pytest

from harness.run import run_schedule
from harness.target import Target, load
from invariants.history import Kind
from strategies.schedule import Advance, Crash, Enqueue, Finish, Poll, Recover, Schedule, Start, Stop

CALL = {"account_id": "acct-1", "op": "charge"}


@pytest.fixture(scope="module")
def target() -> Target:
    return load()


def _statuses(history, label: str) -> list[str]:
    return [e.status for e in history if e.kind is Kind.STATUS and e.invocation_id == label]


def test_same_schedule_gives_the_same_history(target: Target) -> None:
    schedule = Schedule(
        runners=2,
        steps=(
            Enqueue(0, "call_keyed", CALL),
            Enqueue(1, "call_keyed", CALL),
            Poll(0, 2),
            Start(0),
            Poll(1),
            Crash(0),
            Advance(601),
            Recover(1),
        ),
    )
    first = json.dumps(run_schedule(target, ["call_keyed"], schedule).to_json(), sort_keys=True)
    for _ in range(3):
        assert json.dumps(run_schedule(target, ["call_keyed"], schedule).to_json(), sort_keys=True) == first


def test_body_stays_in_flight_until_finish(target: Target) -> None:
    history = run_schedule(
        target, ["call_keyed"], Schedule(1, (Enqueue(0, "call_keyed", CALL), Poll(0), Start(0), Finish(0)))
    )
    kinds = [e.kind for e in history if e.invocation_id == "i1"]
    assert kinds.index(Kind.PROVIDER_START) < kinds.index(Kind.PROVIDER_END)
    assert _statuses(history, "i1")[:4] == ["registered", "pending", "running", "success"]


def test_crash_aborts_the_call_and_recovery_reruns_it(target: Target) -> None:
    history = run_schedule(
        target, ["call_keyed"], Schedule(2, (Enqueue(0, "call_keyed", CALL), Poll(0), Start(0), Crash(0)))
    )
    ends = [e.outcome for e in history if e.kind is Kind.PROVIDER_END and e.invocation_id == "i1"]
    assert ends == ["aborted", "ok"]
    assert "running_recovery" in _statuses(history, "i1")


def test_graceful_stop_uses_pynenc_kill_and_reroute(target: Target) -> None:
    history = run_schedule(
        target, ["call_keyed"], Schedule(2, (Enqueue(0, "call_keyed", CALL), Poll(0), Start(0), Stop(0)))
    )
    statuses = _statuses(history, "i1")
    assert statuses[:5] == ["registered", "pending", "running", "killed", "rerouted"]
    assert statuses[-1] == "success"


def test_blocked_drop_invocation_result_raises(target: Target) -> None:
    history = run_schedule(
        target,
        ["call_keyed_drop"],
        Schedule(1, (Enqueue(0, "call_keyed_drop", CALL), Enqueue(0, "call_keyed_drop", CALL), Poll(0, 2))),
    )
    assert "concurrency_controlled_final" in _statuses(history, "i2")
    results = [e.outcome for e in history if e.kind is Kind.RESULT and e.invocation_id == "i2"]
    assert results and results[0].startswith("raised:")
