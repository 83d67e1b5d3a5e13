"""Proof that the gate can see what it guards against.

For ``call_unsafe`` (no concurrency control) the same schedules must produce
same-account collisions, and the overlap finder must report them: if it could
not, a green no-overlap verdict on the controlled tasks would mean nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, find, settings

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import knobs_for, run_schedule
from pynenc_suite.invariants.no_overlap import find_overlaps
from pynenc_suite.schedules.steps import Enqueue, Poll, Schedule, Start
from pynenc_suite.strategies.schedules import schedules


@pytest.fixture()
def reference(pynenc_target: Target) -> Target:
    if "call_unsafe" not in pynenc_target.tasks:
        pytest.skip("visibility is shown on the reference app's call_unsafe")
    return pynenc_target


def test_overlap_finder_sees_unsafe_collisions(reference: Target) -> None:
    call = {"account_id": "acct-1", "op": "charge"}
    schedule = Schedule(
        runners=2,
        steps=(Enqueue(0, "call_unsafe", call), Enqueue(1, "call_unsafe", call), Poll(0), Poll(1), Start(0), Start(1)),
    )
    history = run_schedule(reference, ["call_unsafe"], schedule)
    overlaps = find_overlaps(history, "call_unsafe")
    assert overlaps, "two in-flight calls for one account were not reported"
    assert any("COLLISION" in e.detail for e in history), "the provider did not count the collision"


def test_random_schedules_find_unsafe_collisions(reference: Target) -> None:
    """Hypothesis, searching the gate's own schedule space, finds a collision for call_unsafe."""
    strategy = schedules([reference.under_test("call_unsafe")], knobs_for(reference))
    found = find(
        strategy,
        lambda s: bool(find_overlaps(run_schedule(reference, ["call_unsafe"], s), "call_unsafe")),
        settings=settings(
            # Generation stops at the first collision; the budget is for shrinking it (Hypothesis stops
            # shrinking after max(10 x max_examples, 1000) calls), so that the counterexample is minimal.
            max_examples=400,
            derandomize=True,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert len(found.steps) <= 6, f"shrunk counterexample should be tiny, got {found!r}"
