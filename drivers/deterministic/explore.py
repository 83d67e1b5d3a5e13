"""Bounded exhaustive exploration (preemption bounding, as in CHESS).

For a small scenario (a prefix of steps, then a group of operations run
together), try every set of at most ``bound`` preemption points, fewest first.
The first failing schedule is therefore minimal in preemptions; the scenario
itself is the one the caller made small (two producers, two runners).  Random
exploration (``Together`` steps in the gate's schedules) covers longer
scenarios; this covers small ones completely.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.run import run_schedule
from pynenc_suite.history.model import History
from pynenc_suite.strategies.steps import Schedule, Step, Together

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
    group: Sequence[Step],
    fails: Callable[[History], bool],
    runners: int = 2,
    bound: int = 2,
) -> Exploration:
    """Run ``prefix`` then ``group`` together under every preemption set up to ``bound``; stop at a failure."""
    runs = 0
    for points in preemption_sets(bound):
        schedule = Schedule(runners, (*prefix, Together(tuple(group), points)))  # type: ignore[arg-type]
        runs += 1
        if fails(run_schedule(target, [task], schedule)):
            return Exploration(schedule, runs)
    return Exploration(None, runs)
