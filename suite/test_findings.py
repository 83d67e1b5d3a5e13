"""Defects of pynenc found by the suite, each reproduced by its minimal schedule (see FINDINGS.md).

Every test here is ``xfail(strict=True)``: green while pynenc has the defect,
red the day pynenc fixes it, so the finding and its gate filter get removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import invariants
from harness import artefacts
from harness.run import run_schedule
from harness.target import Target
from invariants.history import Kind
from invariants.timeline import render
from strategies.schedule import Enqueue, Finish, Poll, Schedule, Start, Stop
from suite.findings import KEY_SPLIT_IN_PROCESS


@pytest.fixture()
def reference(target: Target) -> Target:
    if "call_keyed_drop" not in target.tasks:
        pytest.skip("findings are reproduced on the reference app")
    return target


@pytest.mark.xfail(strict=True, reason="PYN-001: pynenc 0.4.0 raises REROUTED -> CONCURRENCY_CONTROLLED_FINAL")
def test_pyn_001_rerouted_drop_invocation_is_not_lost(reference: Target) -> None:
    call = {"account_id": 0, "op": "x"}
    schedule = Schedule(
        runners=3,
        steps=(Enqueue(0, "call_keyed_drop", call), Poll(0), Enqueue(0, "call_keyed_drop", call), Stop(0)),
    )
    history = run_schedule(reference, ["call_keyed_drop"], schedule)
    violations = invariants.check_all(history)
    errors = [e for e in history if e.kind is Kind.ERROR]
    assert not errors and not violations, render(history, violations)


@pytest.mark.xfail(strict=True, reason="PYN-009: pynenc 0.4.0 raises RETRY -> CONCURRENCY_CONTROLLED")
def test_pyn_009_retried_invocation_is_not_lost_when_its_key_is_held(reference: Target) -> None:
    """A failed attempt goes back to the queue (RETRY); polled while a same-key invocation holds the
    key it must be blocked and rerouted like any other, not make the poll raise and be lost."""
    call = {"account_id": 0, "op": "x"}
    task = "call_retrying"
    schedule = Schedule(
        runners=1,
        steps=(Enqueue(0, task, call), Enqueue(1, task, call), Poll(0), Start(0), Finish(0, fail=True), Poll(0), Poll(0)),
    )
    history = run_schedule(reference, [task], schedule)
    violations = invariants.check_all(history)
    errors = [e for e in history if e.kind is Kind.ERROR]
    assert not errors and not violations, render(history, violations)


def _sample(target: Target, task: str, cls_name: str) -> tuple:
    """The audit's minimal group of ``cls_name`` that pynenc keys wrongly for ``task``'s account_id."""
    from harness.key_audit import KeyedArgument, audit
    from invariants.history import Mode
    from strategies.equal_keys import BY_NAME

    row = audit(target.tasks[task], KeyedArgument(task, "account_id", Mode.KEYS), BY_NAME[cls_name])
    return row.sample


def _two_at_once(task: str, first: object, second: object) -> Schedule:
    return Schedule(
        runners=1,
        steps=(
            Enqueue(0, task, {"account_id": first, "op": "x"}),
            Enqueue(1, task, {"account_id": second, "op": "x"}),
            Poll(0, 2),
            Start(0),
            Start(0),
        ),
    )


@pytest.mark.parametrize(
    "cls_name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"{finding}: pynenc splits {name} keys"))
        for name, finding in KEY_SPLIT_IN_PROCESS.items()
        if finding == "PYN-002"
    ],
)
def test_pyn_002_equal_keys_never_run_at_once(reference: Target, cls_name: str) -> None:
    """End to end: two calls whose account ids are equal in Python must not be in flight together."""
    first, second = _sample(reference, "call_keyed", cls_name)[:2]
    history = run_schedule(reference, ["call_keyed"], _two_at_once("call_keyed", first, second))
    violations = invariants.ALL_CHECKERS["no-overlap"](history)
    assert not violations, render(history, violations)


@pytest.mark.parametrize(
    "cls_name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"{finding}: pynenc collapses {name} keys"))
        for name, finding in KEY_SPLIT_IN_PROCESS.items()
        if finding == "PYN-004"
    ],
)
def test_pyn_004_distinct_keys_are_never_blocked_by_each_other(reference: Target, cls_name: str) -> None:
    """End to end: two calls for distinct accounts are never blocked by each other (drop policy)."""
    first, second = _sample(reference, "call_keyed_drop", cls_name)[:2]
    history = run_schedule(reference, ["call_keyed_drop"], _two_at_once("call_keyed_drop", first, second))
    violations = invariants.ALL_CHECKERS["drop-semantics"](history)
    assert not violations, render(history, violations)


FINDINGS_DIR = Path(__file__).resolve().parent.parent / "findings"
ARTEFACTS = sorted(p.name for p in FINDINGS_DIR.iterdir() if (p / "schedule.json").exists())


@pytest.mark.parametrize("finding", ARTEFACTS)
def test_committed_artefact_replays_the_same_history(reference: Target, finding: str) -> None:
    """Each committed counterexample reproduces exactly: same history, same violations (three runs)."""
    artefact = artefacts.load(FINDINGS_DIR / finding)
    for _ in range(3):
        history = run_schedule(reference, [artefact.meta["task"]], artefact.schedule)
        assert history.to_json() == artefact.history.to_json()
        violations = invariants.ALL_CHECKERS[artefact.meta["rule"]](history)
        assert [str(v) for v in violations] == artefact.meta["violations"]


@pytest.mark.parametrize(
    "finding",
    [pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=f"{f}: reproduces on pynenc 0.4.0")) for f in ARTEFACTS],
)
def test_committed_finding_is_fixed(reference: Target, finding: str) -> None:
    """Green (xfail) while pynenc has the defect; fails the day the replayed schedule keeps the rule."""
    artefact = artefacts.load(FINDINGS_DIR / finding)
    history = run_schedule(reference, [artefact.meta["task"]], artefact.schedule)
    violations = invariants.ALL_CHECKERS[artefact.meta["rule"]](history)
    assert not violations, render(history, violations)
