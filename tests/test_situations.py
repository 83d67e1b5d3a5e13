"""Recovery's hard situations (history/situations.py): each is reached by a hand-made history that shows it,
and not by one that comes close; the gate's own schedules reach every one of them."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import knobs_for, run_schedule
from pynenc_suite.drivers.recovery import dead_after_seconds
from pynenc_suite.history.situations import SITUATIONS, reached
from pynenc_suite.strategies.schedules import schedules
from tests.histories import enqueue, hist, start, status

K = "call_keyed"

MAX_PENDING, DEAD_AFTER = 3.0, 600.0


def _at(time: float, *events: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = [e for item in events for e in (item if isinstance(item, list) else [item])]
    return [{**e, "time": time} for e in flat]


def clock(to: float) -> dict[str, Any]:
    return {"kind": "clock", "time": to}


def sweep(worker: str = "r0") -> dict[str, Any]:
    return {"kind": "recover", "worker": worker}


def crash(worker: str) -> dict[str, Any]:
    return {"kind": "crash", "worker": worker, "fault": "kill"}


BEGIN, END, DRAIN = {"kind": "group_begin"}, {"kind": "group_end"}, {"kind": "drain"}


def _reached(*events: Any) -> set[str]:
    return reached(hist(*events), MAX_PENDING, DEAD_AFTER)


def test_pending_past_the_timeout_on_a_live_runner() -> None:
    held = _at(0, enqueue("a", K, "k1"), status("a", K, "pending", "k1", "r1"))
    assert "pending-timeout-on-a-live-runner" in _reached(held, _at(4, clock(4), sweep()))
    assert "pending-timeout-on-a-live-runner" not in _reached(held, _at(2, clock(2), sweep()))  # not yet overdue
    assert "pending-timeout-on-a-live-runner" not in _reached(held, _at(0, crash("r1")), _at(4, clock(4), sweep()))
    assert "pending-timeout-on-a-live-runner" not in _reached(held, _at(4, clock(4), DRAIN, sweep()))  # the drain's


def test_the_dead_runner_timeout_passes_while_a_body_runs() -> None:
    running = _at(0, enqueue("a", K, "k1"), status("a", K, "pending", "k1"), status("a", K, "running", "k1"),
                  start("a", K, "k1"))  # fmt: skip
    assert "dead-after-while-a-body-runs" in _reached(running, _at(601, clock(601), sweep()))
    assert "dead-after-while-a-body-runs" not in _reached(running, _at(4, clock(4), sweep()))
    answered = _at(601, clock(601), {"kind": "provider_end", "invocation_id": "a", "task": K, "key": "k1",
                                     "worker": "r1", "outcome": "ok"}, sweep())  # fmt: skip
    assert "dead-after-while-a-body-runs" not in _reached(running, answered)


def test_several_runners_die_holding_work_before_one_sweep() -> None:
    two = _at(0, enqueue("a", K, "k1"), enqueue("b", K, "k2"), status("a", K, "pending", "k1", "r1"),
              status("b", K, "running", "k2", "r2"))  # fmt: skip
    assert "several-runners-died-holding-work" in _reached(two, _at(0, crash("r1"), crash("r2")), _at(601, sweep()))
    assert "several-runners-died-holding-work" not in _reached(two, _at(0, crash("r1"), sweep(), crash("r2"), sweep()))
    assert "several-runners-died-holding-work" not in _reached(two, _at(0, crash("r1"), crash("r3")), _at(601, sweep()))


def test_sweeps_inside_groups() -> None:
    assert _reached(BEGIN, sweep("r0"), END) == {"sweep-in-a-group"}
    assert _reached(BEGIN, sweep("r0"), sweep("r1"), END) == {"sweep-in-a-group", "two-sweeps-in-a-group"}
    assert _reached(BEGIN, sweep("r0"), crash("r0"), END) == {"sweep-in-a-group", "sweeper-died-in-its-group"}
    assert "sweeper-died-in-its-group" not in _reached(BEGIN, sweep("r0"), crash("r1"), END)
    assert _reached(sweep("r0"), BEGIN, crash("r0"), END) == set()


def test_the_gates_schedules_reach_every_situation(target: Target) -> None:
    """Every situation is reached within the gate's budget (100 examples per task, as each gate property draws)
    on the reference app's KEYS tasks, so none is a blind spot.  Two runners holding work at once needs two
    keys, so it is reached only where a schedule's calls use two account values."""
    seen: set[str] = set()
    knobs = knobs_for(target)
    for name in ("call_keyed", "transfer", "call_retrying"):
        _reach(target, name, knobs, seen)
    assert seen == set(SITUATIONS), f"never reached: {sorted(set(SITUATIONS) - seen)}"


def _reach(target: Target, name: str, knobs: Any, seen: set[str]) -> None:
    task = target.under_test(name)

    @settings(max_examples=100, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def run(data: st.DataObject) -> None:
        history = run_schedule(target, [name], data.draw(schedules([task], knobs)))
        seen.update(reached(history, float(target.app.conf.max_pending_seconds), dead_after_seconds(target.app)))

    run()
