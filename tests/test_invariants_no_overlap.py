from pynenc_suite.invariants import no_overlap
from tests.histories import end, enqueue, full, hist, seq_of, start

K = "call_keyed"


def test_sequential_same_key_and_overlapping_distinct_keys_are_valid():
    h = hist(
        full("a", K, "k1"),
        full("b", K, "k1", worker="r2"),
        enqueue("c", K, "k1"),
        enqueue("d", K, "k2"),
        start("c", K, "k1"),
        start("d", K, "k2", worker="r2"),
        end("c", K, "k1"),
        end("d", K, "k2", worker="r2"),
    )
    assert no_overlap.check(h) == []


def test_uncontrolled_task_is_not_checked_but_find_overlaps_sees_collisions():
    U = "call_unsafe"
    h = hist(
        enqueue("a", U, "k1"),
        enqueue("b", U, "k1"),
        enqueue("c", U, "k2"),
        start("a", U, "k1"),
        start("b", U, "k1", worker="r2"),
        start("c", U, "k2", "r3"),
        end("a", U, "k1"),
        end("b", U, "k1", worker="r2"),
        end("c", U, "k2", "r3"),
    )
    assert no_overlap.check(h) == []
    pairs = no_overlap.find_overlaps(h, U)
    assert [(a.invocation_id, b.invocation_id) for a, b in pairs] == [("a", "b")]
    assert len(no_overlap.find_overlaps(h, U, by_key=False)) == 3


def test_same_key_overlap_on_two_workers_is_flagged():
    h = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        start("a", K, "k1"),
        start("b", K, "k1", worker="r2"),
        end("a", K, "k1"),
        end("b", K, "k1", worker="r2"),
    )
    [v] = no_overlap.check(h)
    assert v.rule == "no-overlap" and v.task == K and v.key == "k1"
    assert v.events == (
        seq_of(h, "provider_start", "a"),
        seq_of(h, "provider_start", "b"),
        seq_of(h, "provider_end", "a"),
        seq_of(h, "provider_end", "b"),
    )


def test_unfinished_call_stays_open_until_the_end():
    h = hist(
        enqueue("a", K, "k1"),
        start("a", K, "k1"),  # r1 never answers
        full("b", K, "k1", worker="r2"),
    )
    [v] = no_overlap.check(h)
    assert v.rule == "no-overlap"
    assert v.events == tuple(
        sorted(
            (
                seq_of(h, "provider_start", "a"),
                seq_of(h, "provider_start", "b"),
                seq_of(h, "provider_end", "b"),
            )
        )
    )


def test_one_invocation_run_twice_at_once_is_flagged():
    h = hist(
        enqueue("a", K, "k1"),
        start("a", K, "k1", worker="r1"),
        start("a", K, "k1", worker="r2"),
        end("a", K, "k1", worker="r2"),
        end("a", K, "k1", worker="r1"),
    )
    [v] = no_overlap.check(h)
    assert v.rule == "no-overlap" and v.events == (2, 3, 4, 5)


def test_task_mode_overlap_across_keys_is_flagged():
    S = "call_serial"
    h = hist(
        enqueue("a", S, "k1"),
        enqueue("b", S, "k2"),
        start("a", S, "k1"),
        start("b", S, "k2", worker="r2"),
        end("b", S, "k2", worker="r2"),
        end("a", S, "k1"),
    )
    [v] = no_overlap.check(h)
    assert v.rule == "no-overlap" and v.task == S and v.events == (4, 5, 6, 7)
