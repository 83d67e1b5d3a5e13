"""The interleaving explorer: deterministic given the preemptions, finds races, shrinks them small.

Races found here in *unmodified* pynenc are findings (PYN-005, PYN-006 in FINDINGS.md); the
injected race (a broker that hands one invocation to two runners) shows the explorer finding a
defect that is not in pynenc, and the same search on the real broker finding nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pynenc.broker.mem_broker import MemBroker

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target, load
from pynenc_suite.drivers.deterministic.explore import Exploration, explore
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.history.model import History, Kind
from pynenc_suite.schedules.steps import Crash, Enqueue, Iterate, Poll, Schedule, Start, Together

CALL = {"account_id": 0, "op": "x"}


def _race_schedule(poll_preemptions: tuple[int, ...], start_preemptions: tuple[int, ...]) -> Schedule:
    return Schedule(
        2,
        (
            Enqueue(0, "call_keyed", CALL),
            Enqueue(1, "call_keyed", CALL),
            Together((Poll(0), Poll(1)), poll_preemptions),
            Together((Start(0), Start(1)), start_preemptions),
        ),
    )


def test_same_preemptions_give_the_same_history(target: Target) -> None:
    schedule = _race_schedule((0, 16), (6,))
    first = json.dumps(run_schedule(target, ["call_keyed"], schedule).to_json(), sort_keys=True)
    for _ in range(3):
        assert json.dumps(run_schedule(target, ["call_keyed"], schedule).to_json(), sort_keys=True) == first


def test_no_preemption_means_one_operation_after_the_other(target: Target) -> None:
    history = run_schedule(target, ["call_keyed"], _race_schedule((), ()))
    assert not invariants.check_all(history)
    assert any(e.status == "concurrency_controlled" for e in history)  # run in order, pynenc blocks the second


def _sizes(schedule: Schedule) -> tuple[int, int, int]:
    """(runners used, producers used, preemptions) of a schedule."""
    flat = [s for step in schedule.steps for s in (step.steps if isinstance(step, Together) else (step,))]
    runners = {s.runner for s in flat if hasattr(s, "runner")}
    producers = {s.producer for s in flat if isinstance(s, Enqueue)}
    preemptions = sum(len(step.preemptions) for step in schedule.steps if isinstance(step, Together))
    return len(runners), len(producers), preemptions


def _overlap(history: History) -> bool:
    return bool(invariants.get("no-overlap").check(history))


def _duplicate_registration(history: History) -> bool:
    return bool(invariants.get("registration-dedup").check(history))


TWO_KEYED = [Enqueue(0, "call_keyed", CALL), Enqueue(1, "call_keyed", CALL)]


def _report(name: str, result: Exploration) -> None:
    assert result.schedule is not None, f"{name}: not found in {result.runs} runs"
    runners, producers, preemptions = _sizes(result.schedule)
    print(
        f"\n{name}: found after {result.runs} runs; {runners} runner(s), {producers} producer(s), {preemptions} preemption(s)"
    )
    assert runners <= 2 and producers <= 2 and preemptions <= 2


@pytest.mark.parametrize("engine", ["memory", "sqlite"])
def test_explorer_finds_the_running_race_in_pynenc(engine: str) -> None:
    """PYN-005: two runner loop iterations at once admit two same-key invocations."""
    result = explore(load(engine=engine), "call_keyed", TWO_KEYED, [Iterate(0), Iterate(1)], _overlap)
    _report(f"PYN-005 on {engine}", result)


@pytest.mark.parametrize("engine", ["memory", "sqlite"])
def test_explorer_finds_the_registration_race_in_pynenc(engine: str) -> None:
    """PYN-006: two producers enqueueing one key at once both create an invocation."""
    call = {"account_id": 0}
    both = [Enqueue(0, "refresh_once", call), Enqueue(1, "refresh_once", call)]
    result = explore(load(engine=engine), "refresh_once", [], both, _duplicate_registration, runners=1)
    _report(f"PYN-006 on {engine}", result)


def _racy_retrieve(self: MemBroker, queue_name: str | None = None) -> Any:
    """Injected defect: look at the head of the queue, let others run, then take it (maybe twice)."""
    queue = self.conf.queues[0] if queue_name is None else queue_name
    for priority in sorted(self._queues[queue], reverse=True):
        pending = self._queues[queue][priority]
        if pending:
            head = pending[0]
            self.app.orchestrator.get_invocation_status_record(head)  # a state yield point between look and take
            if head in pending:
                pending.remove(head)
            return head
    return None


def _handed_out_twice(history: History) -> bool:
    """Symptom of one invocation given to two runners: pynenc is asked to re-admit a pending invocation."""
    return any(e.kind is Kind.ERROR and e.error is not None and e.error.from_status == "pending" for e in history)


def test_explorer_finds_an_injected_broker_race(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    one = [Enqueue(0, "call_keyed", CALL)]
    real = explore(target, "call_keyed", one, [Poll(0), Poll(1)], _handed_out_twice)
    assert real.schedule is None, "the real broker hands an invocation to one runner only"
    monkeypatch.setattr(MemBroker, "retrieve_invocation", _racy_retrieve)
    _report("injected broker race", explore(target, "call_keyed", one, [Poll(0), Poll(1)], _handed_out_twice))


def test_explorer_kills_a_runner_at_a_yield_point(target: Target) -> None:
    """PYN-007: a runner killed after taking an invocation off the queue, before marking it PENDING."""
    result = explore(
        target, "call_keyed", TWO_KEYED[:1], [Iterate(0), Crash(0)], lambda h: bool(invariants.check_all(h)), bound=1
    )
    _report("PYN-007", result)
    history = run_schedule(target, ["call_keyed"], result.schedule)
    kinds = [e.kind for e in history if e.kind in (Kind.GROUP_BEGIN, Kind.CRASH, Kind.GROUP_END)]
    assert kinds[:3] == [Kind.GROUP_BEGIN, Kind.CRASH, Kind.GROUP_END]  # killed inside the group
    assert {v.rule for v in invariants.check_all(history)} >= {"liveness"}
