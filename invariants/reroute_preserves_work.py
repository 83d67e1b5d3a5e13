"""Rule "reroute-preserves-work": with reroute=True (or no running control) no work is lost
and every invocation does its work exactly once.

For every invocation created by an ENQUEUE event whose task has reroute=True, or has
running DISABLED:
- its last STATUS in the history is ``success`` (never ``concurrency_controlled_final``),
  or ``failed`` after the provider failed every attempt the task allows (below);
- every PROVIDER_START is matched by a later PROVIDER_END of the same invocation and
  worker (an unfinished call is a violation), ending "ok", "failed" (the provider answered
  an error) or "aborted" (its caller was killed);
- one provider call per attempt.  An attempt ends with the invocation's call answered
  "ok" or "failed"; aborted calls are re-executions after a crash or stop and do not
  count.  The task's policy says how many times pynenc retries a failed attempt
  (``TaskPolicy.retries``: ``max_retries`` when the body's failure is retriable, else 0):
  - ending ``success``: exactly one "ok" call and at most ``retries`` "failed" ones;
  - ending ``failed``: no "ok" call, the last answered call "failed", and exactly
    ``retries + 1`` "failed" calls (pynenc gave up neither early nor late).
  A "failed" call is counted only once pynenc recorded it (a RETRY or FAILED status of the
  invocation follows before its next provider call); one whose worker crashed or stopped
  before that is excused like an aborted call, any other unrecorded one is a violation.
Invocations of tasks with running control and reroute=False are skipped (they may be
dropped; "drop-semantics" covers them).  A non-final ending of an included invocation is
reported here *and* by "liveness", since here it is lost work.
"""

from __future__ import annotations

from enum import StrEnum

from pynenc_suite.history.model import Event, History, Kind, Violation
from pynenc_suite.history.queries import StatusTimeline, identity_of, invocations, provider_calls
from pynenc_suite.invariants.adjudication import Facts, Judgement, Unknown, unfinished
from pynenc_suite.invariants.rule import reroutes, rule

RULE = "reroute-preserves-work"
ANSWERED = ("ok", "failed")


class Code(StrEnum):
    FAILED_WRONGLY = "failed-wrongly"  # ends failed without its last answered call failing
    GAVE_UP_EARLY_OR_LATE = "gave-up-early-or-late"  # ends failed after more or fewer attempts than allowed
    NOT_SUCCESS = "not-success"  # ends in another status than success: work lost
    NO_SUCCESSFUL_CALL = "no-successful-call"  # no provider call ended ok
    REPEATED_WORK = "repeated-work"  # more than one provider call ended ok: work done twice
    TOO_MANY_FAILURES = "too-many-failures"  # more failed attempts than the task retries
    UNRECORDED_FAILURE = "unrecorded-failure"  # a failed call pynenc recorded as neither retry nor failed
    UNFINISHED_CALL = "unfinished-call"  # a provider call that never ended
    ODD_OUTCOME = "odd-outcome"  # a provider call that ended neither ok, failed nor aborted


def adjudicate(facts: Facts, violation: Violation) -> Judgement:
    """Work done twice (or a failure pynenc never recorded) is unknown when the invocation was recovered from a
    stalled or stopping runner, or re-run after its runner crashed or was stopped past its call (at-least-once);
    otherwise decided, settled run or not.  A failure without the provider's failed answers is unknown when the
    invocation ran on a runner while it was cut off (its body could not reach the provider).  Unfinished work
    is unknown in a run that ran out of time."""
    if violation.code in (Code.FAILED_WRONGLY, Code.GAVE_UP_EARLY_OR_LATE):
        cut_off = next((inv for inv in facts.invocations_of(violation) if facts.cut_off_while_running(inv)), None)
        return (Unknown.PROVIDER_UNREACHABLE, cut_off) if cut_off else unfinished(facts, violation)
    if violation.code not in (Code.REPEATED_WORK, Code.UNRECORDED_FAILURE):
        return unfinished(facts, violation)
    repeated = violation.code == Code.REPEATED_WORK
    for inv in facts.invocations_of(violation):
        if facts.recovered_from_stall(inv):
            return Unknown.AT_LEAST_ONCE, inv
        if repeated and facts.rerun_after_its_runner_died(inv):
            return Unknown.RERUN_AFTER_CRASH, inv
        if repeated and facts.killed_after_its_call(inv):
            return Unknown.RERUN_AFTER_STOP, inv
    return None


def _failed_calls(
    history: History, inv: str, calls: list[tuple[Event, Event | None]]
) -> tuple[list[Event], list[Event]]:
    """The invocation's "failed" answers: (recorded by pynenc, neither recorded nor excused by a crash/stop)."""
    recorded: list[Event] = []
    unrecorded: list[Event] = []
    starts = [start.seq for start, _ in calls]
    for _, end in calls:
        if end is None or end.outcome != "failed":
            continue
        horizon = min((s for s in starts if s > end.seq), default=None)
        after = [e for e in history.events if e.seq > end.seq and (horizon is None or e.seq < horizon)]
        if any(e.kind is Kind.STATUS and e.invocation_id == inv and e.status in ("retry", "failed") for e in after):
            recorded.append(end)
        elif not any(e.kind in (Kind.CRASH, Kind.STOP) and e.worker == end.worker for e in after):
            unrecorded.append(end)
    return recorded, unrecorded


@rule(RULE, applies_to=reroutes, adjudicate=adjudicate)
def check(history: History) -> list[Violation]:
    """Flag lost, dropped, repeated or unfinished work of rerouting / uncontrolled tasks."""
    timeline = StatusTimeline(history)
    calls: dict[str, list[tuple[Event, Event | None]]] = {}
    for start, end in provider_calls(history):
        calls.setdefault(start.invocation_id or "", []).append((start, end))

    out: list[Violation] = []
    for inv, info in invocations(history).items():
        if info.enqueue is None:
            continue
        policy = history.policy(info.task)
        if policy.controls_running and not policy.reroute:
            continue
        found: list[tuple[Code, str, list[int]]] = []
        mine = calls.get(inv, [])
        ok = [end for _, end in mine if end is not None and end.outcome == "ok"]
        failed, unrecorded = _failed_calls(history, inv, mine)
        answered = [end for _, end in mine if end is not None and end.outcome in ANSWERED]
        last = timeline.last(inv)
        status = last.status if last else None
        enq = [info.enqueue.seq]
        if last is not None and status == "failed":
            if ok or not answered or answered[-1].outcome != "failed":
                found.append(
                    (
                        Code.FAILED_WRONGLY,
                        "ends 'failed' but its last answered provider call was not 'failed'",
                        enq + [last.seq],
                    )
                )
            elif len(failed) != policy.retries + 1:
                found.append(
                    (
                        Code.GAVE_UP_EARLY_OR_LATE,
                        f"ends 'failed' after {len(failed)} failed attempt(s); the task allows "
                        f"{policy.retries} retr{'y' if policy.retries == 1 else 'ies'}, so {policy.retries + 1} attempts",
                        enq + [e.seq for e in failed] + [last.seq],
                    )
                )
        else:
            if status != "success":
                found.append(
                    (Code.NOT_SUCCESS, f"ends in {status!r}, not 'success'", enq + ([last.seq] if last else []))
                )
            if len(ok) != 1:
                code = Code.NO_SUCCESSFUL_CALL if not ok else Code.REPEATED_WORK
                found.append(
                    (code, f"has {len(ok)} provider calls ending 'ok', expected exactly 1", enq + [e.seq for e in ok])
                )
            if len(failed) > policy.retries:
                found.append(
                    (
                        Code.TOO_MANY_FAILURES,
                        f"has {len(failed)} failed attempts, more than the task's {policy.retries} retries",
                        enq + [e.seq for e in failed],
                    )
                )
        for end in unrecorded:
            found.append(
                (
                    Code.UNRECORDED_FAILURE,
                    f"provider call failed on {end.worker} but pynenc recorded neither 'retry' nor 'failed'",
                    [end.seq],
                )
            )
        for start, end in mine:
            if end is None:
                found.append(
                    (Code.UNFINISHED_CALL, f"provider call started on {start.worker} never ended", [start.seq])
                )
            elif end.outcome not in ("ok", "failed", "aborted"):
                found.append((Code.ODD_OUTCOME, f"provider call ended with {end.outcome!r}", [start.seq, end.seq]))
        out.extend(
            Violation(RULE, f"{inv} {message}", info.task, identity_of(info.key), tuple(sorted(set(seqs))), code)
            for code, message, seqs in found
        )
    return out
