"""The gate's known-finding signatures (findings/gate_signatures.py) match their defect and nothing wider.

An example the gate discards is one whose history shows a recorded pynenc defect; a signature
that also matched healthy or differently-broken histories would hide violations.
"""

from pynenc_suite.findings.registry import FINDINGS
from pynenc_suite.history.model import Kind
from tests.histories import enqueue, full, hist, runs, status

K, S = "call_keyed", "call_serial"
BY_ID = {f.id: f.gate for f in FINDINGS if f.gate is not None}
# A runner killed inside an interleaved group (at a yield point of its other operations).
CRASH_IN_A_GROUP = [
    {"kind": Kind.GROUP_BEGIN.value},
    {"kind": Kind.CRASH.value, "worker": "r0", "fault": "kill"},
    {"kind": Kind.GROUP_END.value},
]


def batch(inv: str, task: str, key: str) -> list[dict]:
    """An invocation created by parallelize's batch path (route_calls)."""
    registered, created = enqueue(inv, task, key)
    return [registered, {**created, "via": "parallelize-batch"}]


def test_pyn_008_admission_past_a_batch_holder_matches():
    h = hist(
        batch("a", K, "k1"),
        batch("b", K, "k1"),
        status("a", K, "pending", "k1"),
        status("b", K, "pending", "k1"),  # a holds k1, but pynenc cannot see it: b is admitted
    )
    assert BY_ID["PYN-008"](h)


def test_pyn_008_does_not_match_other_overlaps():
    indexed_holder = hist(
        enqueue("a", K, "k1"),
        batch("b", K, "k1"),
        status("a", K, "pending", "k1"),
        status("b", K, "pending", "k1"),  # the holder was indexed: admitting b is another defect
    )
    assert not BY_ID["PYN-008"](indexed_holder)
    per_call_path = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"),
        status("b", K, "pending", "k1"),
    )
    assert not BY_ID["PYN-008"](per_call_path)
    sequential = hist(batch("a", K, "k1"), batch("b", K, "k1"), runs("a", K, "k1"), runs("b", K, "k1"))
    assert not BY_ID["PYN-008"](sequential)
    distinct_keys = hist(
        batch("a", K, "k1"), batch("b", K, "k2"), status("a", K, "pending", "k1"), status("b", K, "pending", "k2")
    )
    assert not BY_ID["PYN-008"](distinct_keys)
    task_mode = hist(
        batch("a", S, "k1"), batch("b", S, "k2"), status("a", S, "pending", "k1"), status("b", S, "pending", "k2")
    )
    assert not BY_ID["PYN-008"](task_mode)  # TASK mode filters by status only: not affected


def test_pyn_009_matches_only_the_retry_transition_error():
    def poll_error(refused: tuple[str, str]) -> dict:
        error = {
            "site": "poll",
            "type": "InvocationStatusTransitionError",
            "from_status": refused[0],
            "to_status": refused[1],
        }
        return {"kind": Kind.ERROR.value, "worker": "r0", "error": error}

    retry = ("retry", "concurrency_controlled")
    retry_final = ("retry", "concurrency_controlled_final")
    other = ("pending", "concurrency_controlled")
    assert BY_ID["PYN-009"](hist(full("a", K, "k1"), poll_error(retry)))
    assert BY_ID["PYN-009"](hist(full("a", K, "k1"), poll_error(retry_final)))
    assert not BY_ID["PYN-009"](hist(full("a", K, "k1"), poll_error(other)))
    assert not BY_ID["PYN-009"](hist(full("a", K, "k1")))


def test_pyn_007_matches_work_lost_off_the_queue_after_a_crash_in_a_group():
    crash = CRASH_IN_A_GROUP
    for stuck in ("registered", "rerouted", "concurrency_controlled"):
        lost = hist(full("a", K, "k1"), enqueue("b", K, "k1"), status("b", K, "pending", "k1"), crash)
        lost.events[-4] = lost.events[-4].__class__(**{**lost.events[-4].__dict__, "status": stuck})
        assert BY_ID["PYN-007"](lost)
        outside_a_group = hist(full("a", K, "k1"), enqueue("b", K, "k1"), status("b", K, stuck, "k1"), crash[1])
        assert not BY_ID["PYN-007"](outside_a_group)  # a crash between operations takes nothing off a queue
    assert not BY_ID["PYN-007"](hist(full("a", K, "k1"), crash))
    left_pending = hist(enqueue("b", K, "k1"), status("b", K, "pending", "k1"), crash)  # pending recovery frees it
    assert not BY_ID["PYN-007"](left_pending)
    no_crash = hist(full("a", K, "k1"), enqueue("b", K, "k1"), status("b", K, "concurrency_controlled", "k1"))
    assert not BY_ID["PYN-007"](no_crash)


def test_pyn_007_matches_a_retry_lost_off_the_queue_only_when_its_retry_came_before_the_crash():
    crash = CRASH_IN_A_GROUP
    failed_once = [
        *enqueue("b", K, "k1"),
        status("b", K, "pending", "k1"),
        status("b", K, "running", "k1"),
        status("b", K, "retry", "k1"),
    ]
    assert BY_ID["PYN-007"](hist(failed_once, crash))  # retried, taken off the queue by the runner that died
    retried_after = hist(
        enqueue("b", K, "k1"),
        status("b", K, "pending", "k1"),
        status("b", K, "running", "k1"),
        crash,
        status("b", K, "retry", "k1", worker="r0.2"),
    )
    assert not BY_ID["PYN-007"](retried_after)  # a live runner wrote RETRY after the crash: not this window
    assert not BY_ID["PYN-007"](hist(failed_once, crash[1]))  # a crash between operations takes nothing off a queue
    assert not BY_ID["PYN-007"](hist(failed_once))


def test_pyn_013_matches_a_block_on_a_holder_that_let_go_inside_the_group():
    group_begin, group_end = {"kind": Kind.GROUP_BEGIN.value}, {"kind": Kind.GROUP_END.value}
    stale = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"),
        group_begin,
        status("a", K, "killed", "k1"),
        status("a", K, "rerouted", "k1"),
        status("b", K, "concurrency_controlled", "k1"),
        group_end,
    )
    assert BY_ID["PYN-013"](stale)
    still_held = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"),
        group_begin,
        status("b", K, "concurrency_controlled", "k1"),
        group_end,
    )
    assert not BY_ID["PYN-013"](still_held)  # a correct block
    released_before = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"),
        status("a", K, "killed", "k1"),
        group_begin,
        status("b", K, "concurrency_controlled", "k1"),
        group_end,
    )
    assert not BY_ID["PYN-013"](released_before)  # no holder at all when the group began: another defect
    outside = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k1"),
        status("a", K, "pending", "k1"),
        status("a", K, "killed", "k1"),
        status("b", K, "concurrency_controlled", "k1"),
    )
    assert not BY_ID["PYN-013"](outside)  # not inside a group: no race explains it
    other_key = hist(
        enqueue("a", K, "k1"),
        enqueue("b", K, "k2"),
        status("a", K, "pending", "k1"),
        group_begin,
        status("a", K, "killed", "k1"),
        status("b", K, "concurrency_controlled", "k2"),
        group_end,
    )
    assert not BY_ID["PYN-013"](other_key)


def test_pyn_014_matches_an_invocation_left_marked_by_a_sweeper_that_died_in_its_group():
    sweep = {"kind": Kind.RECOVER.value, "worker": "r0"}
    begin, end = {"kind": Kind.GROUP_BEGIN.value}, {"kind": Kind.GROUP_END.value}

    def crash(worker: str) -> dict:
        return {"kind": Kind.CRASH.value, "worker": worker, "fault": "kill"}

    for marked in ("pending_recovery", "running_recovery"):
        held = [enqueue("a", K, "k1"), status("a", K, "pending", "k1")]
        mark = status("a", K, marked, "k1")
        assert BY_ID["PYN-014"](hist(*held, begin, sweep, mark, crash("r0"), end))
        assert not BY_ID["PYN-014"](hist(*held, begin, sweep, mark, crash("r1"), end))  # another runner died
        assert not BY_ID["PYN-014"](hist(*held, sweep, mark, crash("r0")))  # not inside a group
        assert not BY_ID["PYN-014"](hist(*held, sweep, begin, mark, crash("r0"), end))  # the sweep ran before it
    rerouted = [status("a", K, "pending_recovery", "k1"), status("a", K, "rerouted", "k1")]
    held = [enqueue("a", K, "k1"), status("a", K, "pending", "k1")]
    assert not BY_ID["PYN-014"](hist(*held, begin, sweep, *rerouted, crash("r0"), end))  # it got out


def test_pyn_015_matches_a_status_written_over_another_workers_inside_a_group():
    begin, end = {"kind": Kind.GROUP_BEGIN.value}, {"kind": Kind.GROUP_END.value}
    held = [enqueue("a", K, "k1"), status("a", K, "pending", "k1", "r0")]
    started = status("a", K, "running", "k1", "r0")
    overwritten = status("a", K, "pending_recovery", "k1", "r1")
    assert BY_ID["PYN-015"](hist(*held, begin, started, overwritten, end))
    assert not BY_ID["PYN-015"](hist(*held, started, overwritten))  # not inside a group: no race explains it
    own = status("a", K, "pending_recovery", "k1", "r0")
    assert not BY_ID["PYN-015"](hist(*held, begin, started, own, end))  # one worker's own illegal step
    recovered = [status("a", K, "pending_recovery", "k1", "r1"), status("a", K, "rerouted", "k1", "r1")]
    assert not BY_ID["PYN-015"](hist(*held, begin, *recovered, end))  # a legal recovery by another worker
    killed = status("a", K, "killed", "k1", "r1")
    assert not BY_ID["PYN-015"](hist(*held, begin, started, killed, end))  # running -> killed is allowed


def test_pyn_016_matches_running_recovery_of_an_invocation_a_live_runner_started_inside_a_group():
    begin, end = {"kind": Kind.GROUP_BEGIN.value}, {"kind": Kind.GROUP_END.value}
    dead = [enqueue("a", K, "k1"), status("a", K, "pending", "k1", "r3"), status("a", K, "running", "k1", "r3"),
            {"kind": Kind.CRASH.value, "worker": "r3", "fault": "kill"}]  # fmt: skip
    first = [status("a", K, "running_recovery", "k1", "r2"), status("a", K, "rerouted", "k1", "r2")]
    restarted = [status("a", K, "pending", "k1", "r0"), status("a", K, "running", "k1", "r0")]
    stale = status("a", K, "running_recovery", "k1", "r1")
    assert BY_ID["PYN-016"](hist(*dead, begin, *first, *restarted, stale, end))
    assert not BY_ID["PYN-016"](hist(*dead, *first, *restarted, stale))  # not inside a group
    assert not BY_ID["PYN-016"](hist(*dead, begin, *first, end))  # the dead runner's invocation recovered once
    stopped = {"kind": Kind.STOP.value, "worker": "r0", "fault": "stop"}
    assert not BY_ID["PYN-016"](hist(*dead, begin, *first, *restarted, stopped, stale, end))  # its runner stopped
