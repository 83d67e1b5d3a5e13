"""How the gate recognises a recorded finding in a deterministic history.

While a finding reproduces, a random gate example whose history shows the
finding's exact signature is discarded (``assume``): the gate stays green without
weakening any invariant, and every other example is checked in full.  Each
signature is narrow; ``tests/test_findings_signatures.py`` shows each one matching
its defect and nothing wider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pynenc_suite.history.model import Event, History, Kind, Mode
from pynenc_suite.history.status_graph import BLOCKED, HOLDS_KEY, QUEUED, RECOVERY, is_allowed

GateSignature = Callable[[History], bool]


def poll_refused(before: str, *after: str) -> GateSignature:
    """A runner's poll raised pynenc's refusal of ``before -> after`` (an error the runner loop does not survive)."""

    def matches(history: History) -> bool:
        return any(e.kind is Kind.ERROR and e.error is not None and e.error.refused(before, *after) for e in history)

    return matches


def _groups(history: History) -> Iterator[list[Event]]:
    """The events of each interleaved group, in order."""
    inside: list[Event] | None = None
    for e in history:
        if e.kind is Kind.GROUP_BEGIN:
            inside = []
        elif e.kind is Kind.GROUP_END and inside is not None:
            yield inside
            inside = None
        elif inside is not None:
            inside.append(e)


def _last_status_events(history: History) -> dict[str, Event]:
    """Each invocation's last status event."""
    return {e.invocation_id: e for e in history.of_kind(Kind.STATUS) if e.invocation_id}


def _last_statuses(history: History) -> dict[str, str]:
    """Each invocation's last recorded status."""
    return {invocation: e.status or "" for invocation, e in _last_status_events(history).items()}


def admitted_together(history: History) -> bool:
    """Two invocations of one key admitted (PENDING, or RUNNING) inside one interleaved group.

    Run one after the other, pynenc blocks the second; only the check-then-set race admits both.
    """
    for group in _groups(history):
        holders: dict[tuple[str, str, str], set[str]] = {}
        for e in group:
            if e.kind is not Kind.STATUS or e.status not in HOLDS_KEY or e.key is None:
                continue
            policy = history.policy(e.task)
            if not policy.controls_running:
                continue
            key = "*" if policy.running is Mode.TASK else e.key.identity
            same = holders.setdefault((e.task or "", key, e.status or ""), set())
            same.add(e.invocation_id or "")
            if len(same) > 1:
                return True
    return False


def blocked_by_a_holder_that_let_go(history: History) -> bool:
    """An invocation blocked inside an interleaved group after every same-key holder had let go of the key,
    one of them inside that same group.

    pynenc reads the key's holders, then writes the block: a holder whose stop or recovery released the
    key in between still blocks the invocation.  Run one after the other, the holder is gone before
    the poll reads, and nothing is blocked.
    """
    statuses: dict[str, str] = {}
    key_of: dict[str, tuple[str, str]] = {}
    released: set[tuple[str, str]] | None = None  # keys a holder let go of inside the current group
    for e in history:
        if e.kind is Kind.GROUP_BEGIN:
            released = set()
        elif e.kind is Kind.GROUP_END:
            released = None
        if e.kind is not Kind.STATUS or not e.invocation_id or e.key is None:
            continue
        policy = history.policy(e.task)
        key = (e.task or "", "*" if policy.running is Mode.TASK else e.key.identity)
        key_of[e.invocation_id] = key
        if released is not None and e.status in BLOCKED and key in released:
            held = any(s in HOLDS_KEY and key_of[i] == key for i, s in statuses.items() if i != e.invocation_id)
            if not held:
                return True
        if released is not None and statuses.get(e.invocation_id) in HOLDS_KEY and e.status not in HOLDS_KEY:
            released.add(key)
        statuses[e.invocation_id] = e.status or ""
    return False


def registered_twice_together(history: History) -> bool:
    """Two new invocations of one registration key created inside one interleaved group."""
    for group in _groups(history):
        created: dict[tuple[str, str], int] = {}
        for e in group:
            if e.kind is Kind.ENQUEUE and e.reg_key is not None:
                key = "*" if history.policy(e.task).registration is Mode.TASK else e.reg_key.identity
                created[(e.task or "", key)] = created.get((e.task or "", key), 0) + 1
                if created[(e.task or "", key)] > 1:
                    return True
    return False


def lost_after_crash_in_group(history: History) -> bool:
    """A runner died inside an interleaved group and an invocation ended taken-off-the-queue-but-not-requeued.

    Between ``retrieve_invocation`` and the status that follows (PENDING, or CONCURRENCY_CONTROLLED
    then REROUTED and back in the queue) an invocation is in no queue; a runner that dies there
    leaves it REGISTERED, REROUTED or CONCURRENCY_CONTROLLED, statuses no recovery looks at.  A RETRY
    invocation waits in the queue the same way, and is lost the same way; it matches only when its
    RETRY was written before the crash (one written after it came from a live runner, not this window).
    """
    last_crash = max((e.seq for group in _groups(history) for e in group if e.kind is Kind.CRASH), default=None)
    if last_crash is None:
        return False
    return any(
        e.status in QUEUED or (e.status == "retry" and e.seq < last_crash)
        for e in _last_status_events(history).values()
    )


def left_marked_by_a_dying_sweep(history: History) -> bool:
    """A runner died inside an interleaved group in which it ran a recovery sweep, and an invocation ended in
    PENDING_RECOVERY or RUNNING_RECOVERY.

    pynenc's sweep marks every invocation it recovers, then reroutes them all; a sweeper that dies in between
    leaves them marked, a status no recovery looks at.
    """
    died_sweeping = any(
        e.kind is Kind.CRASH and e.worker in {s.worker for s in group if s.kind is Kind.RECOVER}
        for group in _groups(history)
        for e in group
    )
    if not died_sweeping:
        return False
    return any(status in RECOVERY for status in _last_statuses(history).values())


def admitted_past_batch_holder(history: History) -> bool:
    """An invocation admitted (PENDING / RUNNING) while a same-key one created by parallelize's batch path held the key.

    The batch path (``route_calls``) never indexes arguments, so a KEYS / ARGUMENTS check cannot see
    such a holder.  Only the holder's origin matters: a batch invocation checked against an indexed
    holder is blocked correctly, so that case is not this finding.
    """
    batch: set[str] = set()
    holding: dict[str, tuple[str, str]] = {}  # invocation -> (task, key identity) while pending / running
    for e in history:
        if e.kind is Kind.ENQUEUE and e.via == "parallelize-batch" and e.invocation_id:
            batch.add(e.invocation_id)
        if e.kind is not Kind.STATUS or not e.invocation_id:
            continue
        policy = history.policy(e.task)
        if policy.running not in (Mode.KEYS, Mode.ARGUMENTS) or e.key is None:
            holding.pop(e.invocation_id, None)
            continue
        if e.status in HOLDS_KEY:
            slot = (e.task or "", e.key.identity)
            if any(other != e.invocation_id and other in batch and held == slot for other, held in holding.items()):
                return True
            holding[e.invocation_id] = slot
        else:
            holding.pop(e.invocation_id, None)
    return False


def transition_written_over_another(history: History) -> bool:
    """Inside an interleaved group, one worker wrote an invocation's status over the status another worker had
    just written, by a transition pynenc's graph does not allow (``running -> pending_recovery``).

    pynenc-redis reads a status, validates the transition, then writes it; a write landing in between is
    overwritten instead of refusing the second transition.
    """
    for group in _groups(history):
        last: dict[str, Event] = {}
        for e in group:
            if e.kind is not Kind.STATUS or not e.invocation_id:
                continue
            before = last.get(e.invocation_id)
            if before is not None and before.worker != e.worker and not is_allowed(before.status, e.status or ""):
                return True
            last[e.invocation_id] = e
    return False


def recovered_from_a_live_runner(history: History) -> bool:
    """Inside an interleaved group, a recovery sweep marked RUNNING_RECOVERY an invocation whose last RUNNING was
    written by another runner that had not died or stopped: the sweep acted on a list of a dead runner's
    invocations that a second sweep had already recovered and a live runner had started again.
    """
    gone = {e.worker for e in history if e.kind in (Kind.CRASH, Kind.STOP) and e.worker}
    for group in _groups(history):
        running_by: dict[str, str] = {}
        for e in group:
            if e.kind is not Kind.STATUS or not e.invocation_id:
                continue
            if e.status == "running" and e.worker:
                running_by[e.invocation_id] = e.worker
            elif e.status == "running_recovery":
                owner = running_by.get(e.invocation_id)
                if owner is not None and owner != e.worker and owner not in gone:
                    return True
    return False
