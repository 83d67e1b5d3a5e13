"""Rule "reroute-preserves-work": with reroute=True (or no running control) no work is lost
and every invocation does its work exactly once.

For every invocation created by an ENQUEUE event whose task has reroute=True, or has
running DISABLED:
- its last STATUS in the history is ``success`` (never ``concurrency_controlled_final``);
- it has exactly one PROVIDER_END with outcome "ok";
- every other provider call ended with outcome "aborted" (its caller was killed);
- every PROVIDER_START is matched by a later PROVIDER_END of the same invocation and
  worker (an unfinished call is a violation).
Invocations of tasks with running control and reroute=False are skipped (they may be
dropped; "drop-semantics" covers them).  A non-final ending of an included invocation is
reported here *and* by "liveness", since here it is lost work.
"""

from __future__ import annotations

from invariants.history import Event, History, Violation
from invariants.state import StatusTimeline, group_of, invocations, provider_calls

RULE = "reroute-preserves-work"


def check(history: History) -> list[Violation]:
    """Flag lost, dropped, repeated or unfinished work of rerouting / uncontrolled tasks."""
    timeline = StatusTimeline(history)
    calls: dict[str, list[tuple[Event, Event | None]]] = {}
    for start, end in provider_calls(history):
        calls.setdefault(start.invocation_id or "", []).append((start, end))

    out = []
    for inv, info in invocations(history).items():
        if info.enqueue is None:
            continue
        policy = history.policy(info.task)
        if policy.controls_running and not policy.reroute:
            continue
        found: list[tuple[str, list[int]]] = []
        last = timeline.last(inv)
        if last is None or last.status != "success":
            status = last.status if last else None
            found.append(
                (
                    f"ends in {status!r}, not 'success'",
                    [info.enqueue.seq] + ([last.seq] if last else []),
                )
            )
        mine = calls.get(inv, [])
        ok = [end for _, end in mine if end is not None and end.outcome == "ok"]
        if len(ok) != 1:
            found.append(
                (
                    f"has {len(ok)} provider calls ending 'ok', expected exactly 1",
                    [info.enqueue.seq] + [e.seq for e in ok],
                )
            )
        for start, end in mine:
            if end is None:
                found.append((f"provider call started on {start.worker} never ended", [start.seq]))
            elif end.outcome not in ("ok", "aborted"):
                found.append((f"provider call ended with {end.outcome!r}", [start.seq, end.seq]))
        out.extend(
            Violation(
                RULE, f"{inv} {message}", info.task, group_of(info.key), tuple(sorted(set(seqs)))
            )
            for message, seqs in found
        )
    return out
