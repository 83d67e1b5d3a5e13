"""Rule "no-stale-locks": after the schedule drains, no key is left locked and probes run.

Checked at the end of the history (the DRAIN event, if any, only marks where new work
stopped): no invocation of a task with running != DISABLED is left in a status that
holds or waits on its key (pending, running, killed, pending_recovery, running_recovery,
concurrency_controlled, rerouted, retry), and every probe invocation (ENQUEUE with probe=True)
ends in ``success``.  The violation's key is the stuck key identity.
"""

from __future__ import annotations

from pynenc_suite.history.model import History, Kind, Violation
from pynenc_suite.history.queries import StatusTimeline, identity_of, invocations
from pynenc_suite.invariants.adjudication import unfinished
from pynenc_suite.invariants.rule import controls_running, rule

RULE = "no-stale-locks"

STUCK: frozenset[str] = frozenset(
    {
        "pending",
        "running",
        "killed",
        "pending_recovery",
        "running_recovery",
        "concurrency_controlled",
        "rerouted",
        "retry",
    }
)


@rule(RULE, applies_to=controls_running, adjudicate=unfinished)
def check(history: History) -> list[Violation]:
    """Flag key-holding leftovers of running-controlled tasks and probes that did not succeed."""
    timeline = StatusTimeline(history)
    drain = next(iter(history.of_kind(Kind.DRAIN)), None)
    tail = [drain.seq] if drain is not None else []
    out = []
    for inv, info in invocations(history).items():
        last = timeline.last(inv)
        status = last.status if last else None
        proof = tail + ([last.seq] if last else [])
        key = identity_of(info.key)
        if history.policy(info.task).controls_running and status in STUCK:
            out.append(
                Violation(
                    RULE,
                    f"{inv} left {status!r} at the end: key stays locked",
                    info.task,
                    key,
                    tuple(sorted(proof)),
                )
            )
        elif info.probe and status != "success":
            seqs = proof + ([info.enqueue.seq] if info.enqueue else [])
            out.append(
                Violation(
                    RULE,
                    f"probe {inv} ended {status!r}, not 'success'",
                    info.task,
                    key,
                    tuple(sorted(set(seqs))),
                )
            )
    return out
