from pynenc_suite.invariants import drop_semantics
from tests.histories import enqueue, full, hist, seq_of, start, status

D, K, U = "call_keyed_drop", "call_keyed", "call_unsafe"


def result(inv: str, task: str, outcome: str) -> dict:
    return {
        "kind": "result",
        "invocation_id": inv,
        "task": task,
        "outcome": outcome,
        "worker": "p0",
    }


def test_blocking_while_same_key_runs_is_valid():
    h = hist(
        enqueue("a", D, "k1"),
        enqueue("b", D, "k1"),
        enqueue("c", K, "k1"),
        enqueue("d", K, "k1"),
        status("a", D, "pending", "k1"),
        status("a", D, "running", "k1"),
        status("b", D, "concurrency_controlled_final", "k1", worker="r2"),
        status("c", K, "pending", "k1"),
        status("d", K, "concurrency_controlled", "k1", worker="r2"),
        result("b", D, "raised:ConcurrencyControlledFinal"),
    )
    assert drop_semantics.check(h) == []


def test_false_blocking_is_flagged():
    h = hist(
        full("a", D, "k1"),
        enqueue("b", D, "k1"),
        enqueue("c", D, "k2"),
        status("c", D, "pending", "k2"),
        status("b", D, "concurrency_controlled_final", "k1"),
    )  # a already done; c other key
    [v] = drop_semantics.check(h)
    assert v.rule == "drop-semantics" and v.key == "k1"
    assert v.events == (seq_of(h, "status", "b", status="concurrency_controlled_final"),)


def test_wrong_blocked_status_for_reroute_setting_is_flagged():
    h = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"),
        status("b", K, "concurrency_controlled_final", "k1"),
    )
    [v] = drop_semantics.check(h)
    assert v.rule == "drop-semantics" and "reroute=True" in v.message
    assert v.events == (5,)


def test_blocking_an_uncontrolled_task_is_flagged():
    h = hist(
        enqueue("a", U, "k1"),
        enqueue("b", U, "k1"),
        status("a", U, "pending", "k1"),
        status("b", U, "concurrency_controlled", "k1"),
    )
    [v] = drop_semantics.check(h)
    assert v.rule == "drop-semantics" and v.events == (5,)


def test_dropped_invocation_that_runs_or_returns_is_flagged():
    h = hist(
        enqueue("a", D, "k1"),
        enqueue("b", D, "k1"),
        status("a", D, "pending", "k1"),
        status("b", D, "concurrency_controlled_final", "k1"),
        start("b", D, "k1", worker="r2"),
        result("b", D, "value:42"),
    )
    blocked = seq_of(h, "status", "b", status="concurrency_controlled_final")
    vs = drop_semantics.check(h)
    assert [v.rule for v in vs] == ["drop-semantics"] * 2
    assert vs[0].events == (blocked, seq_of(h, "provider_start", "b"))
    assert vs[1].events == (blocked, seq_of(h, "result", "b"))
