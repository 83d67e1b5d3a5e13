"""Bounded exhaustive exploration (preemption bounding, as in CHESS).

For a small scenario (a prefix of steps, then a group of operations run
together), try every set of at most ``bound`` preemption points, fewest first.
The first failing schedule is therefore minimal in preemptions; the scenario
itself is the one the caller made small (two producers, two runners).  Random
exploration (``Together`` steps in the gate's schedules) covers longer
scenarios; this covers small ones completely.

:func:`interleavings` does not assume how many decision points a group has: it
starts from the unpreempted run's count and widens the horizon whenever a
preempted run reaches more, so every decision point any explored run reached
is tried as a preemption (up to the bound).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import driver_for, engine_under, run_schedule
from pynenc_suite.history.model import History
from pynenc_suite.schedules.steps import Concurrent, Schedule, Step, Together

DECISIONS = 24  # decision points considered per group (state-touching yield points, pynenc_suite.drivers.deterministic.interleave)


@dataclass(frozen=True)
class Exploration:
    schedule: Schedule | None  # the first failing schedule, or None
    runs: int


def preemption_sets(bound: int, horizon: int = DECISIONS) -> Iterator[tuple[int, ...]]:
    for size in range(bound + 1):
        yield from itertools.combinations(range(horizon), size)


def explore(
    target: Target,
    task: str,
    prefix: Sequence[Step],
    group: Sequence[Concurrent],
    fails: Callable[[History], bool],
    runners: int = 2,
    bound: int = 2,
) -> Exploration:
    """Run ``prefix`` then ``group`` together under every preemption set up to ``bound``; stop at a failure."""
    runs = 0
    for points in preemption_sets(bound):
        schedule = Schedule(runners, (*prefix, Together(tuple(group), points)))
        runs += 1
        if fails(run_schedule(target, [task], schedule)):
            return Exploration(schedule, runs)
    return Exploration(None, runs)


@dataclass(frozen=True)
class Interleaving:
    """One explored run: its schedule, its history, and how many decision points its group had."""

    schedule: Schedule
    history: History
    decisions: int


def run_counting_decisions(target: Target, task: str, schedule: Schedule) -> tuple[History, int]:
    """The schedule's history, and the decision points of its last group (0 without one)."""
    with engine_under(target):
        driver = driver_for(target, [task], schedule.runners)
        history = driver.run(schedule)
        return history, (driver.interleaver.decisions[-1] if driver.interleaver.decisions else 0)


def interleavings(
    target: Target, task: str, prefix: Sequence[Step], group: Sequence[Concurrent], runners: int, bound: int
) -> Iterator[Interleaving]:
    """Every run of ``prefix`` then ``group`` with at most ``bound`` preemptions, fewest first, over every decision
    point any run reached (the horizon grows as preempted runs reach further)."""
    tried: set[tuple[int, ...]] = set()
    horizon = 0
    for size in range(bound + 1):
        while True:
            fresh = [p for p in itertools.combinations(range(horizon), size) if p not in tried]
            if not fresh and (size or () in tried):
                break
            for points in fresh or [()]:
                tried.add(points)
                schedule = Schedule(runners, (*prefix, Together(tuple(group), points)))
                history, decisions = run_counting_decisions(target, task, schedule)
                horizon = max(horizon, decisions)
                yield Interleaving(schedule, history, decisions)
