"""Verdicts on real-time histories: a violation is reported only when the record decides it.

A real-time history is assembled from records several processes wrote on one
host clock: statuses carry the time pynenc took before writing them, provider
calls the time the provider saw them.  Two facts limit what such a record can
prove, and a violation that depends on them is judged ``unknown``, never failed:

* **Cross-process order within ``margin`` seconds is not known.**  A status one
  process wrote at t and one another process wrote at t +- margin may have
  happened in either order.  So "blocked while no same-key invocation held the
  key" (drop-semantics), "reused an invocation that was no longer registered" /
  "created new work while one was registered" (registration-dedup) and an
  illegal-looking pair of statuses from different writers are unknown when an
  event that would clear them lies within ``margin``.
* **pynenc writes a status and its history record in two steps**, and presumes
  a runner dead when its heartbeat stops.  A status pair that skips a step
  across a SIGKILL or a stall may be missing the record the killed process
  never wrote (legal-transitions: unknown).  An invocation recovered from a
  *stalled* runner (SIGSTOP, alive again later), or from a runner being stopped
  (SIGTERM) unless its own provider call for it spanned the recovery, runs again
  while the first copy may still act: at-least-once by design, so a second provider call or an
  overlap involving it is unknown, as is a second successful call after the runner of the
  first one was killed before pynenc recorded its result.  Likewise a second successful call after a
  graceful stop killed and rerouted a body that had already called the provider
  (at-least-once; an *overlap* of the two runs stays decided).  Work unfinished when the run's deadline
  passed while pynenc was still progressing (DRAIN "unsettled") is unknown.

Everything else is decided: provider intervals come from one process's clock, a
dropped invocation that calls the provider, lost work in a settled run, a stale
lock, an impossible status pair from one writer.
"""

from __future__ import annotations

from dataclasses import dataclass

from invariants.history import Event, History, Kind, Mode, Violation
from invariants.state import StatusTimeline, invocations
from invariants.status_graph import HOLDS_KEY

DEFAULT_MARGIN = 0.5
RECOVERY_STATUSES = frozenset({"pending_recovery", "running_recovery"})
UNFINISHED_RULES = frozenset({"no-stale-locks", "liveness"})


@dataclass(frozen=True)
class Verdict:
    """A checker's violation and whether the record decides it (``unknown`` says why not)."""

    violation: Violation
    unknown: str = ""

    @property
    def decided(self) -> bool:
        return not self.unknown


class _Facts:
    """What the adjudication rules look up in one history."""

    def __init__(self, history: History, margin: float) -> None:
        self.history = history
        self.margin = margin
        self.by_seq = {e.seq: e for e in history}
        self.timeline = StatusTimeline(history)
        self.infos = invocations(history)
        drains = history.of_kind(Kind.DRAIN)
        self.unsettled = any(e.detail == "unsettled" for e in drains)
        self.stalls = [e for e in history.of_kind(Kind.CRASH) if e.detail.startswith("stall")]
        self.kills = [e for e in history.of_kind(Kind.CRASH) if not e.detail.startswith("stall")]
        self.stops = history.of_kind(Kind.STOP)

    def invocations_of(self, violation: Violation) -> set[str]:
        return {self.by_seq[s].invocation_id for s in violation.events if s in self.by_seq and self.by_seq[s].invocation_id}

    def recovered_from_stall(self, inv: str) -> bool:
        """``inv`` was recovered (its runner presumed dead) from a runner that had been stalled, or was
        being stopped, before: alive but not heartbeating, it may still run the invocation.

        A stopping runner whose own provider call for ``inv`` provably spanned the recovery is the
        exception: the record then shows live work presumed dead, which is decided (PYN-012)."""
        for before, recovery in _recoveries(self.timeline, inv):
            if _faulted_before(self.stalls, before, recovery):
                return True
            if _faulted_before(self.stops, before, recovery) and not (
                call_spans(self.history, inv, before.worker, recovery.time, self.margin)
            ):
                return True
        return False

    def rerun_after_its_runner_died(self, inv: str) -> bool:
        """Between two successful calls of ``inv``, the runner that made the first one crashed."""
        ok = [end for end in self.history.of_kind(Kind.PROVIDER_END) if end.invocation_id == inv and end.outcome == "ok"]
        starts = [e for e in self.history.of_kind(Kind.PROVIDER_START) if e.invocation_id == inv]
        for first, second in zip(ok, ok[1:], strict=False):
            next_start = next((s.time for s in starts if s.seq > first.seq), second.time)
            if any(c.worker == first.worker and first.time <= c.time <= next_start for c in self.kills):
                return True
        return False

    def killed_after_its_call(self, inv: str) -> bool:
        """A gracefully stopped runner marked ``inv`` killed after that runner's own provider call for it started."""
        stopped = {e.worker for e in self.history.of_kind(Kind.STOP)}
        stopped |= {e.worker for e in self.history.of_kind(Kind.CRASH) if "exited on its own" in e.detail}
        calls = [e for e in self.history.of_kind(Kind.PROVIDER_START) if e.invocation_id == inv]
        return any(
            killed.status == "killed" and killed.worker in stopped
            and any(c.worker == killed.worker and c.time < killed.time for c in calls)
            for killed in self.timeline.events.get(inv, [])
        )

    def held_near(self, inv: str, task: str | None, time: float) -> bool:
        """Another same-key invocation held the key (pending/running) within ``margin`` before ``time``."""
        policy = self.history.policy(task)
        mine = self.infos.get(inv)
        for other, events in self.timeline.events.items():
            if other == inv:
                continue
            info = self.infos.get(other)
            if info is None or info.task != task:
                continue
            if policy.running is not Mode.TASK and (mine is None or mine.key is None or info.key is None
                                                    or info.key.group != mine.key.group):
                continue
            for current, following in zip(events, [*events[1:], None], strict=True):
                if current.status not in HOLDS_KEY:
                    continue
                until = following.time if following is not None else float("inf")
                if current.time <= time + self.margin and until >= time - self.margin:
                    return True
        return False

    def status_change_near(self, invs: set[str], around: list[Event]) -> bool:
        """A status of one of ``invs``, other than the events ``around`` themselves, lies within ``margin`` of them."""
        own = {e.seq for e in around}
        return any(
            abs(e.time - a.time) <= self.margin
            for inv in invs for e in self.timeline.events.get(inv, []) if e.seq not in own for a in around
        )

    def fault_between(self, start: float, end: float) -> bool:
        return any(start - self.margin <= e.time <= end + self.margin for e in self.kills + self.stalls)


def call_spans(history: History, inv: str, worker: str, time: float, margin: float = DEFAULT_MARGIN) -> bool:
    """A provider call for ``inv`` made by ``worker`` started ``margin`` before ``time`` and ended
    (or was cut) ``margin`` after it, or never ended: the body was running at ``time``."""
    calls = [e for e in history.of_kind(Kind.PROVIDER_START, Kind.PROVIDER_END)
             if e.invocation_id == inv and e.worker == worker]
    for start in (e for e in calls if e.kind is Kind.PROVIDER_START and e.time <= time - margin):
        end = next((e for e in calls if e.kind is Kind.PROVIDER_END and e.seq > start.seq), None)
        if end is None or end.time >= time + margin:
            return True
    return False


def recovered_while_running(history: History, inv: str, margin: float = DEFAULT_MARGIN) -> bool:
    """PYN-012's record: ``inv`` was recovered from a runner that had been sent SIGTERM while that
    runner's own provider call for it spanned the recovery (live work presumed dead)."""
    stops = history.of_kind(Kind.STOP)
    return any(
        _faulted_before(stops, before, recovery) and call_spans(history, inv, before.worker, recovery.time, margin)
        for before, recovery in _recoveries(StatusTimeline(history), inv)
    )


def _recoveries(timeline: StatusTimeline, inv: str) -> list[tuple[Event, Event]]:
    """(the status before, the recovery status) for each time recovery took ``inv`` from its runner."""
    events = timeline.events.get(inv, [])
    return [(before, after) for before, after in zip(events, events[1:], strict=False)
            if after.status in RECOVERY_STATUSES]


def _faulted_before(faults: list[Event], before: Event, recovery: Event) -> bool:
    """One of ``faults`` hit the runner that last held the invocation before recovery took it."""
    return any(fault.worker == before.worker and fault.time <= recovery.time for fault in faults)


def _overlap(facts: _Facts, violation: Violation) -> str:
    for inv in sorted(facts.invocations_of(violation)):
        if facts.recovered_from_stall(inv):
            return (f"{inv} was recovered from a stalled or stopping runner presumed dead; its copy there may "
                    "still run (at-least-once)")
    return ""


def _lost_work(facts: _Facts, violation: Violation) -> str:
    duplicate = "provider calls ending 'ok'" in violation.message and "has 0 " not in violation.message
    unrecorded_failure = "recorded neither" in violation.message  # the failing body's process was frozen
    if duplicate or unrecorded_failure:
        for inv in sorted(facts.invocations_of(violation)):
            if facts.recovered_from_stall(inv):
                return f"{inv} was recovered from a stalled or stopping runner presumed dead; a second run is at-least-once"
            if duplicate and facts.rerun_after_its_runner_died(inv):
                return (f"{inv}'s runner crashed after its provider call and before pynenc recorded the result; "
                        "the re-run is at-least-once")
            if duplicate and facts.killed_after_its_call(inv):
                return (f"{inv} was killed and rerouted by a stopping runner after its body had called the provider; "
                        "the re-run is at-least-once (an overlap of the two runs is still decided)")
        return ""  # work done twice is decided, settled or not
    return _unfinished(facts, violation)


def _unfinished(facts: _Facts, violation: Violation) -> str:
    return "the run's deadline passed while pynenc was still making progress" if facts.unsettled else ""


def _blocked(facts: _Facts, violation: Violation) -> str:
    if "no other same-key invocation" not in violation.message:
        return ""
    event = facts.by_seq.get(violation.events[0]) if violation.events else None
    if event is not None and event.invocation_id and facts.held_near(event.invocation_id, event.task, event.time):
        return f"a same-key invocation held the key within {facts.margin}s; cross-process order that close is unknown"
    return ""


def _registration(facts: _Facts, violation: Violation) -> str:
    events = [facts.by_seq[s] for s in violation.events if s in facts.by_seq]
    invs = {e.invocation_id for e in events if e.invocation_id}
    for event in events:
        for inv in facts.infos:
            info = facts.infos[inv]
            if info.task == event.task and info.reg_key is not None and event.reg_key is not None \
                    and info.reg_key.group == event.reg_key.group:
                invs.add(inv)
    if facts.status_change_near(invs, events):
        return f"a status of a same-key invocation changed within {facts.margin}s of the enqueue"
    return ""


def _transition(facts: _Facts, violation: Violation) -> str:
    events = [facts.by_seq[s] for s in violation.events if s in facts.by_seq]
    if len(events) != 2:
        return ""
    before, after = events
    if before.worker != after.worker and after.time - before.time <= facts.margin:
        return f"written by {before.worker} and {after.worker} within {facts.margin}s; their order is unknown"
    if facts.fault_between(before.time, after.time):
        return "a runner was killed or stalled in between; the status it wrote last may have no history record"
    return ""


_RULES = {
    "no-overlap": _overlap,
    "reroute-preserves-work": _lost_work,
    "no-stale-locks": _unfinished,
    "liveness": _unfinished,
    "drop-semantics": _blocked,
    "registration-dedup": _registration,
    "legal-transitions": _transition,
}


def adjudicate(history: History, violations: list[Violation], margin: float = DEFAULT_MARGIN) -> list[Verdict]:
    """Each violation with its verdict: decided, or unknown with the reason the record cannot decide it."""
    facts = _Facts(history, margin)
    return [Verdict(v, _RULES.get(v.rule, lambda f, v: "")(facts, v)) for v in violations]


def events_of(history: History, verdict: Verdict) -> list[Event]:
    return [e for e in history if e.seq in verdict.violation.events]
