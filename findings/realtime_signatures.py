"""How the real-time tier recognises a recorded finding in a decided violation.

A decided violation whose events match one of these signatures is counted under
the finding's id instead of failing the tier; everything else fails it.  Each
signature is narrow: it names the invocation the violation is about and
requires the fault or the status pattern that the finding needs
(``tests/test_realtime_verdicts.py`` shows each one matching and not matching).
"""

from __future__ import annotations

from collections.abc import Callable

from pynenc_suite.history.model import Event, Fault, History, Kind, Violation
from pynenc_suite.history.queries import StatusTimeline
from pynenc_suite.history.status_graph import FINAL, QUEUED
from pynenc_suite.invariants.adjudication import fault_windows, recovered_while_running, slot_of, stopped_runners

RealtimeSignature = Callable[[History, Violation], bool]

STOP_WINDOW = 1.0  # seconds before a runner's SIGTERM in which its poll may still be the one cut short
DROP_WINDOW = 1.0  # seconds after a status in which a connection drop can still cut the poll that wrote it


def _subjects(history: History, violation: Violation) -> set[str]:
    by_seq = {e.seq: e for e in history}
    subjects = (by_seq[s].invocation_id for s in violation.events if s in by_seq)
    return {inv for inv in subjects if inv}


def lost_to_a_kill(history: History, violation: Violation) -> bool:
    """PYN-007: the invocation ended registered, rerouted or concurrency-controlled, and after that
    status a runner was SIGKILLed, or the runner that wrote it was stopped (SIGTERM).

    A runner that took it off the queue died before marking it PENDING or before putting it back
    (a blocked invocation is rerouted by the same poll that blocked it); no recovery looks at it
    again.  A graceful stop does the same: the SIGTERM handlers of MultiThreadRunner and
    PersistentProcessRunner workers raise KeyboardInterrupt wherever the poll is.  An invocation
    still REGISTERED has no runner's status to point at: it matches when it was queued while a
    runner was shutting down (from its SIGTERM to its restart).  A Redis connection drop right after
    the last status cuts a poll the same way: the poll raises ConnectionError and what it held is lost; so
    does a runner cut off (a partition) then or later, also because Redis pops an invocation for a BLPOP whose
    reply the cut-off runner never receives.
    """
    timeline = StatusTimeline(history)
    crashes = history.of_kind(Kind.CRASH)
    kills = [e.time for e in crashes if e.fault in (Fault.KILL, Fault.KILL_WORKER)]
    stops = history.of_kind(Kind.STOP)
    drops = [e for e in crashes if e.fault is Fault.DROP_CONNECTIONS]
    cuts = fault_windows(history, (Fault.PARTITION,))
    for inv in _subjects(history, violation):
        last = timeline.last(inv)
        if last is None or last.status not in QUEUED:
            continue
        if any(t >= last.time for t in kills):
            return True
        # written by a runner while it was being stopped: just before the signal, or during the shutdown
        # that follows it (a MultiThreadRunner signals its workers only once its own loop has ended)
        if any(stop.worker == last.worker and last.time >= stop.time - STOP_WINDOW for stop in stops):
            return True
        # a Redis connection drop cut a poll in progress: the poll that had just taken or blocked it raised
        # (a poll is short: its statuses, then a BLPOP of pynenc's 0.1 s queue timeout for the next one)
        if any(last.time <= drop.time <= last.time + DROP_WINDOW for drop in drops):
            return True
        # a runner was cut off then or later: Redis pops for a BLPOP whose reply never reaches the runner, and a
        # poll that had taken or blocked it cannot write again (the runner's loop then raises, and it exits)
        if any(healed >= last.time for _, _, healed in cuts):
            return True
        # never taken to PENDING, and queued while a runner was shutting down: its workers are signalled
        # one by one after the runner's own SIGTERM, each possibly in the poll that had just taken it
        if last.status == "registered" and any(
            stop.time - STOP_WINDOW <= last.time <= _stop_ended(history, stop) + STOP_WINDOW for stop in stops
        ):
            return True
    return False


def _stop_ended(history: History, stop: Event) -> float:
    """When the runner stopped by ``stop`` was gone: its slot's next start, or the end of the run."""
    slot = slot_of(stop.worker)
    restarts = (e.time for e in history.of_kind(Kind.RESTART) if e.time > stop.time and slot_of(e.worker) == slot)
    return min(restarts, default=float("inf"))


def recovered_from_a_live_worker(history: History, violation: Violation) -> bool:
    """PYN-012: recovered from a runner being stopped while that runner's body for it was still in the provider."""
    return any(recovered_while_running(history, inv) for inv in _subjects(history, violation))


def dropped_after_reroute(history: History, violation: Violation) -> bool:
    """PYN-001: a reroute=False invocation was rerouted (after a kill or recovery) and never became final."""
    timeline = StatusTimeline(history)
    for inv in _subjects(history, violation):
        events = timeline.events.get(inv, [])
        if not events or history.policy(events[-1].task).reroute:
            continue
        if any(e.status == "rerouted" for e in events) and events[-1].status not in (
            "success",
            "failed",
            "concurrency_controlled_final",
        ):
            return True
    return False


def body_outlived_its_kill(history: History, violation: Violation) -> bool:
    """PYN-011: a gracefully stopping runner marked the invocation killed (and rerouted it) while its
    body still ran: its provider call was in flight then, or started afterwards with no new run of the
    invocation in between.  ThreadRunner reroutes before it joins the body's thread."""
    stopped = stopped_runners(history)  # SIGTERM, or the loop ended by a raise: both run _on_stop
    timeline = StatusTimeline(history)
    calls = [e for e in history.of_kind(Kind.PROVIDER_START, Kind.PROVIDER_END)]
    for inv in _subjects(history, violation):
        statuses = timeline.events.get(inv, [])
        for killed in (e for e in statuses if e.status == "killed" and e.worker in stopped):
            mine = [e for e in calls if e.invocation_id == inv and e.worker == killed.worker]
            for start in (e for e in mine if e.kind is Kind.PROVIDER_START):
                end = next((e for e in mine if e.kind is Kind.PROVIDER_END and e.seq > start.seq), None)
                in_flight = start.time < killed.time and (end is None or end.time > killed.time)
                rerun = any(
                    e.status == "running" and e.worker == killed.worker and killed.time < e.time < start.time
                    for e in statuses
                )  # a new run on the same runner would explain the call
                zombie = start.time > killed.time and not rerun
                if in_flight or zombie:
                    return True
    return False


def lost_in_a_refusing_poll(stuck_status: str | None, before: str, *after: str) -> RealtimeSignature:
    """A runner's poll raised pynenc's refusal of ``before -> after``, and that poll died.  The invocation is
    left in ``stuck_status`` (whichever runner put it there: the raising poll took it off the queue), or
    where the raising runner last put it (blocked, and never rerouted by the aborted poll)."""

    def matches(history: History, violation: Violation) -> bool:
        raised = [e for e in history.of_kind(Kind.ERROR) if e.error is not None and e.error.refused(before, *after)]
        timeline = StatusTimeline(history)
        for inv in _subjects(history, violation):
            last = timeline.last(inv)
            if last is None or last.status in FINAL:
                continue
            if last.status == stuck_status and any(e.time >= last.time for e in raised):
                return True
            if any(e.worker == last.worker and e.time >= last.time for e in raised):
                return True
        return False

    return matches


ADMISSION_WINDOW = 0.05  # seconds: two admissions this close came from one check-then-set window
# Engine round trips from a poll's first read of the key's holders to the stamp of the PENDING it writes, besides
# one per key argument: pynenc-redis 0.3 reads the task's invocations, each argument's, the PENDING and the RUNNING
# ones in separate calls (get_existing_invocations), then the invocation's status record before the write.
CHECK_ROUND_TRIPS = 4


def admitted_together(history: History, violation: Violation) -> bool:
    """PYN-005: the two invocations were admitted (PENDING) by two different runners so close together that
    both checked the key before either wrote PENDING: within ``ADMISSION_WINDOW``, widened for a runner whose
    engine link was slowed then by the round trips its check spans (the check reads the holders first, the
    write comes ``CHECK_ROUND_TRIPS`` plus one per key argument round trips later)."""
    if violation.rule not in ("no-overlap", "exclusive-admission"):
        return False
    timeline = StatusTimeline(history)
    subjects = sorted(_subjects(history, violation))
    if len(subjects) != 2:
        return False
    first, second = ([e for e in timeline.events.get(inv, []) if e.status == "pending"] for inv in subjects)
    delays = slowed_links(history)

    def window(later: Event) -> float:
        trips = CHECK_ROUND_TRIPS + len(history.policy(later.task).key_arguments)
        return ADMISSION_WINDOW + trips * 2 * delays(later.worker, later.time)

    return any(
        a.writer != b.writer and abs(a.time - b.time) <= window(max(a, b, key=lambda e: e.time))
        for a in first
        for b in second
    )


def slowed_links(history: History) -> Callable[[str | None, float], float]:
    """The delay (seconds each way) on ``worker``'s runner slot's engine link at ``time``, 0 if none."""
    slowed = [e for e in history.of_kind(Kind.CRASH) if e.fault is Fault.DELAY]
    spans = [
        (slot_of(worker), start, end, event.delay or 0.0)
        for event, (worker, start, end) in zip(slowed, fault_windows(history, (Fault.DELAY,)), strict=True)
    ]

    def delay(worker: str | None, time: float) -> float:
        return max((d for slot, s, e, d in spans if slot == slot_of(worker) and s <= time <= e), default=0.0)

    return delay
