from pynenc_suite.invariants import liveness
from tests.histories import enqueue, full, hist, seq_of, status

K, D = "call_keyed", "call_keyed_drop"


def test_all_final_is_valid():
    h = hist(
        full("a", K, "k1"),
        enqueue("b", D, "k1"),
        status("b", D, "concurrency_controlled_final", "k1"),
        enqueue("c", K, "k2"),
        status("c", K, "pending", "k2"),
        status("c", K, "running", "k2"),
        status("c", K, "failed", "k2"),
    )
    assert liveness.check(h) == []


def test_stuck_registered_and_pending_are_flagged():
    h = hist(enqueue("a", K, "k1"), enqueue("b", D, "k2"), status("b", D, "pending", "k2"))
    vs = liveness.check(h)
    assert [(v.rule, v.key) for v in vs] == [("liveness", "k1"), ("liveness", "k2")]
    assert vs[0].events == (seq_of(h, "status", "a"), seq_of(h, "enqueue", "a"))
    assert vs[1].events == (seq_of(h, "enqueue", "b"), seq_of(h, "status", "b", status="pending"))


def test_invocation_without_any_status_is_flagged():
    h = hist({"kind": "provider_start", "invocation_id": "x", "task": K, "key": "k1", "worker": "r1"})
    [v] = liveness.check(h)
    assert v.rule == "liveness" and v.events == (0,) and "None" in v.message
