"""Detection power: each regression injected into pynenc (patched inside the test) fails the gate.

pynenc's code is patched with ``monkeypatch`` for the duration of one test only;
site-packages is never edited.  Each test asserts that the named gate property
catches the regression and prints how many examples it took
(``pytest tests/test_detection_power.py -s`` shows the counts).
"""

from __future__ import annotations

import pytest

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import candidate_fixes
from pynenc_suite.schedules.steps import Enqueue, Poll, Schedule
from tests.detection import detect
from tests.regressions import (
    admission_check_skipped,
    keys_not_enforced,
    recovery_never_reroutes,
    registered_invocations_unseen,
    reroute_flag_inverted,
    stop_without_reroute,
)


def _assert_caught(target: Target, task: str, rule: str, *more_tasks: str) -> None:
    """The gate catches the regression: the property of ``rule`` fails within the gate's budget on ``task``, or, if
    not there, on one of ``more_tasks`` (the gate checks the rule on each of them too, with examples of its own)."""
    for name in (task, *more_tasks):
        result = detect(target, name, rule)
        print(f"\n{name} / {rule}: caught={result.caught} after {result.examples_to_first_failure} example(s)")
        if result.caught:
            assert rule in result.message
            return
    raise AssertionError(f"{rule} did not catch the regression on {', '.join((task, *more_tasks))}")


def test_keys_not_enforced_is_caught_by_no_overlap(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    keys_not_enforced(monkeypatch)
    _assert_caught(target, "call_keyed", "no-overlap")


def test_keys_not_enforced_is_caught_for_drop_policy(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    keys_not_enforced(monkeypatch)
    _assert_caught(target, "call_keyed_drop", "no-overlap")


def test_admission_check_skipped_is_caught_by_exclusive_admission(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two same-key invocations both admitted (PENDING); the start-time check still saves the provider, so
    no-overlap alone does not see it within the budget, but exclusion judged where pynenc decides it does."""
    admission_check_skipped(monkeypatch)
    _assert_caught(target, "call_keyed", "exclusive-admission")
    _assert_caught(target, "sync_all", "exclusive-admission")


def test_both_admitted_is_caught_in_a_schedule_without_interleaving(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same regression on a sequential schedule (no group, no preemption): two same-key invocations PENDING
    at once. The start-time check keeps the provider safe, so only exclusive-admission sees it."""
    call = {"account_id": "a", "op": "x"}
    schedule = Schedule(2, (Enqueue(0, "call_keyed", call), Enqueue(1, "call_keyed", call), Poll(0), Poll(1)))
    with candidate_fixes():
        assert invariants.check("exclusive-admission", run_schedule(target, ["call_keyed"], schedule)) == []
    admission_check_skipped(monkeypatch)
    with candidate_fixes():
        history = run_schedule(target, ["call_keyed"], schedule)
    assert [v.code for v in invariants.check("exclusive-admission", history)]
    assert invariants.check("no-overlap", history) == []


def test_reroute_flag_inverted_is_caught_by_drop_semantics(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    reroute_flag_inverted(monkeypatch)
    _assert_caught(target, "call_keyed", "drop-semantics")
    _assert_caught(target, "call_keyed_drop", "drop-semantics")


def test_reroute_flag_inverted_loses_work(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    reroute_flag_inverted(monkeypatch)
    _assert_caught(target, "call_keyed", "reroute-preserves-work")


def test_registration_dedup_disabled_is_caught(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    """Patched below ``route_call``, which the PYN-006 candidate fix wraps (and refuses to wrap once changed)."""
    registered_invocations_unseen(monkeypatch)
    _assert_caught(target, "refresh_once", "registration-dedup")


def test_recovery_that_never_reroutes_is_caught(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    recovery_never_reroutes(monkeypatch)
    _assert_caught(target, "call_keyed", "no-stale-locks")
    _assert_caught(target, "call_keyed", "liveness")


def test_stopping_runner_that_does_not_reroute_is_caught(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    stop_without_reroute(monkeypatch)
    _assert_caught(target, "call_keyed", "no-stale-locks", "transfer", "call_retrying")
    _assert_caught(target, "call_keyed", "reroute-preserves-work", "transfer", "call_retrying")
