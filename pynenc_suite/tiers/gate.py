"""One gate property: draw a schedule for one task, run it on the real app, judge one rule.

A failing example writes its counterexample folder (the last one written is
Hypothesis's minimal example) and fails with the violated rule, a per-key
timeline and the command that replays it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import assume, note
from hypothesis import strategies as st

from pynenc_suite import artefacts, interrupts, invariants
from pynenc_suite.active import options
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import knobs_for, run_schedule
from pynenc_suite.drivers.deterministic.shared_runs import SharedRuns
from pynenc_suite.drivers.recovery import dead_after_seconds
from pynenc_suite.findings.registry import candidate_fixes, fixed_in_gate
from pynenc_suite.history import situations
from pynenc_suite.history.timeline import render
from pynenc_suite.judge import Findings, judge
from pynenc_suite.plugin import tallies
from pynenc_suite.strategies.schedules import schedules
from pynenc_suite.verdicts import PropertyViolation


def cases(target: Target) -> list[tuple[str, str]]:
    """Every (task, rule) the gate checks: each controlled task with each rule its policy is bound by."""
    return [
        (name, rule.name)
        for name in target.controlled
        for rule in invariants.RULES.values()
        if rule.applies_to(target.policies[name])
    ]


FAILURE_SECONDS = 60.0  # what a property may spend after its first failing example (generating on, shrinking)
FAILURE_SECONDS_VARIABLE = "PYNENC_SUITE_FAILURE_SECONDS"  # overrides it (e.g. 600 to shrink further)


class FailureBudget:
    """Bounds what a property spends once it has failed: Hypothesis has no public shrink-time setting (it stops
    shrinking after five minutes, and only between examples).

    For ``seconds`` after the first failing example every example runs; after them only the schedules that
    already failed run again (Hypothesis replays its smallest one to report it), and any other is rejected
    unrun, so generating and shrinking stop improving within a few quick calls and the smallest failure found
    so far is the one reported.  Sound: no example is judged without being run.  One budget per test (item).
    """

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = float(os.environ.get(FAILURE_SECONDS_VARIABLE, FAILURE_SECONDS)) if seconds is None else seconds
        self.reset()

    def reset(self) -> None:
        self._first: float | None = None  # time.monotonic() of the first failure
        self._failed: set[str] = set()

    def spent(self, schedule: object) -> bool:
        """Whether ``schedule`` is to be rejected unrun: the budget is over and it has not failed before."""
        over = self._first is not None and time.monotonic() - self._first > self.seconds
        return over and repr(schedule) not in self._failed

    def failed(self, schedule: object) -> None:
        if self._first is None:
            self._first = time.monotonic()
        self._failed.add(repr(schedule))


def check_rule(
    target: Target,
    task_name: str,
    rule: str,
    data: st.DataObject,
    shared: SharedRuns | None = None,
    folder: Path | None = None,
    budget: FailureBudget | None = None,
    save: bool = True,
) -> None:
    """Draw a schedule, run it (or take its history from ``shared``), judge ``rule``.

    A violation is saved in ``folder`` (default: the artefact folder named after the running test) unless not
    to ``save``.  With a ``budget``, the schedules it rejects are discarded unrun."""
    interrupts.check()  # a Ctrl-C that Python dropped ends the run here, at the next example
    under_test = target.under_test(task_name)
    schedule = data.draw(schedules([under_test], knobs_for(target)), label="schedule")
    if budget is not None and budget.spent(schedule):
        note(f"the property failed more than {budget.seconds:g}s ago: this schedule is not run")
        assume(False)
    with candidate_fixes():  # examples showing a finding with a candidate fix are judged, not discarded
        history = (
            shared.history(target, [task_name], schedule) if shared else run_schedule(target, [task_name], schedule)
        )
    test_id = os.environ.get("PYTEST_CURRENT_TEST", f"{task_name}-{rule}").split(" ")[0]
    judgement = judge(history, [rule], Findings.GATE)
    if judgement.set_aside is not None:
        # A recorded pynenc defect (a strict xfail of its own keeps it tracked): skip this example only.
        tallies.discarded(test_id, judgement.set_aside.id)
        note(f"example shows known finding {judgement.set_aside.id}; discarded")
        assume(False)
    max_pending = float(target.app.conf.max_pending_seconds)
    tallies.judged(test_id, situations.reached(history, max_pending, dead_after_seconds(target.app)))
    violations = judgement.violations
    if violations:
        if budget is not None:
            budget.failed(schedule)
        proof = (
            f"{len(violations)} violation(s) of {rule} on {task_name}:\n"
            + "\n".join(f"  {v}" for v in violations)
            + f"\n\n{render(history, violations)}"
        )
        if not save:
            raise PropertyViolation(proof)
        if folder is None:
            folder = artefacts.folder_for(options().artefacts, test_id)
        artefacts.save(
            folder,
            schedule,
            history,
            app=target.spec,
            engine=target.engine,
            task=task_name,
            rule=rule,
            violations=violations,
            configured=target.configured.get(task_name),
            fixes=[f.id for f in fixed_in_gate()],
        )
        raise PropertyViolation(
            f"{proof}\n\nschedule and history: {folder}/\nreplay: {artefacts.replay_command(folder)}"
        )
