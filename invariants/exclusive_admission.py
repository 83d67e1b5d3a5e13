"""Rule "exclusive-admission": at most one same-key invocation holds the key (PENDING or RUNNING) at a time.

pynenc's running concurrency holds a key from admission (PENDING) through RUNNING,
and its own check counts PENDING invocations as holders.  So, for every task whose
running policy is TASK, ARGUMENTS or KEYS: when an invocation X enters ``pending`` or
``running`` from a status that does not hold the key, no OTHER invocation of the
same task with the same running key (TASK mode: any) is ``pending`` or ``running``
just before.  Keys are the recorder's key identities, decided by Python values; an
invocation with no known key is never a holder.  A status change of X within the
holding statuses (``pending`` -> ``running``) is not an admission.

This is exclusion where pynenc decides it.  "no-overlap" stays the end-to-end rule:
an admission this rule flags may still be saved by the later start-time check,
which this rule does not wait for.
"""

from __future__ import annotations

from pynenc_suite.history.model import Event, History, Kind, Mode, Violation
from pynenc_suite.history.queries import invocations
from pynenc_suite.history.status_graph import HOLDS_KEY
from pynenc_suite.invariants.adjudication import Facts, Judgement, Unknown
from pynenc_suite.invariants.rule import controls_running, rule

RULE = "exclusive-admission"


def adjudicate(facts: Facts, violation: Violation) -> Judgement:
    """Unknown when the holder's status and the admission were written by different processes within the
    margin, when the holder let go within the margin after the admission (their order is unknown), or
    when a runner was killed or stalled in between (the holder's release may have no record)."""
    events = facts.events_of(violation)
    if len(events) != 2:
        return None
    held, admitted = events
    subject = admitted.invocation_id or ""
    if held.writer != admitted.writer and abs(admitted.time - held.time) <= facts.margin:
        return Unknown.CROSS_PROCESS_ORDER, subject
    after = [e for e in facts.timeline.events.get(held.invocation_id or "", []) if e.seq > held.seq]
    if after and after[0].status not in HOLDS_KEY and after[0].time - admitted.time <= facts.margin:
        return Unknown.CROSS_PROCESS_ORDER, subject
    if facts.fault_between(held.time, admitted.time):
        return Unknown.MISSING_RECORD, subject
    return None


@rule(RULE, applies_to=controls_running, adjudicate=adjudicate)
def check(history: History) -> list[Violation]:
    """Flag every admission of an invocation while another same-key invocation holds the key."""
    infos = invocations(history)
    holding: dict[str, Event] = {}  # invocation -> the status event by which it holds its key now
    out: list[Violation] = []
    for ev in history.of_kind(Kind.STATUS):
        x = ev.invocation_id
        if x is None:
            continue
        info = infos.get(x)
        task = ev.task or (info.task if info else None)
        policy = history.policy(task)
        if ev.status not in HOLDS_KEY:
            holding.pop(x, None)
            continue
        if not policy.controls_running:
            continue
        key = ev.key or (info.key if info else None)
        identity = "*" if policy.running is Mode.TASK else (key.identity if key is not None else None)
        if identity is None:
            continue
        if x not in holding:
            for other, held in holding.items():
                other_info = infos.get(other)
                other_key = held.key or (other_info.key if other_info else None)
                other_identity = "*" if policy.running is Mode.TASK else (other_key.identity if other_key else None)
                if (held.task or (other_info.task if other_info else None)) == task and other_identity == identity:
                    out.append(Violation(
                        RULE,
                        f"{x} became {ev.status} while {other} was {held.status} with the same key",
                        task,
                        None if identity == "*" else identity,
                        (held.seq, ev.seq),
                    ))  # fmt: skip
        holding[x] = ev
    return out
