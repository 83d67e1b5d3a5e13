"""The explore tier: every small group of concurrent operations, every preemption placement up to a bound.

For each controlled task and each multiset of ``--size`` operation kinds (enqueue, poll, start,
runner iteration, recovery sweep, crash, stop; :mod:`pynenc_suite.strategies.scenarios`), the group
runs on one key after a prefix that gives each operation something to act on, under every set of
at most ``--bound`` preemptions, fewest first, over every decision point a run reached.  Every
rule that binds the task judges every interleaving.

pynenc runs with the candidate fixes of the recorded findings, as in the gate, so a violation is a
new defect.  An interleaving that shows a finding with no candidate fix (its gate signature) is
counted under that finding in the summary and the search goes on; the finding's own strict xfails
keep it tracked.  ``pynenc-suite explore [APP] [--size N] [--bound N]``.
"""

from __future__ import annotations

import pytest

from pynenc_suite.active import active_options, options, target_for
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.recovery import app_recovery_horizon
from pynenc_suite.plugin.summaries import EXPLORE, RecordProperty
from pynenc_suite.schedules.scenario import Scenario
from pynenc_suite.strategies.arguments import simplest_kwargs
from pynenc_suite.strategies.scenarios import scenarios
from pynenc_suite.tiers.explore import explore_scenario

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
    pynenc_target: Target, scenario: tuple[str, Scenario], record_property: RecordProperty
) -> None:
    name, group = scenario
    chosen = options()
    record_property(EXPLORE, explore_scenario(pynenc_target, name, group, chosen.explore_bound, chosen.artefacts))
