"""The real-time adjudication: a violation the record decides fails; one it cannot decide is unknown.

Each rule gets a hand-made timed history where the checker's violation is real
(decided) and a near-identical one where timing or a fault makes it undecidable
(unknown), so neither branch can be dead code.  The known-finding signatures of
the real-time tier get the same treatment.
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.findings.registry import realtime_finding
from pynenc_suite.history.model import History, Mode, TaskPolicy, build
from pynenc_suite.invariants import adjudicate, check_all
from pynenc_suite.invariants.adjudication import Unknown

KEYED = TaskPolicy("call_keyed", running=Mode.KEYS, key_arguments=("account_id",), reroute=True)
DROP = TaskPolicy("call_keyed_drop", running=Mode.KEYS, key_arguments=("account_id",), reroute=False)


def REFUSED(before: str, after: str) -> dict[str, str]:  # noqa: N802 - reads as a constant in the histories
    """A logged refusal of pynenc's status change ``before -> after``, as the real-time driver parses it."""
    return {"site": "runner", "type": "InvocationStatusTransitionError", "from_status": before, "to_status": after}


REFRESH = TaskPolicy("refresh_once", running=Mode.KEYS, registration=Mode.KEYS, key_arguments=("account_id",))
POLICIES = (KEYED, DROP, REFRESH)


def ev(t: float, kind: str, inv: str | None = None, task: str = "call_keyed", **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"time": t, "kind": kind, **fields}
    if inv is not None:
        out.update(invocation_id=inv, task=task, key=fields.get("key", "a"))
    return out


def status(t: float, inv: str, st: str, worker: str = "r0", task: str = "call_keyed") -> dict[str, Any]:
    return ev(t, "status", inv, task, status=st, worker=worker)


def run_of(
    inv: str, t: float, worker: str = "r0", task: str = "call_keyed", hold: float = 0.5, end: str = "success"
) -> list[dict[str, Any]]:
    """A whole uneventful run: registered, enqueue, pending, running, one call, final status."""
    return [
        status(t, inv, "registered", "producer", task),
        ev(t + 0.01, "enqueue", inv, task, worker="p0", reg_key="a"),
        status(t + 0.02, inv, "pending", worker, task),
        status(t + 0.03, inv, "running", worker, task),
        ev(t + 0.04, "provider_start", inv, task, worker=worker),
        ev(t + 0.04 + hold, "provider_end", inv, task, worker=worker, outcome="ok"),
        status(t + 0.05 + hold, inv, end, worker, task),
    ]


def history(*parts: list[dict[str, Any]] | dict[str, Any], settled: bool = True) -> History:
    events: list[dict[str, Any]] = []
    for part in parts:
        events.extend(part if isinstance(part, list) else [part])
    events.append(ev(99.0, "drain"))
    if not settled:
        events.append(ev(99.5, "deadline"))
    events.sort(key=lambda e: e["time"])
    return build(events, POLICIES)


def verdicts(h: History, rule: str) -> list[str]:
    """'decided', or why the record cannot decide it, for each violation of ``rule``."""
    out = adjudicate(h, [v for v in check_all(h) if v.rule == rule])
    return ["decided" if v.decided else v.unknown for v in out]


def reasons(h: History, rule: str) -> list[str]:
    return [v.reason for v in adjudicate(h, [v for v in check_all(h) if v.rule == rule])]


def known_finding(h: History, violation: Any) -> str | None:
    found = realtime_finding(h, violation)
    return found.id if found else None


# -- no-overlap --------------------------------------------------------------
def test_overlap_of_two_invocations_is_decided() -> None:
    h = history(run_of("i1", 0.0, "r0"), run_of("i2", 0.2, "r1"))
    assert verdicts(h, "no-overlap") == ["decided"]


def test_overlap_with_an_invocation_recovered_from_a_stall_is_unknown() -> None:
    first = run_of("i1", 0.0, "r0", hold=6.0)
    first.insert(4, ev(0.035, "crash", worker="r0", fault="stall", detail="SIGSTOP process group 1 for 6s"))
    recovered = [
        status(4.5, "i1", "running_recovery", "sweeper"),
        status(4.6, "i1", "rerouted", "sweeper"),
        status(4.7, "i1", "pending", "r1"),
        status(4.8, "i1", "running", "r1"),
        ev(4.9, "provider_start", "i1", worker="r1"),
        ev(5.2, "provider_end", "i1", worker="r1", outcome="ok"),
    ]
    verdict = verdicts(history(first, recovered), "no-overlap")
    assert verdict and set(verdict) == {Unknown.AT_LEAST_ONCE}


def test_no_overlap_means_no_verdict() -> None:
    assert verdicts(history(run_of("i1", 0.0), run_of("i2", 1.0)), "no-overlap") == []


# -- reroute-preserves-work --------------------------------------------------
def test_work_done_twice_without_a_stall_is_decided() -> None:
    again = [ev(2.0, "provider_start", "i1", worker="r1"), ev(2.1, "provider_end", "i1", worker="r1", outcome="ok")]
    assert verdicts(history(run_of("i1", 0.0), again), "reroute-preserves-work") == ["decided"]


def test_lost_work_is_decided_in_a_settled_run_and_unknown_in_an_unsettled_one() -> None:
    lost = [
        status(0.0, "i1", "registered", "producer"),
        ev(0.01, "enqueue", "i1", worker="p0"),
        status(0.5, "i1", "rerouted", "r0"),
    ]
    assert set(verdicts(history(lost), "reroute-preserves-work")) == {"decided"}
    unsettled = verdicts(history(lost, settled=False), "reroute-preserves-work")
    assert unsettled and set(unsettled) == {Unknown.UNSETTLED}
    assert set(verdicts(history(lost, settled=False), "no-stale-locks")) == {Unknown.UNSETTLED}


# -- drop-semantics ------------------------------------------------------------
def _blocked_after(holder_end: float) -> History:
    holder = run_of("i1", 0.0, task="call_keyed_drop", hold=holder_end - 0.05)
    blocked = [
        status(1.0, "i2", "registered", "producer", "call_keyed_drop"),
        ev(1.01, "enqueue", "i2", "call_keyed_drop", worker="p0"),
        status(1.2, "i2", "concurrency_controlled_final", "r1", "call_keyed_drop"),
    ]
    return history(holder, blocked)


def test_blocking_long_after_the_key_was_released_is_decided() -> None:
    assert verdicts(_blocked_after(0.3), "drop-semantics") == ["decided"]


def test_blocking_within_the_margin_of_the_release_is_unknown() -> None:
    verdict = verdicts(_blocked_after(1.1), "drop-semantics")
    assert verdict == [Unknown.CROSS_PROCESS_ORDER]


# -- registration-dedup --------------------------------------------------------
def _reused_at(t: float) -> History:
    first = run_of("i1", 0.0, task="refresh_once")
    return history(first, ev(t, "reused", "i1", "refresh_once", worker="p1", reg_key="a"))


def test_reuse_long_after_the_invocation_left_registered_is_decided() -> None:
    assert verdicts(_reused_at(3.0), "registration-dedup") == ["decided"]


def test_reuse_within_the_margin_of_leaving_registered_is_unknown() -> None:
    verdict = verdicts(_reused_at(0.3), "registration-dedup")
    assert verdict == [Unknown.CROSS_PROCESS_ORDER]


# -- legal-transitions ---------------------------------------------------------
def _skip(worker_after: str, t_after: float, crash: bool = False) -> History:
    parts: list[Any] = [
        status(0.0, "i1", "registered", "producer"),
        status(1.0, "i1", "pending", "r0"),
        status(t_after, "i1", "success", worker_after),
    ]
    if crash:
        parts.append(ev(1.5, "crash", worker="r0", fault="kill", detail="SIGKILL process group 1"))
    return history(parts)


def test_impossible_pair_from_one_writer_is_decided() -> None:
    assert verdicts(_skip("r0", 3.0), "legal-transitions") == ["decided"]


def test_pair_from_two_writers_within_the_margin_is_unknown() -> None:
    assert verdicts(_skip("r1", 1.2), "legal-transitions") == [Unknown.CROSS_PROCESS_ORDER]


def test_pair_across_a_kill_is_unknown() -> None:
    assert verdicts(_skip("r1", 3.0, crash=True), "legal-transitions") == [Unknown.MISSING_RECORD]


# -- known findings ------------------------------------------------------------
def _stuck(task: str, crash_at: float | None) -> History:
    parts: list[Any] = [
        status(0.0, "i1", "registered", "producer", task),
        ev(0.01, "enqueue", "i1", task, worker="p0"),
        status(0.5, "i1", "pending", "r0", task),
        status(0.6, "i1", "killed", "r0", task),
        status(0.7, "i1", "rerouted", "r0", task),
    ]
    if crash_at is not None:
        parts.append(ev(crash_at, "crash", worker="r1", fault="kill", detail="SIGKILL process group 7"))
    return history(parts)


def test_pyn007_signature_needs_a_kill_after_the_last_queued_status() -> None:
    killed = _stuck("call_keyed", crash_at=0.8)
    stale = [v for v in check_all(killed) if v.rule == "no-stale-locks"]
    assert stale and known_finding(killed, stale[0]) == "PYN-007"
    quiet = _stuck("call_keyed", crash_at=None)
    stale = [v for v in check_all(quiet) if v.rule == "no-stale-locks"]
    assert stale and known_finding(quiet, stale[0]) is None
    before = _stuck("call_keyed", crash_at=0.55)
    stale = [v for v in check_all(before) if v.rule == "no-stale-locks"]
    assert stale and known_finding(before, stale[0]) is None


def test_pyn001_signature_is_a_rerouted_drop_invocation_never_finished() -> None:
    h = _stuck("call_keyed_drop", crash_at=None)
    stale = [v for v in check_all(h) if v.rule in ("no-stale-locks", "liveness")]
    assert stale and all(known_finding(h, v) == "PYN-001" for v in stale)
    overlap = history(run_of("i1", 0.0), run_of("i2", 0.2, "r1"))
    assert all(known_finding(overlap, v) is None for v in check_all(overlap))


def _stopped_mid_call(call_ends: float) -> History:
    """r0 is stopped (SIGTERM) at 1.0 and marks i1 killed at 1.1; its call for i1 ends at ``call_ends``."""
    first = [
        status(0.0, "i1", "registered", "producer"),
        ev(0.01, "enqueue", "i1", worker="p0"),
        status(0.1, "i1", "pending", "r0"),
        status(0.2, "i1", "running", "r0"),
        ev(0.3, "provider_start", "i1", worker="r0"),
        ev(call_ends, "provider_end", "i1", worker="r0", outcome="ok"),
        ev(1.0, "stop", worker="r0", fault="stop", detail="SIGTERM pid 1"),
        status(1.1, "i1", "killed", "r0"),
        status(1.11, "i1", "rerouted", "r0"),
    ]
    rerun = [
        status(1.2, "i1", "pending", "r1"),
        status(1.3, "i1", "running", "r1"),
        ev(1.4, "provider_start", "i1", worker="r1"),
        ev(1.5, "provider_end", "i1", worker="r1", outcome="ok"),
        status(1.6, "i1", "success", "r1"),
    ]
    return history(first, rerun)


def test_pyn011_signature_is_a_body_still_calling_when_its_stopping_runner_killed_it() -> None:
    outlived = _stopped_mid_call(call_ends=2.0)
    found = [v for v in check_all(outlived) if v.rule in ("no-overlap", "reroute-preserves-work")]
    assert found and all(known_finding(outlived, v) == "PYN-011" for v in found)
    finished = _stopped_mid_call(call_ends=0.9)  # the call ended before the kill: a double run is not PYN-011
    found = [v for v in check_all(finished) if v.rule == "reroute-preserves-work"]
    assert found and all(known_finding(finished, v) is None for v in found)


def test_pyn009_signature_needs_the_poll_error_and_an_invocation_left_by_that_runner() -> None:
    crashed = ev(
        2.6,
        "error",
        worker="r0",
        error=REFUSED("retry", "concurrency_controlled"),
        detail="runner exited with status 1: InvocationStatusTransitionError(...)",
    )
    stuck = [
        status(0.0, "i1", "registered", "producer"),
        ev(0.01, "enqueue", "i1", worker="p0"),
        status(0.1, "i1", "pending", "r0"),
        status(0.2, "i1", "running", "r0"),
        ev(0.3, "provider_start", "i1", worker="r0"),
        ev(0.5, "provider_end", "i1", worker="r0", outcome="failed"),
        status(0.6, "i1", "retry", "r0"),
    ]
    with_error = history(stuck, crashed)
    found = [v for v in check_all(with_error) if v.rule == "no-stale-locks"]
    assert found and all(known_finding(with_error, v) == "PYN-009" for v in found)
    without = history(stuck)
    assert all(known_finding(without, v) is None for v in check_all(without) if v.rule == "no-stale-locks")
    other_runner = history([{**e, "worker": "r1"} if e.get("status") == "retry" else e for e in stuck], crashed)
    assert {known_finding(other_runner, v) for v in check_all(other_runner) if v.rule == "no-stale-locks"} == {
        "PYN-009"
    }
    blocked = [*stuck[:-1], status(0.6, "i1", "concurrency_controlled", "r1")]  # blocked by r1, the raise was r0's
    unrelated = history(blocked, crashed)
    assert all(known_finding(unrelated, v) is None for v in check_all(unrelated) if v.rule == "no-stale-locks")


def test_failure_answered_while_its_runner_was_frozen_is_unknown_once_recovered() -> None:
    frozen = [
        status(0.0, "i1", "registered", "producer"),
        ev(0.01, "enqueue", "i1", worker="p0"),
        status(0.1, "i1", "pending", "r1"),
        status(0.2, "i1", "running", "r1"),
        ev(0.3, "provider_start", "i1", worker="r1"),
        ev(0.8, "crash", worker="r1", fault="stall", detail="SIGSTOP process group 5 for 6s"),
        ev(1.0, "provider_end", "i1", worker="r1", outcome="failed"),
        status(5.0, "i1", "running_recovery", "sweeper"),
        status(5.1, "i1", "rerouted", "sweeper"),
        status(5.2, "i1", "pending", "r2"),
        status(5.3, "i1", "running", "r2"),
        ev(5.4, "provider_start", "i1", worker="r2"),
        ev(5.5, "provider_end", "i1", worker="r2", outcome="ok"),
        status(5.6, "i1", "success", "r2"),
    ]
    verdict = verdicts(history(frozen), "reroute-preserves-work")
    assert verdict and set(verdict) == {Unknown.AT_LEAST_ONCE}
    other = [{**e, "worker": "r3"} if e["kind"] == "crash" else e for e in frozen]  # a different runner stalled
    assert verdicts(history(other), "reroute-preserves-work") == ["decided"]


def test_pyn007_signature_covers_an_invocation_blocked_by_a_poll_that_was_killed() -> None:
    blocked = history(
        [
            status(0.0, "i1", "registered", "producer"),
            ev(0.01, "enqueue", "i1", worker="p0"),
            status(0.5, "i1", "concurrency_controlled", "r0"),
            ev(0.52, "crash", worker="r0", fault="kill", detail="SIGKILL process group 3"),
        ]
    )
    stale = [v for v in check_all(blocked) if v.rule == "no-stale-locks"]
    assert stale and known_finding(blocked, stale[0]) == "PYN-007"


def test_second_run_after_a_graceful_stop_killed_a_body_past_its_call_is_unknown() -> None:
    verdict = verdicts(_stopped_mid_call(call_ends=0.9), "reroute-preserves-work")
    assert verdict and verdict[0] is Unknown.RERUN_AFTER_STOP
    assert reasons(_stopped_mid_call(call_ends=0.9), "reroute-preserves-work")[0].startswith("i1: killed and rerouted")
    assert verdicts(_stopped_mid_call(call_ends=2.0), "no-overlap") == ["decided"]  # the overlap stays decided


def _admitted(gap: float, same_runner: bool) -> History:
    first, second = run_of("i1", 0.0, "r0", hold=1.0), run_of("i2", 0.0, "r1", hold=1.0)
    first[2] = {**first[2], "writer": "aaaa"}
    second[2] = {**second[2], "time": 0.02 + gap, "writer": "aaaa" if same_runner else "bbbb"}
    return history(first, second)


def test_pyn005_signature_is_two_runners_admitting_one_key_within_the_window() -> None:
    def findings(h: History) -> set[str | None]:
        return {known_finding(h, v) for v in check_all(h) if v.rule == "no-overlap"}

    assert findings(_admitted(0.01, same_runner=False)) == {"PYN-005"}
    assert findings(_admitted(0.01, same_runner=True)) == {None}
    assert findings(_admitted(0.3, same_runner=False)) == {None}


def test_pyn011_signature_covers_a_body_that_calls_after_its_stopping_runner_killed_it() -> None:
    zombie = history(
        [
            status(0.0, "i1", "registered", "producer"),
            ev(0.01, "enqueue", "i1", worker="p0"),
            status(0.1, "i1", "pending", "r0"),
            status(0.2, "i1", "running", "r0"),
            ev(0.3, "stop", worker="r0", fault="stop", detail="SIGTERM pid 1"),
            status(0.4, "i1", "killed", "r0"),
            status(0.41, "i1", "rerouted", "r0"),
            ev(0.5, "provider_start", "i1", worker="r0"),
            ev(0.6, "provider_end", "i1", worker="r0", outcome="failed"),
        ]
    )
    found = [v for v in check_all(zombie) if v.rule == "reroute-preserves-work"]
    assert found and {known_finding(zombie, v) for v in found} == {"PYN-011"}


def test_pyn007_signature_covers_a_poll_cut_by_its_runners_graceful_stop() -> None:
    def cut(stopped: str) -> History:
        return history(
            [
                status(0.0, "i1", "registered", "producer"),
                ev(0.01, "enqueue", "i1", worker="p0"),
                status(0.5, "i1", "concurrency_controlled", "r1"),
                ev(0.52, "stop", worker=stopped, fault="stop", detail="SIGTERM pid 3"),
            ]
        )

    assert {known_finding(cut("r1"), v) for v in check_all(cut("r1")) if v.rule == "no-stale-locks"} == {"PYN-007"}
    assert {known_finding(cut("r2"), v) for v in check_all(cut("r2")) if v.rule == "no-stale-locks"} == {None}


def test_second_run_after_the_first_runner_was_killed_past_its_call_is_unknown() -> None:
    def crashed(worker: str) -> History:
        first = run_of("i1", 0.0, "r0", hold=0.5)[:-1]  # the call ends ok, no SUCCESS recorded
        return history(
            first,
            ev(0.6, "crash", worker=worker, fault="kill", detail="SIGKILL process group 1"),
            status(5.0, "i1", "running_recovery", "sweeper"),
            status(5.1, "i1", "rerouted", "sweeper"),
            status(5.2, "i1", "pending", "r1"),
            status(5.3, "i1", "running", "r1"),
            ev(5.4, "provider_start", "i1", worker="r1"),
            ev(5.5, "provider_end", "i1", worker="r1", outcome="ok"),
            status(5.6, "i1", "success", "r1"),
        )

    verdict = verdicts(crashed("r0"), "reroute-preserves-work")
    assert verdict and verdict[0] is Unknown.RERUN_AFTER_CRASH
    assert verdicts(crashed("r2"), "reroute-preserves-work") == ["decided"]  # another runner's crash excuses nothing


def test_pyn007_signature_covers_a_status_written_during_its_runners_shutdown_but_not_long_before() -> None:
    def lost(written_at: float) -> History:
        return history(
            [
                status(0.0, "i1", "registered", "producer"),
                ev(0.01, "enqueue", "i1", worker="p0"),
                ev(2.0, "stop", worker="r0", fault="stop", detail="SIGTERM pid 3"),
                status(written_at, "i1", "rerouted", "r0"),
            ]
        )

    assert {known_finding(lost(4.5), v) for v in check_all(lost(4.5)) if v.rule == "no-stale-locks"} == {"PYN-007"}
    assert {known_finding(lost(0.5), v) for v in check_all(lost(0.5)) if v.rule == "no-stale-locks"} == {None}


def test_pyn001_signature_covers_work_blocked_by_a_poll_that_then_raised() -> None:
    raised = ev(
        1.0,
        "error",
        worker="r2",
        error=REFUSED("rerouted", "concurrency_controlled_final"),
        detail="runner log: InvocationStatusTransitionError(...)",
    )
    blocked = [
        status(0.0, "i1", "registered", "producer"),
        ev(0.01, "enqueue", "i1", worker="p0"),
        status(0.9, "i1", "concurrency_controlled", "r2"),
    ]
    h = history(blocked, raised)
    assert {known_finding(h, v) for v in check_all(h) if v.rule == "no-stale-locks"} == {"PYN-001"}
    other = history([*blocked[:-1], status(0.9, "i1", "concurrency_controlled", "r1")], raised)
    assert {known_finding(other, v) for v in check_all(other) if v.rule == "no-stale-locks"} == {None}


def test_pyn007_signature_covers_work_queued_while_a_runner_was_shutting_down() -> None:
    """Never taken to PENDING: it matches when queued between a runner's SIGTERM and its restart."""

    def queued_at(t: float) -> History:
        return history(
            [
                ev(1.0, "stop", worker="r2", fault="stop", detail="SIGTERM pid 3"),
                ev(1.5, "restart", worker="r2#1", detail="pid 4"),
                status(t, "i1", "registered", "producer"),
                ev(t + 0.01, "enqueue", "i1", worker="p0"),
            ]
        )

    for t, expected in ((1.02, "PYN-007"), (0.5, "PYN-007"), (5.0, None)):
        h = queued_at(t)
        found = [v for v in check_all(h) if v.rule == "liveness"]
        assert found and {known_finding(h, v) for v in found} == {expected}, t


def test_recovery_from_a_stopping_runner_is_pyn012_only_while_its_body_is_provably_in_the_provider() -> None:
    """Recovered from a runner sent SIGTERM: decided (PYN-012) if that runner's call spans the recovery."""

    def stopped(call_ends: float) -> History:
        first = [
            status(0.0, "i1", "registered", "producer"),
            ev(0.01, "enqueue", "i1", worker="p0"),
            status(0.1, "i1", "pending", "r0"),
            status(0.2, "i1", "running", "r0"),
            ev(0.3, "provider_start", "i1", worker="r0"),
            ev(0.5, "stop", worker="r0", fault="stop", detail="SIGTERM pid 3"),
            ev(call_ends, "provider_end", "i1", worker="r0", outcome="ok"),
        ]
        again = [
            status(4.6, "i1", "running_recovery", "sweeper"),
            status(4.7, "i1", "rerouted", "sweeper"),
            status(4.8, "i1", "pending", "r1"),
            status(4.9, "i1", "running", "r1"),
            ev(5.0, "provider_start", "i1", worker="r1"),
            ev(5.2, "provider_end", "i1", worker="r1", outcome="ok"),
            status(5.3, "i1", "success", "r1"),
        ]
        return history(first, again)

    live = stopped(call_ends=9.0)
    assert set(verdicts(live, "no-overlap")) == {"decided"}
    assert {known_finding(live, v) for v in check_all(live) if v.rule == "no-overlap"} == {"PYN-012"}
    ended = stopped(call_ends=4.3)  # its body had finished before recovery: at-least-once, unknown
    verdict = verdicts(ended, "reroute-preserves-work")
    assert verdict and set(verdict) == {Unknown.AT_LEAST_ONCE}


def test_pyn007_signature_covers_a_poll_cut_by_a_redis_connection_drop() -> None:
    """Blocked by a poll, and every Redis connection dropped while that poll still ran: lost, PYN-007."""

    def dropped_at(t: float) -> History:
        return history(
            [
                status(0.0, "i1", "registered", "producer"),
                ev(0.01, "enqueue", "i1", worker="p0"),
                status(0.5, "i1", "concurrency_controlled", "r1"),
                ev(t, "crash", fault="drop_connections", detail="closed 8 client connections"),
            ]
        )

    for t, expected in ((0.54, "PYN-007"), (4.0, None)):
        h = dropped_at(t)
        found = [v for v in check_all(h) if v.rule == "no-stale-locks"]
        assert found and {known_finding(h, v) for v in found} == {expected}, t


# -- exclusive-admission -------------------------------------------------------
def test_admission_long_inside_a_holders_run_is_decided() -> None:
    h = history(run_of("i1", 0.0, "r0", hold=5.0), run_of("i2", 2.0, "r1"))
    assert verdicts(h, "exclusive-admission") == ["decided"]


def test_admission_within_the_margin_of_the_holders_release_is_unknown() -> None:
    h = history(run_of("i1", 0.0, "r0", hold=1.0), run_of("i2", 0.8, "r1"))
    assert verdicts(h, "exclusive-admission") == [Unknown.CROSS_PROCESS_ORDER]


def test_admission_after_the_holders_runner_was_killed_is_unknown() -> None:
    first = run_of("i1", 0.0, "r0", hold=5.0)[:5]  # killed inside its call: no end, no final status recorded
    killed = ev(1.0, "crash", worker="r0", fault="kill", detail="SIGKILL pid 1")
    h = history(first, killed, run_of("i2", 2.0, "r1"), settled=False)
    assert verdicts(h, "exclusive-admission") == [Unknown.MISSING_RECORD]
