"""The deterministic driver: same schedule, same history; faults behave as pynenc's runners do."""

from __future__ import annotations

import json

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import gate_finding_in
from pynenc_suite.history.model import Kind
from pynenc_suite.history.timeline import render
from pynenc_suite.schedules.steps import (
    Advance,
    Crash,
    Enqueue,
    EnqueueMany,
    Finish,
    Iterate,
    Poll,
    Recover,
    Schedule,
    Start,
    Stop,
    Together,
)

CALL = {"account_id": "acct-1", "op": "charge"}


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


def test_failed_answer_is_retried_by_pynenc(target: Target) -> None:
    """Finish(fail=True): the provider answers an error, the body raises a retriable exception, pynenc retries."""
    steps = (Enqueue(0, "call_retrying", CALL), Poll(0), Start(0), Finish(0, fail=True), Poll(0), Start(0), Finish(0))
    history = run_schedule(target, ["call_retrying"], Schedule(1, steps))
    ends = [e.outcome for e in history if e.kind is Kind.PROVIDER_END and e.invocation_id == "i1"]
    assert ends == ["failed", "ok"]
    assert _statuses(history, "i1") == ["registered", "pending", "running", "retry", "pending", "running", "success"]
    assert invariants.check_all(history) == []


def test_failed_answer_fails_a_task_that_does_not_retry(target: Target) -> None:
    history = run_schedule(
        target, ["call_keyed"], Schedule(1, (Enqueue(0, "call_keyed", CALL), Poll(0), Start(0), Finish(0, fail=True)))
    )
    assert _statuses(history, "i1") == ["registered", "pending", "running", "failed"]
    assert invariants.check_all(history) == []


def test_enqueue_many_records_the_path_pynenc_took(target: Target) -> None:
    other = {"account_id": "acct-2", "op": "charge"}
    steps = (
        EnqueueMany(0, "call_keyed", (CALL, other)),  # registration DISABLED, several calls: batch path
        EnqueueMany(0, "call_keyed", (other,)),  # one call: routed as a plain call
        EnqueueMany(0, "refresh_once", ({"account_id": 1}, {"account_id": 1})),  # registration KEYS: per call
        EnqueueMany(1, "call_keyed", ({"op": "a"}, {"op": "b"}), common={"account_id": "acct-3"}),
    )
    history = run_schedule(target, ["call_keyed", "refresh_once"], Schedule(1, steps))
    created = [(e.invocation_id, e.via, e.detail) for e in history if e.kind is Kind.ENQUEUE and not e.probe]
    assert [via for _, via, _ in created] == ["parallelize-batch"] * 2 + ["parallelize"] * 2 + ["parallelize-batch"] * 2
    assert created[-1][2] == "account_id='acct-3', op='b'"  # common arguments are part of the call
    reused = [e for e in history if e.kind is Kind.REUSED]
    assert [e.invocation_id for e in reused] == [created[3][0]]  # the second refresh collapsed into the first


def test_stop_inside_a_group_interleaves_its_kill_and_reroute(target: Target) -> None:
    """A graceful stop among other operations, at every single preemption point: work is preserved."""
    prefix = (
        Enqueue(0, "call_keyed", CALL),
        Poll(0),
        Start(0),
        Enqueue(1, "call_keyed", CALL),
        Enqueue(1, "call_keyed", CALL),
        Poll(0),
    )
    for own in (0, 1):  # the stopping runner's own loop iteration in the group, or another runner's
        for points in [(), *[(p,) for p in range(12)]]:
            schedule = Schedule(2, (*prefix, Together((Stop(0), Iterate(own)), points)))
            history = run_schedule(target, ["call_keyed"], schedule)
            inside = [e.kind for e in history if e.kind in (Kind.GROUP_BEGIN, Kind.STOP, Kind.GROUP_END)]
            assert inside[:3] == [Kind.GROUP_BEGIN, Kind.STOP, Kind.GROUP_END]
            assert "killed" in _statuses(history, "i1")
            known = gate_finding_in(history)
            assert known is not None or invariants.check_all(history) == [], (
                schedule,
                render(history, invariants.check_all(history)),
            )


def test_a_drain_whose_only_runner_stops_restarts_it(target: Target) -> None:
    """A poll that raises stops its runner, even while draining; the drain restarts one, as a supervisor
    would, instead of the driver failing for want of a live runner."""
    call = {"account_id": "a", "op": "a"}
    schedule = Schedule(1, (Enqueue(0, "call_retrying", call), Enqueue(0, "call_retrying", call), Poll(0, 1),
                            Start(0, 0), Finish(0, 0, True), Poll(0, 1), Crash(0)))  # fmt: skip
    history = run_schedule(target, ["call_retrying"], schedule)
    assert sum(1 for e in history if e.kind is Kind.RESTART) >= 2
