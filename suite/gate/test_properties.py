"""The gate: every property of the contract, for every task with a concurrency policy.

Each test runs random schedules of one task (several producers, several
runners, crashes, graceful stops, virtual time, recovery sweeps) against the
real pynenc app and checks one rule of the contract over the recorded history
(:mod:`pynenc_suite.tiers.gate`).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pynenc_suite.active import target_for
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.shared_runs import SharedRuns
from pynenc_suite.tiers.gate import FailureBudget, cases, check_rule


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "task_rule" in metafunc.fixturenames:
        # A task's rules share one worker, where they judge the same runs (drivers/deterministic/shared_runs.py).
        params = [
            pytest.param(case, id=f"{case[0]}-{case[1]}", marks=pytest.mark.xdist_group(f"task-{case[0]}"))
            for case in cases(target_for())
        ]
        metafunc.parametrize("task_rule", params)


SHARED = SharedRuns()
BUDGET = FailureBudget()


@pytest.fixture(autouse=True)
def _fresh_budget() -> None:
    """Each property's time after its first failure is bounded by a budget of its own."""
    BUDGET.reset()


@given(data=st.data())
def test_property(pynenc_target: Target, task_rule: tuple[str, str], data: st.DataObject) -> None:
    """The task's policy keeps the rule over random schedules with crashes and recovery."""
    task_name, rule = task_rule
    check_rule(pynenc_target, task_name, rule, data, SHARED, budget=BUDGET)
