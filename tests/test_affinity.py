"""The driver's threads share one CPU while a run lasts, and get their affinity back afterwards."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.affinity import current_cpu, on_one_cpu
from pynenc_suite.drivers.deterministic.driver import Driver
from pynenc_suite.drivers.deterministic.histories import driver_for
from pynenc_suite.drivers.deterministic.lanes import LANES, LanePool

pytestmark = pytest.mark.skipif(
    current_cpu() is None or len(os.sched_getaffinity(0)) < 2,
    reason="needs affinity control and at least two CPUs this process may run on",
)


def test_lanes_and_caller_run_on_the_callers_cpu_and_get_their_affinity_back() -> None:
    pool = LanePool()
    before = os.sched_getaffinity(0)
    pool.call(lambda: None)  # a lane that exists before the block
    seen: list[set[int]] = []
    with on_one_cpu(pool.native_ids):
        inside = os.sched_getaffinity(0)
        pool.call(lambda: seen.append(os.sched_getaffinity(0)))
        taken = [pool.take(), pool.take()]  # the second, at least, is created inside the block
        created_inside = os.sched_getaffinity(taken[1].native_id)
        for lane in taken:
            pool.put_back(lane)
    assert len(inside) == 1
    assert seen == [inside]
    assert created_inside == inside
    assert os.sched_getaffinity(0) == before
    assert all(os.sched_getaffinity(ident) == before for ident in pool.native_ids())


def test_a_driver_session_on_memory_holds_its_threads_on_one_cpu_and_one_on_sqlite_leaves_them(target: Target) -> None:
    before = os.sched_getaffinity(0)
    free = Driver(target.app, {"call_keyed": target.tasks["call_keyed"]}, runners=1, one_cpu=False)
    with free.prepared():
        assert os.sched_getaffinity(0) == before
    assert driver_for(target, ["call_keyed"], 1).one_cpu
    assert not driver_for(replace(target, engine="sqlite"), ["call_keyed"], 1).one_cpu


def test_a_driver_session_holds_its_threads_on_one_cpu(target: Target) -> None:
    before = os.sched_getaffinity(0)
    LANES.call(lambda: None)
    driver = Driver(target.app, {"call_keyed": target.tasks["call_keyed"]}, runners=1, one_cpu=True)
    with driver.prepared():
        inside = os.sched_getaffinity(0)
        lanes_inside = {frozenset(os.sched_getaffinity(ident)) for ident in LANES.native_ids()}
    assert len(inside) == 1
    assert lanes_inside == {frozenset(inside)}
    assert os.sched_getaffinity(0) == before
    assert all(os.sched_getaffinity(ident) == before for ident in LANES.native_ids())


def test_affinity_comes_back_when_the_run_raises() -> None:
    pool = LanePool()
    before = os.sched_getaffinity(0)
    with pytest.raises(ZeroDivisionError), on_one_cpu(pool.native_ids):
        1 / 0  # noqa: B018 - the block fails
    assert os.sched_getaffinity(0) == before
