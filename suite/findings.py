"""Known defects of pynenc itself, as the gate recognises them in a history.

A finding is recorded in FINDINGS.md and reproduced by a strict-xfail test in
``suite/test_findings.py``.  While it reproduces, random examples whose history
shows the finding's exact signature are discarded by the gate (``assume``), so
the gate stays green without weakening any invariant; every other example is
checked in full.  When pynenc fixes the defect, the strict xfail turns into a
failure and the finding (and its filter) must be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from invariants.history import History, Kind


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    matches: Callable[[History], bool]


def _poll_raised(fragment: str) -> Callable[[History], bool]:
    def matches(history: History) -> bool:
        return any(e.kind is Kind.ERROR and fragment in e.detail for e in history)

    return matches


def _admitted_together(history: History) -> bool:
    """Two invocations of one key admitted (PENDING, or RUNNING) inside one interleaved group.

    Run one after the other, pynenc blocks the second; only the check-then-set race admits both.
    """
    group: dict[tuple[str, str], dict[str, set[str]]] = {}
    inside = False
    for e in history:
        if e.kind is Kind.TOGETHER:
            inside, group = e.detail == "begin", {}
        elif inside and e.kind is Kind.STATUS and e.status in ("pending", "running") and e.key is not None:
            policy = history.policy(e.task)
            if not policy.controls_running:
                continue
            key = "*" if policy.running.value == "task" else e.key.group
            holders = group.setdefault((e.task or "", key), {}).setdefault(e.status, set())
            holders.add(e.invocation_id or "")
            if len(holders) > 1:
                return True
    return False


def _registered_twice_together(history: History) -> bool:
    """Two new invocations of one registration key created inside one interleaved group."""
    created: dict[tuple[str, str], int] = {}
    inside = False
    for e in history:
        if e.kind is Kind.TOGETHER:
            inside, created = e.detail == "begin", {}
        elif inside and e.kind is Kind.ENQUEUE and e.reg_key is not None:
            k = (e.task or "", e.reg_key.group if history.policy(e.task).registration.value != "task" else "*")
            created[k] = created.get(k, 0) + 1
            if created[k] > 1:
                return True
    return False


def _lost_after_crash_in_group(history: History) -> bool:
    """A runner died inside an interleaved group and an invocation ended taken-off-the-queue-but-not-requeued.

    Between ``retrieve_invocation`` and the status that follows (PENDING, or CONCURRENCY_CONTROLLED
    then REROUTED and back in the queue) an invocation is in no queue; a runner that dies there
    leaves it REGISTERED, REROUTED or CONCURRENCY_CONTROLLED, statuses no recovery looks at.
    """
    crashed = any(e.kind is Kind.CRASH and "interleaved" in e.detail for e in history)
    if not crashed:
        return False
    last: dict[str, str] = {}
    for e in history:
        if e.kind is Kind.STATUS and e.invocation_id:
            last[e.invocation_id] = e.status or ""
    return any(status in ("registered", "rerouted", "concurrency_controlled") for status in last.values())


def _admitted_past_batch_holder(history: History) -> bool:
    """An invocation admitted (PENDING / RUNNING) while a same-key one created by parallelize's batch path held the key.

    The batch path (``route_calls``) never indexes arguments, so a KEYS / ARGUMENTS check cannot see
    such a holder.  Only the holder's origin matters: a batch invocation checked against an indexed
    holder is blocked correctly, so that case is not this finding.
    """
    batch: set[str] = set()
    holding: dict[str, tuple[str, str]] = {}  # invocation -> (task, key group) while pending / running
    for e in history:
        if e.kind is Kind.ENQUEUE and e.via == "parallelize-batch" and e.invocation_id:
            batch.add(e.invocation_id)
        if e.kind is not Kind.STATUS or not e.invocation_id:
            continue
        policy = history.policy(e.task)
        if policy.running.value not in ("keys", "arguments") or e.key is None:
            holding.pop(e.invocation_id, None)
            continue
        if e.status in ("pending", "running"):
            slot = (e.task or "", e.key.group)
            if any(other != e.invocation_id and other in batch and held == slot for other, held in holding.items()):
                return True
            holding[e.invocation_id] = slot
        else:
            holding.pop(e.invocation_id, None)
    return False


KNOWN: tuple[Finding, ...] = (
    Finding(
        id="PYN-001",
        title="reroute=False: a REROUTED invocation that meets a same-key holder makes the runner's poll raise "
        "(REROUTED -> CONCURRENCY_CONTROLLED_FINAL is not in pynenc's graph) and is lost",
        matches=_poll_raised("from_status:rerouted, to_status:concurrency_controlled_final"),
    ),
    Finding(
        id="PYN-005",
        title="check-then-set race: two runners polling / starting at once both admit same-key invocations",
        matches=_admitted_together,
    ),
    Finding(
        id="PYN-006",
        title="registration check-then-register race: two producers enqueueing at once both create new invocations",
        matches=_registered_twice_together,
    ),
    Finding(
        id="PYN-007",
        title="a runner killed between taking an invocation off the queue and marking it PENDING "
        "(or rerouting it back after CONCURRENCY_CONTROLLED) loses it",
        matches=_lost_after_crash_in_group,
    ),
    Finding(
        id="PYN-008",
        title="parallelize's batch path (registration DISABLED, several calls) skips argument indexing: "
        "running KEYS/ARGUMENTS control cannot see its invocations",
        matches=_admitted_past_batch_holder,
    ),
    Finding(
        id="PYN-009",
        title="a RETRY invocation polled while its key is held makes the runner's poll raise "
        "(RETRY -> CONCURRENCY_CONTROLLED is not in pynenc's graph) and is lost",
        matches=_poll_raised("from_status:retry, to_status:concurrency_controlled"),
    ),
)


def known_finding_in(history: History) -> Finding | None:
    return next((f for f in KNOWN if f.matches(history)), None)


# Key serialization findings (FINDINGS.md PYN-002..004): equality classes whose key rule fails on the
# installed pynenc, in one process or across processes.  Their key-consistency tests are strict xfails.
KEY_SPLIT_IN_PROCESS: dict[str, str] = {
    name: "PYN-002"
    for name in (
        "int-float",
        "int-bool",
        "negative-zero",
        "int-decimal",
        "decimal-exponent",
        "tuple-namedtuple",
        "strenum-value",
        "intenum-value",
        "dict-order",
        "set-order",
        "frozenset-order",
        "datetime-timezone",
        "nested-containers",
    )
} | {"plain-objects": "PYN-004", "unreadable-state": "PYN-004"}
KEY_SPLIT_ACROSS_PROCESSES: dict[str, str] = {"set-order": "PYN-003", "frozenset-order": "PYN-003"}
