"""Verdicts on real-time histories: a violation is reported only when the record decides it.

A real-time history is assembled from records several processes wrote on one
host clock: statuses carry the time pynenc took before writing them, provider
calls the time the provider saw them.  Two facts limit what such a record can
prove, and a violation that depends on them is judged *unknown*, never failed:

* **Cross-process order within ``margin`` seconds is not known.**  A status one
  process wrote at t and one another process wrote at t +- margin may have
  happened in either order.
* **pynenc writes a status and its history record in two steps**, and presumes
  a runner dead when its heartbeat stops.  A status pair that skips a step
  across a kill or a stall may be missing the record the killed process never
  wrote.  An invocation recovered from a *stalled* runner, or from a runner being
  stopped (unless its own provider call spanned the recovery), runs again while
  the first copy may still act: at-least-once by design.

Everything else is decided.  Each rule says how its violations are adjudicated
(the ``adjudicate`` of its registration); this module holds what they share: the
facts they look up (:class:`Facts`), the reasons a violation is unknown
(:class:`Unknown`), and :func:`adjudicate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pynenc_suite.history.model import Event, Fault, History, Kind, Mode, Violation
from pynenc_suite.history.queries import StatusTimeline, invocations
from pynenc_suite.history.status_graph import HOLDS_KEY, RECOVERY

DEFAULT_MARGIN = 0.5


class Unknown(StrEnum):
    """Why the record cannot decide a violation."""

    CROSS_PROCESS_ORDER = "cross-process order"
    MISSING_RECORD = "missing record"
    AT_LEAST_ONCE = "at-least-once"
    RERUN_AFTER_CRASH = "re-run after a crash"
    RERUN_AFTER_STOP = "re-run after a stop"
    PROVIDER_UNREACHABLE = "provider unreachable"
    UNSETTLED = "unsettled"

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    Unknown.CROSS_PROCESS_ORDER: "events written by different processes within the margin; their order is unknown",
    Unknown.MISSING_RECORD: "a runner was killed or stalled in between; the status it wrote last may have no "
    "history record",
    Unknown.AT_LEAST_ONCE: "recovered from a stalled or stopping runner presumed dead; its copy there may still run",
    Unknown.RERUN_AFTER_CRASH: "its runner crashed after its provider call and before pynenc recorded the result; "
    "the re-run is at-least-once",
    Unknown.PROVIDER_UNREACHABLE: "it ran on a runner cut off from this machine, the provider too: its body may "
    "have failed without reaching the provider",
    Unknown.RERUN_AFTER_STOP: "killed and rerouted by a stopping runner after its body had called the provider; "
    "the re-run is at-least-once (an overlap of the two runs is still decided)",
    Unknown.UNSETTLED: "the run's deadline passed while pynenc was still making progress",
}


@dataclass(frozen=True)
class Verdict:
    """A checker's violation and whether the record decides it (``unknown`` says why not, about ``subject``)."""

    violation: Violation
    unknown: Unknown | None = None
    subject: str = ""  # the invocation the reason is about, if one

    @property
    def decided(self) -> bool:
        return self.unknown is None

    @property
    def reason(self) -> str:
        if self.unknown is None:
            return ""
        return f"{self.subject}: {self.unknown.explanation}" if self.subject else self.unknown.explanation


Judgement = tuple[Unknown, str] | None  # (why unknown, about which invocation), or None: decided
Adjudicator = Callable[["Facts", Violation], Judgement]


def decided(facts: Facts, violation: Violation) -> Judgement:
    """The adjudicator of a rule whose violations real time always decides."""
    return None


class Facts:
    """What the adjudication rules look up in one history."""

    def __init__(self, history: History, margin: float = DEFAULT_MARGIN) -> None:
        self.history = history
        self.margin = margin
        self.by_seq = {e.seq: e for e in history}
        self.timeline = StatusTimeline(history)
        self.infos = invocations(history)
        self.unsettled = bool(history.of_kind(Kind.DEADLINE))
        crashes = history.of_kind(Kind.CRASH)
        self.stalls = [e for e in crashes if e.fault is Fault.STALL]
        self.kills = [e for e in crashes if e.fault not in (Fault.STALL, Fault.PARTITION, Fault.DELAY)]
        self.cuts = [e for e in crashes if e.fault is Fault.PARTITION]
        self.unheard = unheard_windows(history)
        self.partitions = fault_windows(history, (Fault.PARTITION,))
        self.stops = history.of_kind(Kind.STOP)

    def events_of(self, violation: Violation) -> list[Event]:
        return [self.by_seq[s] for s in violation.events if s in self.by_seq]

    def invocations_of(self, violation: Violation) -> list[str]:
        return sorted({e.invocation_id for e in self.events_of(violation) if e.invocation_id})

    def recovered_from_stall(self, inv: str) -> bool:
        """``inv`` was recovered (its runner presumed dead) from a runner that had been stalled, or was
        being stopped, before: alive but not heartbeating, it may still run the invocation.

        A stopping runner whose own provider call for ``inv`` provably spanned the recovery is the
        exception: the record then shows live work presumed dead, which is decided (PYN-012)."""
        for before, recovery in recoveries(self.timeline, inv):
            if faulted_before(self.stalls, before, recovery) or unheard_at(self.unheard, before, recovery):
                return True
            if faulted_before(self.stops, before, recovery) and not (
                call_spans(self.history, inv, before.worker, recovery.time, self.margin)
            ):
                return True
        return False

    def rerun_after_its_runner_died(self, inv: str) -> bool:
        """Between two successful calls of ``inv``, the runner that made the first one crashed."""
        ok = [
            end for end in self.history.of_kind(Kind.PROVIDER_END) if end.invocation_id == inv and end.outcome == "ok"
        ]
        starts = [e for e in self.history.of_kind(Kind.PROVIDER_START) if e.invocation_id == inv]
        for first, second in zip(ok, ok[1:], strict=False):
            next_start = next((s.time for s in starts if s.seq > first.seq), second.time)
            if any(c.worker == first.worker and first.time <= c.time <= next_start for c in self.kills):
                return True
        return False

    def killed_after_its_call(self, inv: str) -> bool:
        """A gracefully stopped runner marked ``inv`` killed after that runner's own provider call for it started."""
        stopped = stopped_runners(self.history)
        calls = [e for e in self.history.of_kind(Kind.PROVIDER_START) if e.invocation_id == inv]
        return any(
            killed.status == "killed"
            and killed.worker in stopped
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
            if policy.running is not Mode.TASK and (
                mine is None or mine.key is None or info.key is None or info.key.identity != mine.key.identity
            ):
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
            for inv in invs
            for e in self.timeline.events.get(inv, [])
            if e.seq not in own
            for a in around
        )

    def cut_off_while_running(self, inv: str) -> bool:
        """A runner slot ran ``inv`` (wrote RUNNING for it) and was cut off between that and the invocation's last
        status: its body's provider calls could not be answered then (a partition cuts the provider too)."""
        events = self.timeline.events.get(inv, [])
        end = events[-1].time if events else 0.0
        return any(
            slot_of(runner) == slot_of(e.worker) and cut <= end and healed >= e.time
            for e in events
            if e.status == "running"
            for runner, cut, healed in self.partitions
        )

    def fault_between(self, start: float, end: float) -> bool:
        faults = self.kills + self.stalls + self.cuts
        return any(start - self.margin <= e.time <= end + self.margin for e in faults)


UNHEARD = (Fault.PARTITION, Fault.DELAY)


def unheard_windows(history: History) -> list[tuple[str | None, float, float]]:
    """(runner, from, to) for each time a runner may have been alive and unheard: its network cut, or its engine
    link slowed (a loop iteration of many round trips can then outlast dead-after, and the heartbeat is written
    once an iteration).  From the fault to its end plus the end's ``grace`` (the time the runner may still take to
    be heard: its client's timeout, its slow iteration's end), or to the end of the run if it never ended."""
    return fault_windows(history, UNHEARD, with_grace=True)


def fault_windows(
    history: History, faults: tuple[Fault, ...], with_grace: bool = False
) -> list[tuple[str | None, float, float]]:
    """(runner, struck, ended) for each CRASH of one of ``faults``, in the history's order, and the RESUME that ended
    it on the same runner slot (a runner restarted meanwhile is a later incarnation: ``r1#1`` heals ``r1``'s cut),
    plus its grace if ``with_grace``; ``inf`` if nothing ended it."""
    ends = [e for e in history.of_kind(Kind.RESUME) if e.fault in faults]
    windows = []
    for fault in (e for e in history.of_kind(Kind.CRASH) if e.fault in faults):
        slot = slot_of(fault.worker)
        end = next(
            (e for e in ends if slot_of(e.worker) == slot and e.fault is fault.fault and e.seq > fault.seq), None
        )
        until = float("inf") if end is None else end.time + ((end.grace or 0.0) if with_grace else 0.0)
        windows.append((fault.worker, fault.time, until))
    return windows


def unheard_at(windows: list[tuple[str | None, float, float]], before: Event, recovery: Event) -> bool:
    """The runner that last held the invocation was in one of ``windows`` when recovery took it: alive and
    perhaps unheard, it may still run it.  Outside them its partition or slow link excuses nothing."""
    slot = slot_of(before.worker)
    return any(slot_of(runner) == slot and start <= recovery.time <= end for runner, start, end in windows)


def slot_of(worker: str | None) -> str:
    """The runner slot a worker label names: ``r1`` for ``r1`` and for its later incarnations ``r1#2``."""
    return (worker or "").split("#", 1)[0]


def stopped_runners(history: History) -> set[str | None]:
    """Runners that went through pynenc's stop (``_on_stop``): stopped gracefully, or whose loop raised."""
    return {e.worker for e in history.of_kind(Kind.STOP)} | {
        e.worker for e in history.of_kind(Kind.CRASH) if e.fault is Fault.EXIT
    }


def call_spans(history: History, inv: str, worker: str | None, time: float, margin: float = DEFAULT_MARGIN) -> bool:
    """A provider call for ``inv`` made by ``worker`` started ``margin`` before ``time`` and ended
    (or was cut) ``margin`` after it, or never ended: the body was running at ``time``."""
    calls = [
        e
        for e in history.of_kind(Kind.PROVIDER_START, Kind.PROVIDER_END)
        if e.invocation_id == inv and e.worker == worker
    ]
    for start in (e for e in calls if e.kind is Kind.PROVIDER_START and e.time <= time - margin):
        end = next((e for e in calls if e.kind is Kind.PROVIDER_END and e.seq > start.seq), None)
        if end is None or end.time >= time + margin:
            return True
    return False


def recovered_while_running(history: History, inv: str, margin: float = DEFAULT_MARGIN) -> bool:
    """PYN-012's record: ``inv`` was recovered from a runner that had been stopped while that
    runner's own provider call for it spanned the recovery (live work presumed dead)."""
    stops = history.of_kind(Kind.STOP)
    return any(
        faulted_before(stops, before, recovery) and call_spans(history, inv, before.worker, recovery.time, margin)
        for before, recovery in recoveries(StatusTimeline(history), inv)
    )


def recoveries(timeline: StatusTimeline, inv: str) -> list[tuple[Event, Event]]:
    """(the status before, the recovery status) for each time recovery took ``inv`` from its runner."""
    events = timeline.events.get(inv, [])
    return [(before, after) for before, after in zip(events, events[1:], strict=False) if after.status in RECOVERY]


def faulted_before(faults: list[Event], before: Event, recovery: Event) -> bool:
    """One of ``faults`` hit the runner that last held the invocation before recovery took it."""
    return any(fault.worker == before.worker and fault.time <= recovery.time for fault in faults)


def unfinished(facts: Facts, violation: Violation) -> Judgement:
    """Unfinished work is unknown when the run merely ran out of time while pynenc was progressing."""
    return (Unknown.UNSETTLED, "") if facts.unsettled else None
