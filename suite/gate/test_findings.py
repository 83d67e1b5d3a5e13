"""Defects of pynenc found by the suite, each reproduced as the findings registry says.

Every reproduction is a strict xfail, generated from
:mod:`pynenc_suite.findings.registry`: green while pynenc has the defect, red the
day pynenc fixes it, so the finding (and its gate filter) get removed.  The
committed counterexamples must also replay to exactly the history they recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pynenc_suite import artefacts
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.drivers.keys.audit import AuditRow, KeyedArgument, add_process_keys, audit
from pynenc_suite.engines.registry import same_decision_points
from pynenc_suite.findings.registry import FINDINGS, Finding, artefact_folders
from pynenc_suite.history.model import Mode
from pynenc_suite.history.timeline import render
from pynenc_suite.judge import judge
from pynenc_suite.schedules.steps import Enqueue, Poll, Schedule, Start
from pynenc_suite.strategies.equal_keys import BY_NAME
from pynenc_suite.verdicts import PropertyViolation, require

ARTEFACTS = [pytest.param(folder, id=folder.name) for _, folder in artefact_folders()]


def _xfail(finding: Finding, name: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, raises=PropertyViolation, reason=f"{finding.reason} ({name})")


@pytest.fixture()
def reference(pynenc_target: Target) -> Target:
    if "call_keyed_drop" not in pynenc_target.tasks:
        pytest.skip("findings are reproduced on the reference app")
    return pynenc_target


def _loaded_for(target: Target, folder: Path) -> artefacts.Artefact:
    """The artefact, if it replays on the target's engine (the Redis explore tier replays Redis ones)."""
    artefact = artefacts.load(folder)
    if not same_decision_points(artefact.meta["engine"], target.engine):
        pytest.skip(f"recorded on {artefact.meta['engine']}: its preemptions count Redis commands")
    return artefact


@pytest.mark.parametrize("folder", ARTEFACTS)
def test_committed_artefact_replays_the_same_history(reference: Target, folder: Path) -> None:
    """Each committed counterexample reproduces exactly: same history, same violations (three runs)."""
    artefact = _loaded_for(reference, folder)
    for _ in range(3):
        history = run_schedule(reference, [artefact.meta["task"]], artefact.schedule)
        assert history.to_json() == artefact.history.to_json()
        assert [str(v) for v in judge(history, [artefact.meta["rule"]]).violations] == artefact.meta["violations"]


@pytest.mark.parametrize(
    "folder", [pytest.param(folder, id=folder.name, marks=_xfail(f, folder.name)) for f, folder in artefact_folders()]
)
def test_committed_finding_is_fixed(reference: Target, folder: Path) -> None:
    """Green (xfail) while pynenc has the defect; fails the day the replayed schedule keeps the rule."""
    artefact = _loaded_for(reference, folder)
    history = run_schedule(reference, [artefact.meta["task"]], artefact.schedule)
    violations = judge(history, [artefact.meta["rule"]]).violations
    require(not violations, lambda: render(history, violations))


def _sample(target: Target, task: str, cls_name: str) -> tuple:
    """The audit's minimal group of ``cls_name`` that pynenc keys wrongly for ``task``'s account_id."""
    return audit(target.tasks[task], KeyedArgument(task, "account_id", Mode.KEYS), BY_NAME[cls_name]).sample


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


def _classes(kind: str) -> list:
    return [
        pytest.param(name, id=name, marks=_xfail(finding, name))
        for finding in FINDINGS
        for name in getattr(finding, kind)
    ]


@pytest.mark.parametrize("cls_name", _classes("split_classes"))
def test_equal_keys_never_run_at_once(reference: Target, cls_name: str) -> None:
    """End to end: two calls whose account ids are equal in Python must not be in flight together."""
    first, second = _sample(reference, "call_keyed", cls_name)[:2]
    history = run_schedule(reference, ["call_keyed"], _two_at_once("call_keyed", first, second))
    violations = judge(history, ["no-overlap"]).violations
    require(not violations, lambda: render(history, violations))


@pytest.mark.parametrize("cls_name", _classes("collapsed_classes"))
def test_distinct_keys_are_never_blocked_by_each_other(reference: Target, cls_name: str) -> None:
    """End to end: two calls for distinct accounts are never blocked by each other (drop policy)."""
    first, second = _sample(reference, "call_keyed_drop", cls_name)[:2]
    history = run_schedule(reference, ["call_keyed_drop"], _two_at_once("call_keyed_drop", first, second))
    violations = judge(history, ["drop-semantics"]).violations
    require(not violations, lambda: render(history, violations))


_PROCESS_ROWS: dict[str, dict[str, AuditRow]] = {}


def _keyed_in_processes(target: Target) -> dict[str, AuditRow]:
    """Every process class's audit row with its keys from one set of processes (one per hash seed), once."""
    if target.spec not in _PROCESS_ROWS:
        keyed = KeyedArgument("call_keyed", "account_id", Mode.KEYS)
        names = [name for finding in FINDINGS for name in finding.process_classes]
        rows = [audit(target.tasks["call_keyed"], keyed, BY_NAME[name]) for name in names]
        add_process_keys(target.spec, rows)
        _PROCESS_ROWS[target.spec] = dict(zip(names, rows, strict=True))
    return _PROCESS_ROWS[target.spec]


@pytest.mark.xdist_group("findings-across-processes")  # the processes are started once for every class
@pytest.mark.parametrize("cls_name", _classes("process_classes"))
def test_keys_are_the_same_in_every_process(reference: Target, cls_name: str) -> None:
    """The same account id gets the same key in processes started with different hash seeds (the audit's
    cross-process check, on the class whatever the app's declared type)."""
    row = _keyed_in_processes(reference)[cls_name]
    require(row.process_stable is not False, lambda: f"{cls_name}: keys by process {row.process_keys}")
