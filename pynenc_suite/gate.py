"""One gate property: draw a schedule for one task, run it on the real app, judge one rule.

A failing example writes its counterexample folder (the last one written is
Hypothesis's minimal example) and fails with the violated rule, a per-key
timeline and the command that replays it.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import assume, note
from hypothesis import strategies as st

from pynenc_suite import artefacts, invariants, tallies
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.run import knobs_for, run_schedule
from pynenc_suite.drivers.deterministic.shared_runs import SharedRuns
from pynenc_suite.drivers.recovery import dead_after_seconds
from pynenc_suite.findings.registry import candidate_fixes, fixed_in_gate, gate_finding_in
from pynenc_suite.history import situations
from pynenc_suite.history.timeline import render
from pynenc_suite.session import options
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


def check_rule(
    target: Target,
    task_name: str,
    rule: str,
    data: st.DataObject,
    shared: SharedRuns | None = None,
    folder: Path | None = None,
) -> None:
    """Draw a schedule, run it (or take its history from ``shared``), judge ``rule``.

    A violation is saved in ``folder`` (default: the artefact folder named after the running test)."""
    under_test = target.under_test(task_name)
    schedule = data.draw(schedules([under_test], knobs_for(target)), label="schedule")
    with candidate_fixes():  # examples showing a finding with a candidate fix are judged, not discarded
        history = shared.history(target, [task_name], schedule) if shared else run_schedule(target, [task_name], schedule)
    test_id = os.environ.get("PYTEST_CURRENT_TEST", f"{task_name}-{rule}").split(" ")[0]
    known = gate_finding_in(history)
    if known is not None:
        # A recorded pynenc defect (a strict xfail of its own keeps it tracked): skip this example only.
        tallies.discarded(test_id, known.id)
        note(f"example shows known finding {known.id}; discarded")
        assume(False)
    max_pending = float(target.app.conf.max_pending_seconds)
    tallies.judged(test_id, situations.reached(history, max_pending, dead_after_seconds(target.app)))
    violations = invariants.check(rule, history)
    if violations:
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
            f"{len(violations)} violation(s) of {rule} on {task_name}:\n"
            + "\n".join(f"  {v}" for v in violations)
            + f"\n\n{render(history, violations)}\n\nschedule and history: {folder}/"
            + f"\nreplay: {artefacts.replay_command(folder)}"
        )
