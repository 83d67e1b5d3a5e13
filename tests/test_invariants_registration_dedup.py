from pynenc_suite.invariants import registration_dedup as rd
from tests.histories import enqueue, full, hist, runs, seq_of, status

R, K = "refresh_once", "call_keyed"


def reused(inv: str, task: str, reg_key: str) -> dict:
    return {
        "kind": "reused",
        "invocation_id": inv,
        "task": task,
        "reg_key": reg_key,
        "key": reg_key,
        "worker": "p1",
    }


def test_reuse_while_registered_and_new_work_after_start_are_valid():
    h = hist(
        enqueue("a", R, "k1"),
        reused("a", R, "k1"),  # a still registered: collapsed
        enqueue("c", R, "k2"),  # other key: new work
        status("a", R, "pending", "k1"),
        enqueue("b", R, "k1"),  # a left registered: new work
        status("a", R, "running", "k1"),
        status("a", R, "success", "k1"),
        runs("b", R, "k1"),
        runs("c", R, "k2"),
    )
    assert rd.check(h) == []


def test_reuse_of_started_or_other_key_invocation_is_flagged():
    h = hist(
        enqueue("a", R, "k1"),
        enqueue("c", R, "k2"),
        status("a", R, "pending", "k1"),
        reused("a", R, "k1"),  # a is pending, not registered
        reused("c", R, "k1"),
    )  # collapsed into another key
    vs = rd.check(h)
    assert [v.rule for v in vs] == ["registration-dedup"] * 2
    assert vs[0].events == (seq_of(h, "status", "a", status="pending"), seq_of(h, "reused", "a"))
    assert "'pending'" in vs[0].message
    assert vs[1].events == (seq_of(h, "enqueue", "c"), seq_of(h, "reused", "c"))
    assert vs[1].key == "k1"


def test_missed_reuse_is_flagged():
    h = hist(enqueue("a", R, "k1"), enqueue("b", R, "k1"), full("c", R, "k2"))
    [v] = rd.check(h)
    assert v.rule == "registration-dedup" and v.key == "k1" and "b was created" in v.message
    assert v.events == (
        seq_of(h, "status", "a", status="registered"),
        seq_of(h, "status", "b", status="registered"),
        seq_of(h, "enqueue", "b"),
    )


def test_reuse_without_registration_policy_is_flagged():
    h = hist(enqueue("a", K, "k1"), reused("a", K, "k1"))
    [v] = rd.check(h)
    assert v.rule == "registration-dedup" and v.events == (2,)
    assert "no registration" in v.message
