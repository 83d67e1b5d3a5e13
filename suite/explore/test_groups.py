"""The explore tier: every small group of concurrent operations, every preemption placement up to a bound.

For each controlled task and each multiset of ``--size`` operation kinds (enqueue, poll, start,
runner iteration, recovery sweep, crash, stop; :mod:`pynenc_suite.strategies.groups`), the group
runs on one key after a prefix that gives each operation something to act on, under every set of
at most ``--bound`` preemptions, fewest first, over every decision point a run reached.  Every
rule that binds the task judges every interleaving.

pynenc runs with the candidate fixes of the recorded findings, as in the gate, so a violation is a
new defect.  An interleaving that shows a finding with no candidate fix (its gate signature) is
counted under that finding in the summary and the search goes on; the finding's own strict xfails
keep it tracked.  ``pynenc-suite explore [APP] [--size N] [--bound N]``.
"""

from __future__ import annotations

import time

import pytest

from pynenc_suite import artefacts, invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.explore import interleavings
from pynenc_suite.drivers.recovery import app_recovery_horizon
from pynenc_suite.findings.registry import candidate_fixes, gate_finding_in, gate_fixed
from pynenc_suite.history.timeline import render
from pynenc_suite.session import active_options, options, target_for
from pynenc_suite.strategies.arguments import simplest_kwargs
from pynenc_suite.strategies.groups import Scenario, scenarios
from pynenc_suite.summaries import EXPLORE
from pynenc_suite.verdicts import PropertyViolation

pytestmark = pytest.mark.pynenc_explore


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scenario" not in metafunc.fixturenames:
        return
    chosen = active_options()
    params = []
    if chosen is not None and chosen.tier == "explore":
        target = target_for()
        horizon = app_recovery_horizon(target.app)
        for name in target.controlled:
            call = simplest_kwargs(target.under_test(name).func)
            for scenario in scenarios(name, call, chosen.explore_size, horizon):
                params.append(pytest.param((name, scenario), id=f"{name}-{scenario.name}"))
    metafunc.parametrize("scenario", params)


def test_no_violation_in_any_interleaving(
    pynenc_target: Target, scenario: tuple[str, Scenario], record_property: pytest.RecordProperty
) -> None:
    name, group = scenario
    target = pynenc_target
    rules = [rule for rule in invariants.RULES.values() if rule.applies_to(target.policies[name])]
    started = time.monotonic()
    runs = decisions = 0
    known: dict[str, int] = {}
    with candidate_fixes():
        for run in interleavings(target, name, group.prefix, group.group, group.runners, options().explore_bound):
            runs += 1
            decisions = max(decisions, run.decisions)
            violations = [v for rule in rules for v in rule.check(run.history)]
            if not violations:
                continue
            finding = gate_finding_in(run.history)
            if finding is not None:
                known[finding.id] = known.get(finding.id, 0) + 1
                continue
            rule = violations[0].rule
            folder = artefacts.save(
                artefacts.folder_for(options().artefacts, f"explore-{name}-{group.name}"), run.schedule, run.history,
                app=target.spec, engine=target.engine, task=name, rule=rule,
                violations=[v for v in violations if v.rule == rule], fixes=[f.id for f in gate_fixed()],
            )  # fmt: skip
            raise PropertyViolation(
                f"{group.name} on {name}: {rule} broken after {runs} interleavings:\n{run.schedule!r}\n"
                f"{render(run.history, violations)}\nschedule and history: {folder}/\n"
                f"replay: {artefacts.replay_command(folder)}"
            )
    record_property(EXPLORE, {"task": name, "scenario": group.name, "runs": runs, "decisions": decisions,
                              "known": known, "seconds": time.monotonic() - started})  # fmt: skip
