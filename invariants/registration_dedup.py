"""Rule "registration-dedup": a call is collapsed exactly when a same-key invocation is queued.

For tasks with registration != DISABLED:
(a) every REUSED event points (``invocation_id``) at an invocation of the same task whose
    reg_key.identity equals the event's reg_key.identity (TASK mode: any), and that invocation
    is ``registered`` just before the REUSED event;
(b) for every ENQUEUE creating invocation X: just before X's first STATUS event (its
    ``registered``; the ENQUEUE itself comes later, when the call returns), no OTHER
    invocation of the same task with the same reg key identity is ``registered``.
For tasks with registration DISABLED, any REUSED event is a violation.
"""

from __future__ import annotations

from collections.abc import Callable

from pynenc_suite.history.model import Event, History, Kind, Mode, Violation
from pynenc_suite.history.queries import (
    InvocationInfo,
    StatusTimeline,
    identity_of,
    invocations,
    same_key,
)
from pynenc_suite.invariants.adjudication import Facts, Judgement, Unknown
from pynenc_suite.invariants.rule import controls_registration, rule

RULE = "registration-dedup"

Flag = Callable[[str | None, str | None, str, list[int]], None]


def adjudicate(facts: Facts, violation: Violation) -> Judgement:
    """Unknown when a status of a same-key invocation changed within the margin of the enqueue (cross-process order)."""
    events = facts.events_of(violation)
    invs = {e.invocation_id for e in events if e.invocation_id}
    for event in events:
        for inv, info in facts.infos.items():
            if (
                info.task == event.task
                and info.reg_key is not None
                and event.reg_key is not None
                and info.reg_key.identity == event.reg_key.identity
            ):
                invs.add(inv)
    if facts.status_change_near(invs, events):
        return Unknown.CROSS_PROCESS_ORDER, ""
    return None


@rule(RULE, applies_to=controls_registration, adjudicate=adjudicate)
def check(history: History) -> list[Violation]:
    """Flag reuses of non-queued / foreign invocations, and missed reuses."""
    infos = invocations(history)
    timeline = StatusTimeline(history)
    out: list[Violation] = []

    def flag(task: str | None, key: str | None, message: str, seqs: list[int]) -> None:
        out.append(Violation(RULE, message, task, key, tuple(sorted(set(seqs)))))

    for ev in history.of_kind(Kind.REUSED):
        _check_reuse(ev, history, infos, timeline, flag)

    by_key: dict[tuple[str | None, str | None], list[InvocationInfo]] = {}
    for info in infos.values():
        by_key.setdefault((info.task, None), []).append(info)
        if info.reg_key is not None:
            by_key.setdefault((info.task, info.reg_key.identity), []).append(info)
    for x in infos.values():
        policy = history.policy(x.task)
        if x.enqueue is None or not policy.controls_registration:
            continue
        first = timeline.first(x.invocation_id)
        at = first.seq if first is not None else x.enqueue.seq
        identity = None if policy.registration is Mode.TASK else identity_of(x.reg_key)
        if identity is None and policy.registration is not Mode.TASK:
            continue  # unknown key: nothing to compare with
        for other in by_key.get((x.task, identity), []):
            if other is x:
                continue
            held = timeline.event_before(other.invocation_id, at)
            if held is not None and held.status == "registered":
                flag(
                    x.task,
                    identity_of(x.reg_key),
                    f"{x.invocation_id} was created while same-key {other.invocation_id} "
                    f"was still registered (should have been reused)",
                    [held.seq, at, x.enqueue.seq],
                )
    return out


def _check_reuse(
    ev: Event,
    history: History,
    infos: dict[str, InvocationInfo],
    timeline: StatusTimeline,
    flag: Flag,
) -> None:
    target = infos.get(ev.invocation_id or "")
    task = ev.task or (target.task if target else None)
    policy = history.policy(task)
    key = identity_of(ev.reg_key)
    if not policy.controls_registration:
        flag(
            task,
            key,
            f"call reused {ev.invocation_id} but the task has no registration concurrency",
            [ev.seq],
        )
        return
    if target is None or target.task != task:
        flag(
            task,
            key,
            f"call reused {ev.invocation_id} of task {target.task if target else None!r}, not {task!r}",
            [ev.seq],
        )
        return
    if not same_key(policy.registration, ev.reg_key, target.reg_key):
        flag(
            task,
            key,
            f"call with reg key {key!r} reused {ev.invocation_id} whose reg key is {identity_of(target.reg_key)!r}",
            [ev.seq] + ([target.enqueue.seq] if target.enqueue else []),
        )
    before = timeline.event_before(target.invocation_id, ev.seq)
    if before is None or before.status != "registered":
        status = before.status if before else None
        flag(
            task,
            key,
            f"call reused {ev.invocation_id} while it was {status!r}, not 'registered'",
            [ev.seq] + ([before.seq] if before else []),
        )
