"""Rule "liveness": at the end of the history every invocation is in a final status.

Every invocation that appears in an ENQUEUE, STATUS or provider event (any task) ends in
success, failed or concurrency_controlled_final; one with no STATUS at all is not final.
A BOUND event (the deterministic drain stopped at its bound of events) is itself a violation:
work that did not settle within it.
"""

from __future__ import annotations

from pynenc_suite.history.model import History, Kind, Violation
from pynenc_suite.history.queries import StatusTimeline, identity_of, invocations
from pynenc_suite.history.status_graph import is_final
from pynenc_suite.invariants.adjudication import unfinished
from pynenc_suite.invariants.rule import always, rule

RULE = "liveness"
BOUND_MESSAGE = "the drain reached its bound of events before the work settled"


@rule(RULE, applies_to=always, adjudicate=unfinished)
def check(history: History) -> list[Violation]:
    """Flag a drain that reached its bound, and every invocation whose last status is not final."""
    timeline = StatusTimeline(history)
    out = [Violation(RULE, BOUND_MESSAGE, events=(event.seq,)) for event in history.of_kind(Kind.BOUND)]
    for inv, info in invocations(history).items():
        last = timeline.last(inv)
        status = last.status if last else None
        if not is_final(status):
            first = info.enqueue or info.first
            seqs = sorted({e.seq for e in (first, last) if e is not None})
            out.append(
                Violation(
                    RULE,
                    f"{inv} ends in {status!r}, not a final status",
                    info.task,
                    identity_of(info.key),
                    tuple(seqs),
                )
            )
    return out
