"""Rule "no-overlap": no two provider calls of the same key are in flight at once.

For every task whose running policy is not DISABLED, no two provider intervals of the
same key overlap.  An interval is a PROVIDER_START and the first later PROVIDER_END with
the same invocation_id and the same worker (an unmatched start stays open to the end of
the history).  Same key: TASK mode = any two intervals of the task; ARGUMENTS / KEYS =
equal ``key.identity`` on the provider events (falling back to the invocation's ENQUEUE
key; intervals with no known key count as one key).  Overlap is by seq:
``a.start < b.end and b.start < a.end``.  Two intervals of the same invocation
overlapping (one invocation run twice at once) are a violation too.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynenc_suite.history.model import Event, History, Mode, Violation
from pynenc_suite.history.queries import identity_of, invocations, provider_calls
from pynenc_suite.invariants.adjudication import Facts, Judgement, Unknown
from pynenc_suite.invariants.rule import controls_running, rule

RULE = "no-overlap"


@dataclass(frozen=True)
class Interval:
    start: Event
    end: Event | None  # None: never answered (open to the end of the history)
    identity: str | None  # the key's

    def end_seq(self, horizon: int) -> int:
        return self.end.seq if self.end is not None else horizon

    @property
    def seqs(self) -> tuple[int, ...]:
        return (self.start.seq,) + ((self.end.seq,) if self.end is not None else ())


def intervals(history: History, task: str) -> list[Interval]:
    """Provider intervals of ``task``, in start order."""
    infos = invocations(history)
    out = []
    for start, end in provider_calls(history):
        info = infos.get(start.invocation_id or "")
        if (start.task or (info.task if info else None)) != task:
            continue
        key = start.key or (end.key if end else None) or (info.key if info else None)
        out.append(Interval(start, end, identity_of(key)))
    return out


def overlapping(history: History, task: str, by_key: bool) -> list[tuple[Interval, Interval]]:
    """All overlapping pairs (earlier start first), by a sweep over start order."""
    horizon = max((e.seq for e in history.events), default=0) + 1
    active: dict[str | None, list[Interval]] = {}
    pairs: list[tuple[Interval, Interval]] = []
    for iv in intervals(history, task):
        identity = iv.identity if by_key else None
        live = [a for a in active.get(identity, []) if a.end_seq(horizon) > iv.start.seq]
        pairs.extend((a, iv) for a in live)
        active[identity] = live + [iv]
    return pairs


def find_overlaps(history: History, task: str, by_key: bool = True) -> list[tuple[Event, Event]]:
    """Overlapping provider intervals of ``task`` whatever its policy, as pairs of their
    PROVIDER_START events; "same key" = equal key.identity if ``by_key``, else any two."""
    return [(a.start, b.start) for a, b in overlapping(history, task, by_key)]


def adjudicate(facts: Facts, violation: Violation) -> Judgement:
    """Unknown when one of the two runs was recovered from a stalled or stopping runner (at-least-once)."""
    for inv in facts.invocations_of(violation):
        if facts.recovered_from_stall(inv):
            return Unknown.AT_LEAST_ONCE, inv
    return None


@rule(RULE, applies_to=controls_running, adjudicate=adjudicate)
def check(history: History) -> list[Violation]:
    """Flag every overlapping pair of same-key provider intervals of a running-controlled task."""
    out = []
    for task, policy in history.policies.items():
        if not policy.controls_running:
            continue
        for a, b in overlapping(history, task, by_key=policy.running is not Mode.TASK):
            out.append(
                Violation(
                    rule=RULE,
                    message=(
                        f"provider call of {a.start.invocation_id} on {a.start.worker} "
                        f"(#{a.start.seq}) still in flight when {b.start.invocation_id} on "
                        f"{b.start.worker} started (#{b.start.seq})"
                    ),
                    task=task,
                    key=a.identity,
                    events=tuple(sorted(a.seqs + b.seqs)),
                )
            )
    return out
