from pynenc_suite.history import status_graph
from pynenc_suite.invariants import legal_transitions
from tests.histories import enqueue, full, hist, runs, seq_of, status

K = "call_keyed"


def test_graph_shape():
    assert status_graph.is_final("success") and not status_graph.is_final("pending")
    assert all(not status_graph.ALLOWED[s] for s in status_graph.FINAL)
    targets = set().union(*status_graph.ALLOWED.values())
    assert targets <= set(status_graph.ALLOWED) - {None}


def test_rerouted_and_recovered_paths_are_valid():
    h = hist(
        full("a", K, "k1"),
        enqueue("b", K, "k1"),
        [
            status("b", K, s, "k1")
            for s in (
                "concurrency_controlled",
                "rerouted",
                "pending",
                "pending_recovery",
                "rerouted",
                "pending",
                "running",
                "running_recovery",
                "rerouted",
                "pending",
                "running",
                "retry",
                "pending",
                "running",
                "paused",
                "running",
                "failed",
            )
        ],
    )
    assert legal_transitions.check(h) == []


def test_skipped_and_post_final_transitions_are_flagged():
    h = hist(
        enqueue("a", K, "k1"),
        status("a", K, "running", "k1"),
        status("a", K, "success", "k1"),
        status("a", K, "running", "k1"),
    )
    vs = legal_transitions.check(h)
    assert [v.rule for v in vs] == ["legal-transitions"] * 2
    assert vs[0].events == (0, 2) and "'registered' -> 'running'" in vs[0].message
    assert vs[1].events == (3, 4)


def test_status_before_registration_is_flagged():
    h = hist(status("a", K, "pending", "k1"), runs("b", K, "k2"))
    vs = legal_transitions.check(h)
    assert [v.events for v in vs] == [(0,), (seq_of(h, "status", "b"),)]
    assert all(v.rule == "legal-transitions" and "None" in v.message for v in vs)


def test_retry_edges():
    """RUNNING -> RETRY -> PENDING is the only way through RETRY: blocking a RETRY invocation is illegal."""
    ok = hist(
        enqueue("a", K, "k1"),
        [status("a", K, s, "k1") for s in ("pending", "running", "retry", "pending", "running", "success")],
    )
    assert legal_transitions.check(ok) == []
    for after in ("concurrency_controlled", "concurrency_controlled_final", "rerouted", "running"):
        bad = hist(enqueue("a", K, "k1"), [status("a", K, s, "k1") for s in ("pending", "running", "retry", after)])
        [v] = legal_transitions.check(bad)
        assert v.message == f"a: 'retry' -> {after!r} is not allowed"
        assert v.events == (seq_of(bad, "status", "a", status="retry"), len(bad) - 1)
    assert not status_graph.is_allowed("pending", "retry")  # only a running attempt can be retried
