"""Rule "drop-semantics": blocking only when the key is really held; dropped work never runs.

(a) A STATUS ``concurrency_controlled`` is legal only for a task with reroute=True, and
    ``concurrency_controlled_final`` only for a task with reroute=False.
(b) No false blocking: when invocation X gets either status, some OTHER invocation of the
    same task with the same running key (TASK mode: any) is ``pending`` or ``running``
    just before X's blocking event.  A task whose running policy is DISABLED has no key
    to hold, so blocking it is always false.
(c) An invocation that ever had ``concurrency_controlled_final`` has no PROVIDER_START
    anywhere in the history, and every RESULT event for it has an outcome "raised...".
"""

from __future__ import annotations

from enum import StrEnum

from pynenc_suite.history.model import Event, History, Kind, Mode, Violation
from pynenc_suite.history.queries import StatusTimeline, identity_of, invocations
from pynenc_suite.history.status_graph import HOLDS_KEY
from pynenc_suite.invariants.adjudication import Facts, Judgement, Unknown
from pynenc_suite.invariants.rule import controls_running, rule

RULE = "drop-semantics"
CC, CCF = "concurrency_controlled", "concurrency_controlled_final"


class Code(StrEnum):
    WRONG_BLOCKED_STATUS = "wrong-blocked-status"  # (a) the blocked status disagrees with the task's reroute
    NOT_CONTROLLED = "not-controlled"  # (b) a task without running control was blocked
    FALSE_BLOCK = "false-block"  # (b) blocked while no same-key invocation held the key
    DROPPED_BUT_RAN = "dropped-but-ran"  # (c) a dropped invocation called the provider
    DROPPED_RESULT = "dropped-result"  # (c) a dropped invocation's result did not raise


def adjudicate(facts: Facts, violation: Violation) -> Judgement:
    """A false block is unknown when a same-key invocation held the key within the margin (cross-process order)."""
    if violation.code != Code.FALSE_BLOCK:
        return None
    event = facts.by_seq.get(violation.events[0]) if violation.events else None
    if event is not None and event.invocation_id and facts.held_near(event.invocation_id, event.task, event.time):
        return Unknown.CROSS_PROCESS_ORDER, event.invocation_id
    return None


@rule(RULE, applies_to=controls_running, adjudicate=adjudicate)
def check(history: History) -> list[Violation]:
    """Check (a) reroute/status agreement, (b) no false blocking, (c) FINAL never runs."""
    infos = invocations(history)
    timeline = StatusTimeline(history)
    by_key: dict[tuple[str | None, str | None], list[str]] = {}
    for inv, info in infos.items():
        by_key.setdefault((info.task, None), []).append(inv)
        if info.key is not None:
            by_key.setdefault((info.task, info.key.identity), []).append(inv)
    out: list[Violation] = []
    dropped: dict[str, Event] = {}

    def flag(ev: Event, code: Code, message: str, seqs: tuple[int, ...]) -> None:
        info = infos.get(ev.invocation_id or "")
        task = ev.task or (info.task if info else None)
        key = identity_of(ev.key or (info.key if info else None))
        out.append(Violation(RULE, message, task, key, tuple(sorted(set(seqs))), code))

    for ev in history.of_kind(Kind.STATUS):
        if ev.status not in (CC, CCF) or ev.invocation_id is None:
            continue
        x = ev.invocation_id
        info = infos[x]
        task = ev.task or info.task
        policy = history.policy(task)
        if ev.status == CCF:
            dropped.setdefault(x, ev)
        # (a)
        if ev.status == CC and not policy.reroute:
            flag(ev, Code.WRONG_BLOCKED_STATUS, f"{x} got {CC} but the task has reroute=False", (ev.seq,))
        if ev.status == CCF and policy.reroute:
            flag(ev, Code.WRONG_BLOCKED_STATUS, f"{x} got {CCF} but the task has reroute=True", (ev.seq,))
        # (b)
        if not policy.controls_running:
            flag(ev, Code.NOT_CONTROLLED, f"{x} got {ev.status} but the task has no running concurrency", (ev.seq,))
            continue
        x_key = ev.key or info.key
        if policy.running is Mode.TASK:
            pool = by_key.get((task, None), [])
        else:  # an unknown key matches nothing
            pool = by_key.get((task, x_key.identity), []) if x_key is not None else []
        holders = [o for o in pool if o != x and timeline.status_of(o, ev.seq) in HOLDS_KEY]
        if not holders:
            flag(
                ev,
                Code.FALSE_BLOCK,
                f"{x} got {ev.status} while no other same-key invocation was pending/running",
                (ev.seq,),
            )
    # (c)
    for ev in history.of_kind(Kind.PROVIDER_START, Kind.RESULT):
        x = ev.invocation_id or ""
        if x in dropped:
            blocked = dropped[x]
            if ev.kind is Kind.PROVIDER_START:
                flag(
                    ev, Code.DROPPED_BUT_RAN, f"{x} was dropped ({CCF}) but called the provider", (blocked.seq, ev.seq)
                )
            elif not (ev.outcome or "").startswith("raised"):
                flag(
                    ev,
                    Code.DROPPED_RESULT,
                    f"{x} was dropped ({CCF}) but its result was {ev.outcome!r}, not raised",
                    (blocked.seq, ev.seq),
                )
    return out
