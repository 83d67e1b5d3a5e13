"""Rule "exclusive-admission": hand-made histories it accepts and ones it flags."""

from pynenc_suite.invariants import exclusive_admission
from tests.histories import enqueue, full, hist, seq_of, status

K, U, S, R = "call_keyed", "call_unsafe", "call_serial", "call_retrying"


def test_one_holder_after_another_is_valid() -> None:
    h = hist(full("a", K, "k1"), full("b", K, "k1"))
    assert exclusive_admission.check(h) == []


def test_holders_of_different_keys_at_once_are_valid() -> None:
    h = hist(
        enqueue("a", K, "k1"), enqueue("b", K, "k2"),
        status("a", K, "pending", "k1"), status("b", K, "pending", "k2", worker="r2"),
        status("a", K, "running", "k1"), status("b", K, "running", "k2", worker="r2"),
    )  # fmt: skip
    assert exclusive_admission.check(h) == []


def test_a_second_same_key_invocation_admitted_while_one_runs_is_flagged() -> None:
    h = hist(
        enqueue("a", K, "k1"), enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"), status("a", K, "running", "k1"),
        status("b", K, "pending", "k1", worker="r2"),
    )  # fmt: skip
    [v] = exclusive_admission.check(h)
    assert (v.rule, v.task, v.key) == ("exclusive-admission", K, "k1")
    assert v.events == (seq_of(h, "status", "a", status="running"), seq_of(h, "status", "b", status="pending"))
    assert v.message == "b became pending while a was running with the same key"


def test_two_pending_at_once_are_flagged_even_if_only_one_ever_runs() -> None:
    """The start-time check may save the provider; the admission itself already broke exclusion."""
    h = hist(
        enqueue("a", K, "k1"), enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"), status("b", K, "pending", "k1", worker="r2"),
        status("b", K, "concurrency_controlled", "k1", worker="r2"),
    )  # fmt: skip
    [v] = exclusive_admission.check(h)
    assert v.message == "b became pending while a was pending with the same key"


def test_pending_to_running_of_one_invocation_is_not_an_admission() -> None:
    h = hist(enqueue("a", K, "k1"), status("a", K, "pending", "k1"), status("a", K, "running", "k1"))
    assert exclusive_admission.check(h) == []


def test_task_mode_holds_one_key_for_the_whole_task() -> None:
    h = hist(
        enqueue("a", S, "k1"), enqueue("b", S, "k2"),
        status("a", S, "pending", "k1"), status("b", S, "pending", "k2", worker="r2"),
    )  # fmt: skip
    [v] = exclusive_admission.check(h)
    assert v.task == S and v.key is None


def test_uncontrolled_tasks_and_unknown_keys_are_not_judged() -> None:
    h = hist(
        enqueue("a", U, "k1"), enqueue("b", U, "k1"),
        status("a", U, "pending", "k1"), status("b", U, "pending", "k1"),
    )  # fmt: skip
    assert exclusive_admission.check(h) == []
    unknown = hist({"kind": "status", "invocation_id": "a", "task": K, "status": "pending"},
                   {"kind": "status", "invocation_id": "b", "task": K, "status": "pending"})  # fmt: skip
    assert exclusive_admission.check(unknown) == []


def test_a_holder_that_let_go_frees_the_key_again() -> None:
    h = hist(
        enqueue("a", R, "k1"), enqueue("b", R, "k1"),
        status("a", R, "pending", "k1"), status("a", R, "running", "k1"), status("a", R, "retry", "k1"),
        status("b", R, "pending", "k1"), status("b", R, "running", "k1"),
        status("a", R, "pending", "k1", worker="r2"),
    )  # fmt: skip
    [v] = exclusive_admission.check(h)
    assert v.message == "a became pending while b was running with the same key"
