"""Candidate fixes: each one passes its finding's reproduction, refuses pynenc code it was not written for,
and lets the gate see a new regression with the fixed finding's symptom instead of discarding it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pynenc.call import PreSerializedCall
from pynenc.orchestrator.base_orchestrator import BaseOrchestrator
from pynenc.orchestrator.mem_orchestrator import MemOrchestrator

from pynenc_suite import artefacts, invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.run import run_schedule
from pynenc_suite.findings import registry
from pynenc_suite.findings.fixes import FixNoLongerApplies
from pynenc_suite.findings.registry import ARTEFACTS, candidate_fixes, gate_fixed
from tests.detection import detect

FIXED_ARTEFACTS = [
    pytest.param(finding, ARTEFACTS / name, id=name) for finding in gate_fixed() for name in finding.artefacts
]


def test_every_gate_fix_has_a_reproduction_to_pass() -> None:
    assert [f.id for f in gate_fixed()] == ["PYN-008"]
    assert all(f.artefacts and f.gate is not None for f in gate_fixed())


@pytest.mark.parametrize(("finding", "folder"), FIXED_ARTEFACTS)
def test_the_fix_passes_its_findings_reproduction(target: Target, finding: registry.Finding, folder: Path) -> None:
    artefact = artefacts.load(folder)
    assert invariants.check(artefact.meta["rule"], run_schedule(target, [artefact.meta["task"]], artefact.schedule))
    assert finding.gate_fix is not None
    with finding.gate_fix():
        history = run_schedule(target, [artefact.meta["task"]], artefact.schedule)
    assert invariants.check(artefact.meta["rule"], history) == []
    assert not finding.gate(history)  # type: ignore[misc]


def test_the_fixes_are_undone_after_the_block() -> None:
    unfixed = BaseOrchestrator.route_calls
    with candidate_fixes():
        assert BaseOrchestrator.route_calls is not unfixed
    assert BaseOrchestrator.route_calls is unfixed


def test_a_fix_for_code_that_changed_fails_loudly_naming_its_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    def route_calls(self: BaseOrchestrator, calls: list) -> list:  # pynenc's method, as a new release might write it
        return []

    monkeypatch.setattr(BaseOrchestrator, "route_calls", route_calls)
    with pytest.raises(FixNoLongerApplies, match=r"^PYN-008: the candidate fix patches BaseOrchestrator.route_calls, which differs"), \
            candidate_fixes():  # fmt: skip
        pass


def _batch_invocations_not_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A regression with PYN-008's exact symptom: invocations created by a batch are invisible to the key check."""
    index = MemOrchestrator.index_arguments_for_concurrency_control

    def index_but_batches(self: MemOrchestrator, invocation: object) -> None:
        if not isinstance(invocation.call, PreSerializedCall):  # type: ignore[attr-defined]
            index(self, invocation)  # type: ignore[arg-type]

    monkeypatch.setattr(MemOrchestrator, "index_arguments_for_concurrency_control", index_but_batches)


def test_a_regression_that_looks_like_a_fixed_finding_is_caught(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the candidate fix on, the gate judges the examples the PYN-008 filter used to discard, and catches a
    regression whose symptom is PYN-008's; with the filter instead of the fix, the same examples are discarded."""
    _batch_invocations_not_indexed(monkeypatch)
    seen = detect(target, "call_retrying", "exclusive-admission")
    assert seen.caught and "exclusive-admission" in seen.message
    print(f"\ncaught after {seen.examples_to_first_failure} example(s) with the fix on")
    filtered = tuple(dataclasses.replace(f, gate_fix=None) if f.gate_fix else f for f in registry.FINDINGS)
    monkeypatch.setattr(registry, "FINDINGS", filtered)
    assert not detect(target, "call_retrying", "exclusive-admission").caught
