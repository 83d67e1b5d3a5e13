"""The explore tier's building blocks: the scenario catalogue and the interleaving search.

The catalogue holds one scenario per multiset of operation kinds, each with a prefix that leaves
every operation something to act on; the search tries every preemption set up to its bound over
every decision point a run reached, fewest first; and the search finds a defect that lives only
where a recovery sweep and a crash of the sweeping runner run together (PYN-014, on unmodified
pynenc), and not with the candidate fixes on, and one that lives only in a group of three: two
running-recovery sweeps beside a live runner (PYN-016), which no pair of them reaches.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import subprocess
import sys
from math import comb
from pathlib import Path

import pytest
from pynenc.invocation.status import InvocationStatus

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.artefacts.replay import replay
from pynenc_suite.drivers.deterministic.explore import interleavings
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import candidate_fixes
from pynenc_suite.schedules.scenario import Scenario
from pynenc_suite.schedules.steps import Advance, Crash, Enqueue, Iterate, Poll, Recover, Schedule, Start, Stop
from pynenc_suite.strategies.scenarios import KINDS, SPARE, scenarios
from pynenc_suite.tiers.explore import explore_scenario
from pynenc_suite.verdicts import PropertyViolation

CALL = {"account_id": "a", "op": "x"}


def test_one_scenario_per_multiset_of_operation_kinds() -> None:
    for size in (1, 2, 3):
        names = [s.name for s in scenarios("call_keyed", CALL, size)]
        assert len(names) == len(set(names)) == comb(len(KINDS) + size - 1, size)


def test_every_operation_has_something_to_act_on() -> None:
    for scenario in scenarios("call_keyed", CALL, 3):
        held = {step.runner for step in scenario.prefix if isinstance(step, Poll)}
        for step in scenario.group:
            if isinstance(step, Start):
                assert step.runner in held, scenario.name  # a start has a PENDING invocation to run
            if isinstance(step, Crash | Stop) and not any(
                isinstance(s, Poll | Start | Iterate | Recover) for s in scenario.group
            ):
                assert step.runner in held, scenario.name  # a lone strike hits a runner holding work
        if any(isinstance(step, Recover) for step in scenario.group):
            if any(isinstance(step, Start) for step in scenario.group):  # the sweep may take what a start holds
                assert Advance(601.0) in scenario.prefix and Crash(SPARE) not in scenario.prefix
                assert scenario.prefix.index(Advance(601.0)) > max(
                    i for i, step in enumerate(scenario.prefix) if isinstance(step, Poll)
                ), scenario.name  # held PENDING past max pending seconds when the sweep comes
            else:
                assert Crash(SPARE) in scenario.prefix  # a dead runner's work is ripe for the sweep
        assert all(getattr(step, "runner", 0) != SPARE for step in scenario.group)


def test_the_search_tries_every_preemption_set_over_every_decision_point_reached(target: Target) -> None:
    scenario = next(s for s in scenarios("call_keyed", CALL, 2) if s.name == "poll+poll")
    runs = list(interleavings(target, "call_keyed", scenario.prefix, scenario.group, scenario.runners, bound=2))
    tried = [run.schedule.steps[-1].preemptions for run in runs]  # type: ignore[union-attr]
    horizon = max(run.decisions for run in runs)
    expected = [p for size in range(3) for p in itertools.combinations(range(horizon), size)]
    assert sorted(tried, key=lambda p: (len(p), p)) == expected  # each once, fewest preemptions first
    assert [len(p) for p in tried] == sorted(len(p) for p in tried)


def _liveness_broken(target: Target, scenario_name: str) -> bool:
    scenario = next(s for s in scenarios("call_keyed", CALL, 2) if s.name == scenario_name)
    check = invariants.get("liveness").check
    runs = interleavings(target, "call_keyed", scenario.prefix, scenario.group, scenario.runners, bound=1)
    return any(check(run.history) for run in runs)


def test_a_sweep_and_a_crash_of_its_runner_together_reach_pyn_014(target: Target) -> None:
    assert _liveness_broken(target, "recover+crash")  # unmodified pynenc: left PENDING/RUNNING_RECOVERY
    assert not _liveness_broken(target, "recover+recover")  # two sweeps at once lose nothing
    with candidate_fixes():
        assert not _liveness_broken(target, "recover+crash")


def test_a_group_size_below_one_is_one_line_and_exit_2() -> None:
    done = subprocess.run([sys.executable, "-m", "pynenc_suite", "explore", "--size", "0"],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == "pynenc-suite: explore: --size must be at least 1 and --bound at least 0"


def test_a_team_app_is_explored_from_another_directory(tmp_path: Path) -> None:
    """The app named after the command, found through PYTHONPATH only, run from a directory outside the checkout."""
    root = Path(__file__).resolve().parent
    done = subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "explore", "inventory_app.tasks:app", "--size", "1", "--bound", "0",
         "-p", "no:xdist"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(root / "inventory_app" / "src")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "tier=explore" in done.stdout and "app=inventory_app.tasks:app" in done.stdout
    assert "interleavings explored" in done.stdout and "reserve" in done.stdout


def _pending_recovery_takes_a_started_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """An injected regression of pynenc's graph: pending recovery may take an invocation that became RUNNING since
    the sweep listed it as PENDING (RUNNING -> PENDING_RECOVERY allowed)."""
    from pynenc.invocation import status as statuses

    running = statuses._CONFIG.definitions[InvocationStatus.RUNNING]
    wider = running.allowed_transitions | {InvocationStatus.PENDING_RECOVERY}
    monkeypatch.setitem(statuses._CONFIG.definitions, InvocationStatus.RUNNING,
                        dataclasses.replace(running, allowed_transitions=wider))  # fmt: skip


def _broken(history: object) -> list[object]:
    return invariants.check_all(history)  # type: ignore[arg-type]


def test_a_sweep_contending_with_a_start_reaches_an_injected_race_only_interleaved(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recovery as a contender, at one of its edges: runner r0 holds an invocation PENDING past max pending
    seconds (alive: it is about to start it) when r1's sweep runs. With the injected regression, the sweep lists
    it, r0 starts it, and the sweep takes it anyway (RUNNING -> PENDING_RECOVERY, and the work is rerouted
    while it runs). Run one after the other, in either
    order, nothing breaks; on unmodified pynenc (with the candidate fixes) no interleaving breaks a rule."""
    overdue = float(target.app.conf.max_pending_seconds) + 1.0
    prefix = (Enqueue(0, "call_keyed", CALL), Poll(0), Advance(overdue))
    group = (Recover(1), Start(0))
    with candidate_fixes():
        real = list(interleavings(target, "call_keyed", prefix, group, runners=2, bound=1))
        assert real and not any(_broken(run.history) for run in real)
        _pending_recovery_takes_a_started_invocation(monkeypatch)
        for order in (group, group[::-1]):
            assert not _broken(run_schedule(target, ["call_keyed"], Schedule(2, (*prefix, *order))))
        found = [run for run in interleavings(target, "call_keyed", prefix, group, runners=2, bound=1)
                 if _broken(run.history)]  # fmt: skip
    assert found, "the interleaving that lets the sweep take a started invocation was not reached"
    rules = {v.rule for v in _broken(found[0].history)}  # type: ignore[attr-defined]
    assert {"legal-transitions", "reroute-preserves-work"} <= rules, rules


def test_the_tier_saves_a_replayable_counterexample_of_an_injected_race(
    target: Target, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the explore tier runs per scenario (exploring.explore_scenario): against the injected race it raises
    PropertyViolation with a replay command, and the saved folder replays to the same violations; on pynenc with
    the candidate fixes it returns its summary row."""
    overdue = float(target.app.conf.max_pending_seconds) + 1.0
    scenario = Scenario("recover+start", 2, (Enqueue(0, "call_keyed", CALL), Poll(0), Advance(overdue)),
                        (Recover(1), Start(0)))  # fmt: skip
    row = explore_scenario(target, "call_keyed", scenario, 1, tmp_path)
    assert row["runs"] > 1 and row["decisions"] > 0 and row["known"] == {}
    _pending_recovery_takes_a_started_invocation(monkeypatch)
    with pytest.raises(PropertyViolation, match=r"recover\+start on call_keyed: .* broken after \d+ interleavings"):
        explore_scenario(target, "call_keyed", scenario, 1, tmp_path)
    (folder,) = [p.parent for p in tmp_path.rglob("schedule.json")]
    assert replay(folder)


def _first_broken(target: Target, size: int, name: str, rule: str) -> object | None:
    """The first interleaving (up to two preemptions) of catalogue scenario ``name`` that breaks ``rule``."""
    scenario = next(s for s in scenarios("call_keyed", CALL, size) if s.name == name)
    check = invariants.get(rule).check
    runs = interleavings(target, "call_keyed", scenario.prefix, scenario.group, scenario.runners, bound=2)
    return next((run for run in runs if check(run.history)), None)


def test_two_sweeps_and_a_runner_reach_pyn_016_and_no_pair_of_them_does(target: Target) -> None:
    """Groups of three as a capability: on unmodified pynenc, a runner iterating beside two running-recovery
    sweeps has its work done twice (PYN-016); no pair of those operations, with up to two preemptions, does."""
    from pynenc_suite.findings.registry import by_id

    for pair in ("iterate+recover", "recover+recover"):
        assert _first_broken(target, 2, pair, "reroute-preserves-work") is None, pair
    found = _first_broken(target, 3, "iterate+recover+recover", "reroute-preserves-work")
    assert found is not None, "two sweeps and a runner did not reach PYN-016"
    assert by_id("PYN-016").gate(found.history)  # type: ignore[attr-defined, misc]
