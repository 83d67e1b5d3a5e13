from pynenc_suite.invariants import no_stale_locks
from tests.histories import enqueue, full, hist, runs, seq_of, status

K, U = "call_keyed", "call_unsafe"
DRAIN = {"kind": "drain"}


def test_everything_finished_and_probe_succeeded_is_valid():
    h = hist(
        full("a", K, "k1"),
        enqueue("u", U, "k1"),
        status("u", U, "pending", "k1"),
        DRAIN,
        enqueue("p", K, "k1", probe=True),
        runs("p", K, "k1"),
    )
    assert no_stale_locks.check(h) == []  # u is uncontrolled: not a lock (liveness covers it)


def test_invocation_left_running_after_crash_is_flagged():
    h = hist(
        enqueue("a", K, "k1"),
        status("a", K, "pending", "k1"),
        status("a", K, "running", "k1"),
        {"kind": "crash", "worker": "r1"},
        {"kind": "recover", "worker": "r2"},
        DRAIN,
        full("b", K, "k2"),
    )
    [v] = no_stale_locks.check(h)
    assert v.rule == "no-stale-locks" and v.task == K and v.key == "k1"
    drain = next(e.seq for e in h if e.kind == "drain")
    assert v.events == (seq_of(h, "status", "a", status="running"), drain)


def test_probe_that_never_ran_is_flagged():
    h = hist(full("a", K, "k1"), enqueue("p", U, "k1", probe=True))
    [v] = no_stale_locks.check(h)
    assert v.rule == "no-stale-locks" and "probe p" in v.message
    assert v.events == (seq_of(h, "status", "p"), seq_of(h, "enqueue", "p"))


def test_rerouted_leftover_without_drain_is_flagged():
    h = hist(
        full("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("b", K, "concurrency_controlled", "k1"),
        status("b", K, "rerouted", "k1"),
    )
    [v] = no_stale_locks.check(h)
    assert v.events == (seq_of(h, "status", "b", status="rerouted"),)


def test_invocation_left_in_retry_is_flagged():
    """A failed attempt queued for retry that never runs again stays waiting on its key."""
    h = hist(
        enqueue("a", "call_retrying", "k1"),
        status("a", "call_retrying", "pending", "k1"),
        status("a", "call_retrying", "running", "k1"),
        status("a", "call_retrying", "retry", "k1"),
        DRAIN,
        full("b", K, "k2"),
    )
    [v] = no_stale_locks.check(h)
    assert "'retry'" in v.message and v.key == "k1"
