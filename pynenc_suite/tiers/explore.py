"""One scenario of the explore tier, judged: every interleaving up to the bound, every rule that binds the task.

pynenc runs with the candidate fixes of the recorded findings, as in the gate, so a violation is a new defect:
it is saved as a replayable counterexample and raised as :class:`~pynenc_suite.verdicts.PropertyViolation`.
An interleaving that shows a finding without a candidate fix (its gate signature) is counted under that
finding and the search goes on.
"""

from __future__ import annotations

import time
from pathlib import Path

from pynenc_suite import artefacts, invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.explore import interleavings
from pynenc_suite.findings.registry import candidate_fixes, fixed_in_gate
from pynenc_suite.history.timeline import render
from pynenc_suite.judge import Findings, judge
from pynenc_suite.schedules.scenario import Scenario
from pynenc_suite.verdicts import PropertyViolation


def explore_scenario(target: Target, task: str, scenario: Scenario, bound: int, artefacts_root: Path) -> dict:
    """Judge every interleaving of ``scenario`` on ``task``; the summary row (runs, decision points, known
    findings met, seconds), or PropertyViolation with the saved counterexample's replay command."""
    rules = [rule.name for rule in invariants.RULES.values() if rule.applies_to(target.policies[task])]
    started = time.monotonic()
    runs = decisions = 0
    known: dict[str, int] = {}
    with candidate_fixes():
        for run in interleavings(target, task, scenario.prefix, scenario.group, scenario.runners, bound):
            runs += 1
            decisions = max(decisions, run.decisions)
            judgement = judge(run.history, rules, Findings.GATE)
            if judgement.set_aside is not None:
                known[judgement.set_aside.id] = known.get(judgement.set_aside.id, 0) + 1
                continue
            violations = judgement.violations
            if not violations:
                continue
            rule = violations[0].rule
            folder = artefacts.save(
                artefacts.folder_for(artefacts_root, f"explore-{task}-{scenario.name}"), run.schedule, run.history,
                app=target.spec, engine=target.engine, task=task, rule=rule,
                violations=[v for v in violations if v.rule == rule], fixes=[f.id for f in fixed_in_gate()],
            )  # fmt: skip
            raise PropertyViolation(
                f"{scenario.name} on {task}: {rule} broken after {runs} interleavings:\n{run.schedule!r}\n"
                f"{render(run.history, violations)}\nschedule and history: {folder}/\n"
                f"replay: {artefacts.replay_command(folder)}"
            )
    return {"task": task, "scenario": scenario.name, "runs": runs, "decisions": decisions, "known": known,
            "seconds": time.monotonic() - started}  # fmt: skip
