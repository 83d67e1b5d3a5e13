"""Rule "legal-transitions": every status change follows the documented status graph.

Each invocation's STATUS events, in seq order and starting from ``None``, are edges of
:data:`pynenc_suite.history.status_graph.ALLOWED` (a repeated status is not an edge).  After an
illegal step the replay continues from the new status.
"""

from __future__ import annotations

from pynenc_suite.history.model import Event, History, Violation
from pynenc_suite.history.queries import StatusTimeline, identity_of
from pynenc_suite.history.status_graph import is_allowed
from pynenc_suite.invariants.adjudication import Facts, Judgement, Unknown
from pynenc_suite.invariants.rule import always, rule

RULE = "legal-transitions"


def adjudicate(facts: Facts, violation: Violation) -> Judgement:
    """Unknown when the two statuses came from different writers within the margin (their order is unknown),
    or when a runner was killed or stalled in between (the status it wrote last may have no history record)."""
    events = facts.events_of(violation)
    if len(events) != 2:
        return None
    before, after = events
    if before.worker != after.worker and after.time - before.time <= facts.margin:
        return Unknown.CROSS_PROCESS_ORDER, before.invocation_id or ""
    if facts.fault_between(before.time, after.time):
        return Unknown.MISSING_RECORD, before.invocation_id or ""
    return None


@rule(RULE, applies_to=always, adjudicate=adjudicate)
def check(history: History) -> list[Violation]:
    """Flag every STATUS event that is not an allowed edge from the previous status."""
    out = []
    for inv, events in StatusTimeline(history).events.items():
        prev: Event | None = None
        for ev in events:
            before = prev.status if prev else None
            if not is_allowed(before, ev.status or ""):
                seqs = (prev.seq, ev.seq) if prev else (ev.seq,)
                message = f"{inv}: {before!r} -> {ev.status!r} is not allowed"
                out.append(Violation(RULE, message, ev.task, identity_of(ev.key), seqs))
            prev = ev
    return out
