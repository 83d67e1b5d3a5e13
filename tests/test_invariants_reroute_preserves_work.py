from invariants import reroute_preserves_work as rpw
from tests.histories import end, enqueue, full, hist, runs, seq_of, start, status

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
