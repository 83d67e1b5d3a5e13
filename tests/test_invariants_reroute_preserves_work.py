from pynenc_suite.invariants import reroute_preserves_work as rpw
from tests.histories import attempt_fails, end, enqueue, full, hist, runs, seq_of, start, status

K, D, U = "call_keyed", "call_keyed_drop", "call_unsafe"


def test_rerouted_and_crash_retried_work_is_valid():
    h = hist(
        full("a", K, "k1"),
        full("u", U, "k1"),
        enqueue("b", K, "k1"),
        status("b", K, "pending", "k1"),
        status("b", K, "running", "k1"),
        start("b", K, "k1"),
        {"kind": "crash", "worker": "r1"},
        end("b", K, "k1", outcome="aborted"),
        status("b", K, "running_recovery", "k1", worker="r9"),
        status("b", K, "rerouted", "k1", worker="r9"),
        runs("b", K, "k1", worker="r2"),
        # a dropped invocation of a reroute=False task is not this rule's business
        enqueue("d", D, "k1"),
        status("d", D, "concurrency_controlled_final", "k1"),
    )
    assert rpw.check(h) == []


def test_lost_rerouted_work_is_flagged():
    h = hist(
        full("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("b", K, "concurrency_controlled", "k1"),
        status("b", K, "rerouted", "k1"),
    )
    vs = rpw.check(h)
    assert {v.rule for v in vs} == {"reroute-preserves-work"}
    enq, last = seq_of(h, "enqueue", "b"), seq_of(h, "status", "b", status="rerouted")
    assert vs[0].events == (enq, last) and "'rerouted'" in vs[0].message
    assert vs[1].events == (enq,) and "0 provider calls" in vs[1].message


def test_double_execution_and_unfinished_call_are_flagged():
    h = hist(
        full("a", K, "k1"),
        start("a", K, "k1", worker="r2"),
        end("a", K, "k1", "r2"),
        full("b", U, "k2"),
        start("b", U, "k2", worker="r3"),
    )
    vs = rpw.check(h)
    assert [v.rule for v in vs] == ["reroute-preserves-work"] * 2
    a_ok = [e.seq for e in h if e.invocation_id == "a" and e.kind == "provider_end"]
    assert vs[0].events == tuple(sorted([seq_of(h, "enqueue", "a"), *a_ok]))
    assert "never ended" in vs[1].message
    assert vs[1].events == (seq_of(h, "provider_start", "b", worker="r3"),)


def test_success_with_a_failed_call_is_flagged():
    h = hist(
        enqueue("a", K, "k1"),
        status("a", K, "pending", "k1"),
        status("a", K, "running", "k1"),
        start("a", K, "k1"),
        end("a", K, "k1", outcome="error"),
        start("a", K, "k1"),
        end("a", K, "k1"),
        status("a", K, "success", "k1"),
    )
    [v] = rpw.check(h)
    assert v.events == (4, 5) and "'error'" in v.message


R = "call_retrying"  # running KEYS, reroute, 2 retries of a failed provider call


def test_retried_attempts_within_max_retries_are_valid():
    h = hist(
        # two failed attempts, then success: 2 retries allowed
        enqueue("a", R, "k1"),
        attempt_fails("a", R, "k1"),
        attempt_fails("a", R, "k1"),
        runs("a", R, "k1"),
        # every attempt failed: pynenc gives up after 1 + 2 attempts
        enqueue("b", R, "k2"),
        attempt_fails("b", R, "k2"),
        attempt_fails("b", R, "k2"),
        attempt_fails("b", R, "k2", then="failed"),
        # a task that does not retry fails on its first failed attempt
        enqueue("c", K, "k3"),
        attempt_fails("c", K, "k3", then="failed"),
        # a failed answer whose runner crashed before pynenc recorded it is excused, like an aborted call
        enqueue("d", R, "k4"),
        status("d", R, "pending", "k4"),
        status("d", R, "running", "k4"),
        start("d", R, "k4"),
        end("d", R, "k4", outcome="failed"),
        {"kind": "crash", "worker": "r1"},
        status("d", R, "running_recovery", "k4", worker="r2"),
        status("d", R, "rerouted", "k4", worker="r2"),
        runs("d", R, "k4", worker="r2"),
    )
    assert rpw.check(h) == []


def test_retry_beyond_max_retries_is_flagged():
    h = hist(
        enqueue("a", R, "k1"),
        attempt_fails("a", R, "k1") * 3,
        runs("a", R, "k1"),
    )
    [v] = rpw.check(h)
    assert "3 failed attempts, more than the task's 2 retries" in v.message
    failed = [e.seq for e in h if e.kind == "provider_end" and e.outcome == "failed"]
    assert v.events == (seq_of(h, "enqueue", "a"), *failed)


def test_giving_up_early_is_flagged():
    h = hist(enqueue("a", R, "k1"), attempt_fails("a", R, "k1", then="failed"))
    [v] = rpw.check(h)
    assert "ends 'failed' after 1 failed attempt(s)" in v.message and "3 attempts" in v.message


def test_failing_without_a_failed_call_is_flagged():
    h = hist(
        enqueue("a", R, "k1"),
        status("a", R, "pending", "k1"),
        status("a", R, "running", "k1"),
        start("a", R, "k1"),
        end("a", R, "k1"),
        status("a", R, "failed", "k1"),
    )
    [v] = rpw.check(h)
    assert "last answered provider call was not 'failed'" in v.message


def test_retried_invocation_lost_in_retry_is_flagged():
    h = hist(enqueue("a", R, "k1"), attempt_fails("a", R, "k1"))
    messages = [v.message for v in rpw.check(h)]
    assert messages == ["a ends in 'retry', not 'success'", "a has 0 provider calls ending 'ok', expected exactly 1"]


def test_failed_call_pynenc_never_recorded_is_flagged():
    h = hist(
        enqueue("a", R, "k1"),
        status("a", R, "pending", "k1"),
        status("a", R, "running", "k1"),
        start("a", R, "k1"),
        end("a", R, "k1", outcome="failed"),  # no retry / failed status, no crash: the attempt vanished
        start("a", R, "k1"),
        end("a", R, "k1"),
        status("a", R, "success", "k1"),
    )
    [v] = rpw.check(h)
    assert "recorded neither 'retry' nor 'failed'" in v.message
    assert v.events == (seq_of(h, "provider_end", "a", outcome="failed"),)
