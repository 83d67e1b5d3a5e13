"""Rule "legal-transitions": every status change follows the documented status graph.

Each invocation's STATUS events, in seq order and starting from ``None``, are edges of
:data:`invariants.status_graph.ALLOWED` (a repeated status is not an edge).  After an
illegal step the replay continues from the new status.
"""

from __future__ import annotations

from invariants.history import History, Violation
from invariants.state import StatusTimeline, group_of
from invariants.status_graph import is_allowed

RULE = "legal-transitions"


def check(history: History) -> list[Violation]:
    """Flag every STATUS event that is not an allowed edge from the previous status."""
    out = []
    for inv, events in StatusTimeline(history).events.items():
        prev = None
        for ev in events:
            before = prev.status if prev else None
            if not is_allowed(before, ev.status or ""):
                seqs = (prev.seq, ev.seq) if prev else (ev.seq,)
                message = f"{inv}: {before!r} -> {ev.status!r} is not allowed"
                out.append(Violation(RULE, message, ev.task, group_of(ev.key), seqs))
            prev = ev
    return out
