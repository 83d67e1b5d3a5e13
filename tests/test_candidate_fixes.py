"""Candidate fixes: each one passes its finding's reproduction, refuses pynenc code it was not written for,
and lets the gate see a new regression with the fixed finding's symptom instead of discarding it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

import pytest
from pynenc import core_tasks
from pynenc.broker.mem_broker import MemBroker
from pynenc.call import PreSerializedCall
from pynenc.invocation import DistributedInvocation
from pynenc.invocation.status import InvocationStatus
from pynenc.orchestrator.base_orchestrator import BaseOrchestrator
from pynenc.orchestrator.mem_orchestrator import MemOrchestrator

from pynenc_suite import artefacts, invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.atomic import uninterruptible
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.drivers.deterministic.interleave import Interleaver
from pynenc_suite.findings import registry
from pynenc_suite.findings.fixes import FixNoLongerApplies
from pynenc_suite.findings.registry import ARTEFACTS, candidate_fixes, gate_fixed
from tests.detection import detect
from tests.regressions import registered_invocations_unseen

FIXED_ARTEFACTS = [  # Redis counterexamples replay in the explore tier on Redis (suite/explore/test_redis_commands.py)
    pytest.param(finding, ARTEFACTS / name, id=name)
    for finding in gate_fixed()
    for name in finding.artefacts
    if artefacts.load(ARTEFACTS / name).meta["engine"] != "redis"
]


def test_every_gate_fix_has_a_reproduction_to_pass() -> None:
    assert [f.id for f in gate_fixed()] == [
        "PYN-001",
        "PYN-005",
        "PYN-006",
        "PYN-008",
        "PYN-009",
        "PYN-013",
        "PYN-014",
        "PYN-015",
        "PYN-016",
    ]
    assert all(f.artefacts and f.gate is not None for f in gate_fixed())


def test_only_the_finding_without_a_sound_fix_keeps_its_filter() -> None:
    """PYN-007 needs the broker to hand an invocation over and the state store to record it in one step; the
    in-process change that would do so would also remove the window the gate's crashes land in."""
    filtered = [f.id for f in registry.FINDINGS if f.gate is not None and f.gate_fix is None]
    assert filtered == ["PYN-007"]


@pytest.mark.parametrize(("finding", "folder"), FIXED_ARTEFACTS)
def test_the_fix_passes_its_findings_reproduction(target: Target, finding: registry.Finding, folder: Path) -> None:
    artefact = artefacts.load(folder)
    assert invariants.check(artefact.meta["rule"], run_schedule(target, [artefact.meta["task"]], artefact.schedule))
    assert finding.gate_fix is not None
    with finding.gate_fix():
        history = run_schedule(target, [artefact.meta["task"]], artefact.schedule)
    assert invariants.check(artefact.meta["rule"], history) == []
    assert not finding.gate(history)  # type: ignore[misc]


PATCHED = {
    "PYN-001, PYN-009": "get_additional_invocations_to_run",
    "PYN-005, PYN-013": "set_invocation_status",
    "PYN-006": "route_call",
    "PYN-008": "route_calls",
}


def _patched_now() -> dict[str, object]:
    names = [*PATCHED.values(), "reroute_invocations", "get_blocking_invocations_to_run"]
    sweeps = {f"core_tasks.{t.__name__}": t.func for t in (core_tasks.recover_pending_invocations,
                                                           core_tasks.recover_running_invocations)}  # fmt: skip
    return {**{name: vars(BaseOrchestrator)[name] for name in names}, **sweeps}


def test_the_fixes_are_undone_after_the_block() -> None:
    unfixed = _patched_now()
    with candidate_fixes():
        fixed = _patched_now()
        assert all(fixed[name] is not unfixed[name] for name in unfixed)
        with candidate_fixes():  # entered twice (a fix shared by two findings, or nested runs): undone once
            pass
        assert _patched_now() == fixed
    assert _patched_now() == unfixed


def test_a_recovery_fix_for_code_that_changed_fails_loudly_naming_its_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    def changed() -> None:  # pynenc's sweep, as a new release might write it
        return None

    monkeypatch.setattr(core_tasks.recover_running_invocations, "func", changed)
    with pytest.raises(FixNoLongerApplies, match=r"^PYN-014, PYN-016: the candidate fix patches recover_running_invocations.func"), \
            every_gate_fix():  # fmt: skip
        pass
    assert core_tasks.recover_running_invocations.func is changed


@pytest.mark.parametrize(("finding", "method"), PATCHED.items())
def test_a_fix_for_code_that_changed_fails_loudly_naming_its_finding(
    monkeypatch: pytest.MonkeyPatch, finding: str, method: str
) -> None:
    def changed(self: BaseOrchestrator, *args: object) -> None:  # pynenc's method, as a new release might write it
        return None

    monkeypatch.setattr(BaseOrchestrator, method, changed)
    expected = rf"^{finding}: the candidate fix patches BaseOrchestrator.{method}, which differs"
    with pytest.raises(FixNoLongerApplies, match=expected), every_gate_fix():
        pass
    assert vars(BaseOrchestrator)[method] is changed  # nothing is left patched by the fixes entered before it


@pytest.fixture()
def fixes_checked_afresh() -> Iterator[None]:
    registry._applicable_fixes.cache_clear()
    yield
    registry._applicable_fixes.cache_clear()


@pytest.mark.usefixtures("fixes_checked_afresh")
def test_a_fix_that_no_longer_applies_is_left_out_and_its_finding_discarded_by_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a pynenc release whose code a fix was not written for (an older one, in ``pynenc-suite versions``),
    the gate runs the other fixes and discards that finding's examples by its signature, naming it."""
    assert [f.id for f in registry.fixed_in_gate()] == [f.id for f in gate_fixed()]

    def changed() -> None:
        return None

    monkeypatch.setattr(core_tasks.recover_running_invocations, "func", changed)
    registry._applicable_fixes.cache_clear()
    assert [f.id for f in registry.unfixed_in_gate()] == ["PYN-014", "PYN-016"]  # one change fixes both
    assert not {"PYN-014", "PYN-016"} & {f.id for f in registry.fixed_in_gate()}
    route_call = vars(BaseOrchestrator)["route_call"]
    with candidate_fixes():  # the other fixes still apply; the sweeps' is not entered
        assert core_tasks.recover_running_invocations.func is changed
        assert vars(BaseOrchestrator)["route_call"] is not route_call  # PYN-006's fix
    pyn014 = registry.by_id("PYN-014")
    folder = ARTEFACTS / pyn014.artefacts[0]
    shown = artefacts.load(folder).history
    assert registry.gate_finding_in(shown) is pyn014


@contextmanager
def every_gate_fix() -> Iterator[None]:
    """Every gate fix entered, whether or not it applies (one that does not raises FixNoLongerApplies)."""
    with ExitStack() as stack:
        for fix in dict.fromkeys(f.gate_fix for f in gate_fixed()):
            stack.enter_context(fix())  # type: ignore[misc]
        yield


def _batch_invocations_not_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A regression with PYN-008's exact symptom: invocations created by a batch are invisible to the key check."""
    index = MemOrchestrator.index_arguments_for_concurrency_control

    def index_but_batches(self: MemOrchestrator, invocation: object) -> None:
        if not isinstance(invocation.call, PreSerializedCall):  # type: ignore[attr-defined]
            index(self, invocation)  # type: ignore[arg-type]

    monkeypatch.setattr(MemOrchestrator, "index_arguments_for_concurrency_control", index_but_batches)


def test_a_regression_that_looks_like_a_fixed_finding_is_caught(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the candidate fix on, the gate judges the examples the PYN-008 filter used to discard, and catches a
    regression whose symptom is PYN-008's; with the filter instead of the fix, the same examples are discarded."""
    _batch_invocations_not_indexed(monkeypatch)
    seen = detect(target, "call_retrying", "exclusive-admission")
    assert seen.caught and "exclusive-admission" in seen.message
    print(f"\ncaught after {seen.examples_to_first_failure} example(s) with the fix on")
    filtered = tuple(dataclasses.replace(f, gate_fix=None) if f.gate_fix else f for f in registry.FINDINGS)
    monkeypatch.setattr(registry, "FINDINGS", filtered)
    assert not detect(target, "call_retrying", "exclusive-admission").caught


# Regressions whose symptom is a finding's, injected into pynenc with every candidate fix on (PYN-007 keeps its
# filter: its lookalike is caught in the examples the filter does not discard).
def _pending_holders_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYN-005's symptom: two same-key invocations admitted; the poll's check no longer counts PENDING holders."""
    check = BaseOrchestrator._is_authorize_by_concurrency_control
    monkeypatch.setattr(
        BaseOrchestrator, "is_candidate_to_run_by_concurrency_control",
        lambda self, inv: check(self, inv, [InvocationStatus.RUNNING]),
    )  # fmt: skip


def _finished_holders_still_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYN-013's symptom: an invocation blocked by a holder that had let go of the key (here: finished)."""
    check = BaseOrchestrator._is_authorize_by_concurrency_control
    monkeypatch.setattr(
        BaseOrchestrator, "is_candidate_to_run_by_concurrency_control",
        lambda self, inv: check(self, inv, [InvocationStatus.PENDING, InvocationStatus.RUNNING, InvocationStatus.SUCCESS]),
    )  # fmt: skip


def _requeue_skipped_in(status: InvocationStatus) -> Callable[[pytest.MonkeyPatch], None]:
    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        """PYN-001's / PYN-009's symptom: an invocation left in REROUTED / RETRY with no queue entry."""
        route = BaseOrchestrator.route_invocation

        def route_unless(self: BaseOrchestrator, invocation: DistributedInvocation) -> None:
            if self.get_invocation_status(invocation.invocation_id) is not status:
                route(self, invocation)

        monkeypatch.setattr(BaseOrchestrator, "route_invocation", route_unless)

    return inject


def _queue_loses_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYN-007's symptom without a crash: invocations taken off the queue and recorded nowhere (left REGISTERED);
    the broker pops two entries and hands over only the second."""
    retrieve = MemBroker.retrieve_invocation

    def retrieve_one_of_two(self: MemBroker, queue_name: str | None = None) -> str | None:
        first = retrieve(self, queue_name)
        second = retrieve(self, queue_name)
        return second if second is not None else first

    monkeypatch.setattr(MemBroker, "retrieve_invocation", retrieve_one_of_two)


def _recovered_invocations_not_released(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYN-014's symptom without a crash: a recovered invocation stays PENDING_RECOVERY / RUNNING_RECOVERY; the
    store keeps the mark when recovery reroutes it."""
    transition = MemOrchestrator._atomic_status_transition

    def keep_the_mark(self: MemOrchestrator, invocation_id: str, status: InvocationStatus, runner_id: object) -> object:
        current = self.get_invocation_status_record(invocation_id)
        if status is InvocationStatus.REROUTED and current.status in (InvocationStatus.PENDING_RECOVERY,
                                                                      InvocationStatus.RUNNING_RECOVERY):  # fmt: skip
            return current
        return transition(self, invocation_id, status, runner_id)  # type: ignore[arg-type]

    monkeypatch.setattr(MemOrchestrator, "_atomic_status_transition", keep_the_mark)


LOOKALIKES = [
    pytest.param(_requeue_skipped_in(InvocationStatus.REROUTED), "call_keyed_drop", "liveness", id="PYN-001"),
    pytest.param(_pending_holders_ignored, "call_keyed", "exclusive-admission", id="PYN-005"),
    pytest.param(registered_invocations_unseen, "refresh_once", "registration-dedup", id="PYN-006"),
    pytest.param(_queue_loses_entries, "call_keyed", "liveness", id="PYN-007"),
    pytest.param(_requeue_skipped_in(InvocationStatus.RETRY), "call_retrying", "liveness", id="PYN-009"),
    pytest.param(_finished_holders_still_block, "call_keyed_drop", "drop-semantics", id="PYN-013"),
    pytest.param(_recovered_invocations_not_released, "call_keyed", "liveness", id="PYN-014"),
]
# PYN-016's lookalike (running recovery judging a runner by its invocation's age) is caught with every fix on in
# tests/test_recovery_edges.py, which runs the same detection and also checks the edge its counterexample reaches.


@pytest.mark.parametrize(("inject", "task", "rule"), LOOKALIKES)
def test_a_regression_with_a_findings_symptom_is_caught(
    target: Target, monkeypatch: pytest.MonkeyPatch, inject: Callable[[pytest.MonkeyPatch], None], task: str, rule: str
) -> None:
    inject(monkeypatch)
    seen = detect(target, task, rule)
    print(f"\n{task} / {rule}: caught after {seen.examples_to_first_failure} example(s) with every candidate fix on")
    assert seen.caught and rule in seen.message


@pytest.mark.parametrize(("atomic", "expected"), [(False, ["b1", "a1", "a2"]), (True, ["a1", "a2", "b1"])])
def test_a_section_run_uninterruptible_is_one_step_of_its_operation(atomic: bool, expected: list[str]) -> None:
    """Inside a candidate fix's atomic section no yield point switches operations, even where the schedule
    preempts; outside it the same preemption switches."""
    interleaver, ran = Interleaver(decide_everywhere=True), []

    def a() -> None:
        with uninterruptible() if atomic else nullcontext():
            interleaver.yield_point("a1")
            ran.append("a1")
            interleaver.yield_point("a2")
            ran.append("a2")

    def b() -> None:
        interleaver.yield_point("b1")
        ran.append("b1")

    interleaver.run_group([("a", None, a), ("b", None, b)], preemptions=[1])
    assert ran == expected


def test_without_fixes_the_gate_runs_pynenc_as_installed_and_discards_every_finding_by_signature() -> None:
    """``--without-fixes``: no candidate fix is applied, and a fixed finding's examples are discarded by its
    signature (as on a release its fix was not written for)."""
    pyn014 = registry.by_id("PYN-014")
    shown = artefacts.load(ARTEFACTS / pyn014.artefacts[0]).history
    assert registry.gate_finding_in(shown) is None  # the gate runs PYN-014's fix: its examples are judged
    route_call = vars(BaseOrchestrator)["route_call"]
    registry.use_candidate_fixes(False)
    try:
        assert registry.fixed_in_gate() == ()
        assert registry.gate_finding_in(shown) is pyn014
        with candidate_fixes():
            assert vars(BaseOrchestrator)["route_call"] is route_call  # nothing patched
    finally:
        registry.use_candidate_fixes(True)
    assert [f.id for f in registry.fixed_in_gate()] == [f.id for f in gate_fixed()]
