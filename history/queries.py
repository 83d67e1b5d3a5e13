"""Replay helpers shared by the checkers: statuses over time and per-invocation facts."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from pynenc_suite.history.model import Event, History, KeyRef, Kind, Mode


@dataclass
class InvocationInfo:
    """What the history says about one invocation (ENQUEUE first, other events fill gaps)."""

    invocation_id: str
    task: str | None = None
    key: KeyRef | None = None  # running-mode key
    reg_key: KeyRef | None = None  # registration-mode key
    probe: bool = False
    enqueue: Event | None = None  # the ENQUEUE event that created it, if any
    first: Event | None = None  # the first event that mentions it


def invocations(history: History) -> dict[str, InvocationInfo]:
    """Per-invocation info, keyed by id, in order of first appearance.

    ENQUEUE events are authoritative for task/key/reg_key/probe; STATUS and provider
    events fill what is still missing.  REUSED events are not used: their keys belong
    to the new call, not to the invocation they point at.
    """
    infos: dict[str, InvocationInfo] = {}
    for ev in history:
        if ev.invocation_id is None or ev.kind is Kind.REUSED:
            continue
        info = infos.setdefault(ev.invocation_id, InvocationInfo(ev.invocation_id, first=ev))
        if ev.kind is Kind.ENQUEUE:
            info.enqueue = info.enqueue or ev
            info.task = ev.task or info.task
            info.key = ev.key or info.key
            info.reg_key = ev.reg_key or info.reg_key
            info.probe = info.probe or ev.probe
        else:
            info.task = info.task or ev.task
            info.key = info.key or ev.key
            info.reg_key = info.reg_key or ev.reg_key
    return infos


def identity_of(key: KeyRef | None) -> str | None:
    return key.identity if key is not None else None


def same_key(mode: Mode, a: KeyRef | None, b: KeyRef | None) -> bool:
    """Same key under ``mode``: TASK = always; otherwise equal, known identities."""
    if mode is Mode.TASK:
        return True
    return a is not None and b is not None and a.identity == b.identity


class StatusTimeline:
    """Every invocation's STATUS events, queryable at any seq (bisect, O(log n) a query)."""

    def __init__(self, history: History) -> None:
        self.events: dict[str, list[Event]] = {}
        for ev in history.of_kind(Kind.STATUS):
            if ev.invocation_id is not None:
                self.events.setdefault(ev.invocation_id, []).append(ev)
        self._seqs = {inv: [e.seq for e in evs] for inv, evs in self.events.items()}

    def event_before(self, inv: str, seq: int) -> Event | None:
        """The last STATUS event of ``inv`` with seq < ``seq``."""
        i = bisect_left(self._seqs.get(inv, []), seq)
        return self.events[inv][i - 1] if i else None

    def status_of(self, inv: str, seq: int) -> str | None:
        """Status of ``inv`` just before ``seq`` (None if it had none yet)."""
        ev = self.event_before(inv, seq)
        return ev.status if ev else None

    def first(self, inv: str) -> Event | None:
        evs = self.events.get(inv)
        return evs[0] if evs else None

    def last(self, inv: str) -> Event | None:
        evs = self.events.get(inv)
        return evs[-1] if evs else None


def replay(history: History) -> Iterator[tuple[Event, dict[str, str]]]:
    """Yield each event with the statuses of all invocations just before it (O(n) total).

    The dict is shared and updated in place after each yield; copy it to keep it.
    """
    current: dict[str, str] = {}
    for ev in history:
        yield ev, current
        if ev.kind is Kind.STATUS and ev.invocation_id is not None and ev.status is not None:
            current[ev.invocation_id] = ev.status


def provider_calls(history: History) -> list[tuple[Event, Event | None]]:
    """(PROVIDER_START, matching PROVIDER_END or None) pairs, in start order.

    A start is matched by the first later PROVIDER_END with the same invocation_id and
    the same worker (first-in, first-out if one worker started it twice).
    """
    open_: dict[tuple[str | None, str | None], list[Event]] = {}
    pairs: list[tuple[Event, Event | None]] = []
    for ev in history.of_kind(Kind.PROVIDER_START, Kind.PROVIDER_END):
        slot = (ev.invocation_id, ev.worker)
        if ev.kind is Kind.PROVIDER_START:
            open_.setdefault(slot, []).append(ev)
        elif open_.get(slot):
            pairs.append((open_[slot].pop(0), ev))
    pairs.extend((start, None) for starts in open_.values() for start in starts)
    pairs.sort(key=lambda pair: pair[0].seq)
    return pairs
