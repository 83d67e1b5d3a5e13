"""Known defects of pynenc as they show in a real-time history.

A decided violation whose events match one of these signatures is reported
under the finding's id (FINDINGS.md) instead of failing the tier; everything
else fails it.  Each signature is narrow: it names the invocation the violation
is about and requires the fault or the status pattern that the finding needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.realtime import CONNECTION_DROP
from invariants.history import Event, History, Kind, Violation
from invariants.realtime import recovered_while_running
from invariants.state import StatusTimeline

QUEUED = frozenset({"registered", "rerouted", "concurrency_controlled"})  # off the queue until a poll puts it back
FINAL = frozenset({"success", "failed", "concurrency_controlled_final"})
STOP_WINDOW = 1.0  # seconds before a runner's SIGTERM in which its poll may still be the one cut short
DROP_WINDOW = 1.0  # seconds after a status in which a connection drop can still cut the poll that wrote it


@dataclass(frozen=True)
class RealtimeFinding:
    id: str
    title: str
    matches: Callable[[History, Violation], bool]


def _subjects(history: History, violation: Violation) -> set[str]:
    by_seq = {e.seq: e for e in history}
    return {by_seq[s].invocation_id for s in violation.events if s in by_seq and by_seq[s].invocation_id}


def _lost_to_a_kill(history: History, violation: Violation) -> bool:
    """PYN-007: the invocation ended registered, rerouted or concurrency-controlled, and after that
    status a runner was SIGKILLed, or the runner that wrote it was stopped (SIGTERM).

    A runner that took it off the queue died before marking it PENDING or before putting it back
    (a blocked invocation is rerouted by the same poll that blocked it); no recovery looks at it
    again.  A graceful stop does the same: the SIGTERM handlers of MultiThreadRunner and
    PersistentProcessRunner workers raise KeyboardInterrupt wherever the poll is.  An invocation
    still REGISTERED has no runner's status to point at: it matches when it was queued while a
    runner was shutting down (from its SIGTERM to its restart).  A Redis connection drop right after
    the last status cuts a poll the same way: the poll raises ConnectionError and what it held is lost.
    """
    timeline = StatusTimeline(history)
    kills = [e.time for e in history.of_kind(Kind.CRASH) if "SIGKILL" in e.detail]
    stops = [e for e in history.of_kind(Kind.STOP)]
    drops = [e for e in history.of_kind(Kind.CRASH) if e.detail.startswith(CONNECTION_DROP)]
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
        # never taken to PENDING, and queued while a runner was shutting down: its workers are signalled
        # one by one after the runner's own SIGTERM, each possibly in the poll that had just taken it
        if last.status == "registered" and any(
            stop.time - STOP_WINDOW <= last.time <= _stop_ended(history, stop) + STOP_WINDOW for stop in stops
        ):
            return True
    return False


def _stop_ended(history: History, stop: Event) -> float:
    """When the runner stopped by ``stop`` was gone: its slot's next start, or the end of the run."""
    slot = stop.worker.split("#", 1)[0]
    restarts = (e.time for e in history.of_kind(Kind.START) if e.time > stop.time and e.worker.split("#", 1)[0] == slot)
    return min(restarts, default=float("inf"))


def _recovered_while_running(history: History, violation: Violation) -> bool:
    """PYN-012: recovered from a runner being stopped while that runner's body for it was still in the provider."""
    return any(recovered_while_running(history, inv) for inv in _subjects(history, violation))


def _dropped_after_reroute(history: History, violation: Violation) -> bool:
    """PYN-001: a reroute=False invocation was rerouted (after a kill or recovery) and never became final."""
    timeline = StatusTimeline(history)
    for inv in _subjects(history, violation):
        events = timeline.events.get(inv, [])
        if not events or history.policy(events[-1].task).reroute:
            continue
        if any(e.status == "rerouted" for e in events) and events[-1].status not in ("success", "failed",
                                                                                       "concurrency_controlled_final"):
            return True
    return False


def _body_outlived_its_kill(history: History, violation: Violation) -> bool:
    """PYN-011: a gracefully stopping runner marked the invocation killed (and rerouted it) while its
    body still ran: its provider call was in flight then, or started afterwards with no new run of the
    invocation in between.  ThreadRunner reroutes before it joins the body's thread."""
    stopped = {e.worker for e in history.of_kind(Kind.STOP)}  # SIGTERM, or the loop ended by a raise:
    stopped |= {e.worker for e in history.of_kind(Kind.ERROR) if "exited on its own" in e.detail}  # both run _on_stop
    timeline = StatusTimeline(history)
    calls = [e for e in history.of_kind(Kind.PROVIDER_START, Kind.PROVIDER_END)]
    for inv in _subjects(history, violation):
        statuses = timeline.events.get(inv, [])
        for killed in (e for e in statuses if e.status == "killed" and e.worker in stopped):
            mine = [e for e in calls if e.invocation_id == inv and e.worker == killed.worker]
            for start in (e for e in mine if e.kind is Kind.PROVIDER_START):
                end = next((e for e in mine if e.kind is Kind.PROVIDER_END and e.seq > start.seq), None)
                in_flight = start.time < killed.time and (end is None or end.time > killed.time)
                rerun = any(e.status == "running" and e.worker == killed.worker and killed.time < e.time < start.time
                            for e in statuses)  # a new run on the same runner would explain the call
                zombie = start.time > killed.time and not rerun
                if in_flight or zombie:
                    return True
    return False


def _lost_in_a_raising_poll(fragment: str, stuck_status: str | None) -> Callable[[History, Violation], bool]:
    """A runner's poll raised the error ``fragment`` names, and that poll died.  The invocation is left in
    ``stuck_status`` (whichever runner put it there: the raising poll took it off the queue), or where
    the raising runner last put it (blocked, and never rerouted by the aborted poll)."""

    def matches(history: History, violation: Violation) -> bool:
        raised = [e for e in history.of_kind(Kind.ERROR) if fragment in e.detail]
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


def _admitted_together(history: History, violation: Violation) -> bool:
    """PYN-005: the overlapping invocations were admitted (PENDING) by two different runners within
    ``ADMISSION_WINDOW`` of each other: both checked the key before either wrote PENDING."""
    if violation.rule != "no-overlap":
        return False
    timeline = StatusTimeline(history)
    subjects = sorted(_subjects(history, violation))
    if len(subjects) != 2:
        return False
    first, second = ([e for e in timeline.events.get(inv, []) if e.status == "pending"] for inv in subjects)
    return any(a.detail != b.detail and abs(a.time - b.time) <= ADMISSION_WINDOW for a in first for b in second)


KNOWN: tuple[RealtimeFinding, ...] = (
    RealtimeFinding("PYN-005", "two runners admit two same-key invocations at once (check-then-set race)",
                    _admitted_together),
    RealtimeFinding("PYN-009", "a RETRY invocation polled while its key is held crashes the poll and is lost",
                    _lost_in_a_raising_poll("from_status:retry, to_status:concurrency_controlled", "retry")),
    RealtimeFinding("PYN-001", "a rerouted drop-policy invocation crashes the poll (and what it blocked is lost)",
                    _lost_in_a_raising_poll("from_status:rerouted, to_status:concurrency_controlled_final", None)),
    RealtimeFinding("PYN-011", "graceful stop of a ThreadRunner reroutes an invocation whose body still runs",
                    _body_outlived_its_kill),
    RealtimeFinding("PYN-012", "a stopping runner's live work is recovered as if its worker were dead",
                    _recovered_while_running),
    RealtimeFinding("PYN-007", "runner killed between taking an invocation and marking it PENDING loses it",
                    _lost_to_a_kill),
    RealtimeFinding("PYN-001", "drop policy: a rerouted invocation is never finished", _dropped_after_reroute),
)


def known_finding(history: History, violation: Violation) -> str | None:
    """The id of the known finding this decided violation shows, if any."""
    return next((f.id for f in KNOWN if f.matches(history, violation)), None)
