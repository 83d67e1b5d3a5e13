"""The explore tier on Redis: decision points between Redis commands, and the findings only they reach.

On pynenc-redis a method may read a record, decide in Python, then write: nothing
serialises it as the memory backend's lock does, so the interleaver also decides
before each Redis command (``drivers/deterministic/redis_commands.py``).  These
tests run when the explore tier runs on Redis (``tox -e explore-redis``): each
committed Redis counterexample replays to its history and is a strict xfail, and
the race behind PYN-015 is shown reachable only with those decision points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pynenc_suite import artefacts
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.explore import interleavings
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.drivers.deterministic.redis_commands import methods_only
from pynenc_suite.drivers.recovery import app_recovery_horizon
from pynenc_suite.findings import registry
from pynenc_suite.findings.registry import ARTEFACTS, artefact_folders, by_id, candidate_fixes
from pynenc_suite.history.timeline import render
from pynenc_suite.judge import judge
from pynenc_suite.schedules.steps import Together
from pynenc_suite.strategies.scenarios import scenarios
from pynenc_suite.tiers.explore import explore_scenario
from pynenc_suite.verdicts import PropertyViolation, require

pytestmark = pytest.mark.pynenc_explore

CALL = {"account_id": "a", "op": "x"}
REDIS_ARTEFACTS = [(f, folder) for f, folder in artefact_folders() if artefacts.load(folder).meta["engine"] == "redis"]


@pytest.fixture()
def on_redis(pynenc_target: Target) -> Target:
    if pynenc_target.engine != "redis" or "call_keyed" not in pynenc_target.tasks:
        pytest.skip("runs in the explore tier on Redis with the reference app (tox -e explore-redis)")
    return pynenc_target


@pytest.mark.parametrize("folder", [pytest.param(folder, id=folder.name) for _, folder in REDIS_ARTEFACTS])
def test_a_redis_counterexample_replays_the_same_history(on_redis: Target, folder: Path) -> None:
    artefact = artefacts.load(folder)
    for _ in range(3):
        history = run_schedule(on_redis, [artefact.meta["task"]], artefact.schedule)
        assert history.to_json() == artefact.history.to_json()
        assert [str(v) for v in judge(history, [artefact.meta["rule"]]).violations] == artefact.meta["violations"]


@pytest.mark.parametrize("folder", [
    pytest.param(folder, id=folder.name,
                 marks=pytest.mark.xfail(strict=True, raises=PropertyViolation, reason=f"{f.reason} ({folder.name})"))
    for f, folder in REDIS_ARTEFACTS
])  # fmt: skip
def test_a_redis_finding_is_fixed(on_redis: Target, folder: Path) -> None:
    artefact = artefacts.load(folder)
    history = run_schedule(on_redis, [artefact.meta["task"]], artefact.schedule)
    violations = judge(history, [artefact.meta["rule"]]).violations
    require(not violations, lambda: render(history, violations))


def _broken_interleavings(target: Target, bound: int) -> tuple[int, int]:
    """(interleavings, how many break a rule) of PYN-015's group: r1's sweep and r0's start of an overdue
    PENDING invocation."""
    schedule = artefacts.load(ARTEFACTS / by_id("PYN-015").artefacts[0]).schedule
    prefix, group = schedule.steps[:-1], schedule.steps[-1]
    assert isinstance(group, Together)
    runs = [run.history for run in interleavings(target, "call_keyed", prefix, group.steps, schedule.runners, bound)]
    return len(runs), sum(bool(judge(history).violations) for history in runs)


def test_the_status_race_is_reached_only_between_redis_commands(on_redis: Target) -> None:
    """PYN-015 needs a preemption between the GET of a status record and the EXEC that writes it: inside one
    pynenc-redis method.  Deciding at methods only (as on memory) no interleaving breaks a rule; deciding at
    every command some do; with the candidate fix (a WATCHed compare-and-set) none do."""
    with methods_only():
        tried, broken = _broken_interleavings(on_redis, bound=1)
    assert tried and not broken, (tried, broken)
    tried, broken = _broken_interleavings(on_redis, bound=1)
    assert broken, f"none of {tried} interleavings between Redis commands broke a rule"
    gate_fix = by_id("PYN-015").gate_fix
    assert gate_fix is not None, "PYN-015 has a gate fix"
    with gate_fix():
        tried, broken = _broken_interleavings(on_redis, bound=1)
    assert tried and not broken, (tried, broken)
    with candidate_fixes():
        tried, broken = _broken_interleavings(on_redis, bound=2)
    assert tried and not broken, (tried, broken)


def test_the_tiers_own_scenario_meets_pyn_015_on_unmodified_pynenc(
    on_redis: Target, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The explore tier's ``start+recover`` scenario (a live runner's PENDING invocation past max pending seconds
    when a sweep comes) reaches PYN-015 on its own: on pynenc as installed, interleavings show its signature (the
    sweep reroutes the invocation between the start's GET and its EXEC, which then writes RUNNING over
    REROUTED); with every candidate fix, none breaks a rule."""
    scenario = next(s for s in scenarios("call_keyed", CALL, 2, app_recovery_horizon(on_redis.app))
                    if s.name == "start+recover")  # fmt: skip
    with_fixes = explore_scenario(on_redis, "call_keyed", scenario, 1, tmp_path)
    assert not with_fixes["known"], with_fixes
    monkeypatch.setattr(registry, "fixed_in_gate", lambda: ())
    unmodified = explore_scenario(on_redis, "call_keyed", scenario, 1, tmp_path)
    assert unmodified["known"].get("PYN-015"), unmodified
