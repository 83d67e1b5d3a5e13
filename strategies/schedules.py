"""Hypothesis strategies for schedules: producers enqueue, runners poll/start/finish, the nemesis strikes.

Weights favour work (enqueue, poll, start, finish) over faults, and keys come
from small pools, so same-key invocations meet often.  Every generated schedule
is valid in any prefix or sub-sequence, which keeps Hypothesis's shrinking
effective: a failure shrinks to the few steps that matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from strategies.arguments import kwargs_from, parameter_pools
from strategies.schedule import (
    Advance,
    Crash,
    Enqueue,
    Finish,
    Poll,
    Recover,
    Restart,
    Schedule,
    Start,
    Step,
    Stop,
)


@dataclass(frozen=True)
class TaskUnderTest:
    """What a schedule needs to know of a task: its name, function and key arguments."""

    name: str
    func: Any
    key_arguments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knobs:
    max_runners: int = 3
    max_producers: int = 2
    max_steps: int = 40
    faults: bool = True
    recovery_horizon: float = 601.0  # seconds after which dead runners' work is recoverable
    max_pending_seconds: float = 3.0


def _runner_steps(runners: int, knobs: Knobs) -> list[st.SearchStrategy[Step]]:
    r = st.integers(0, runners - 1)
    work = [
        st.builds(Poll, r, st.integers(1, 3)),
        st.builds(Start, r, st.integers(0, 3)),
        st.builds(Finish, r, st.integers(0, 3)),
    ]
    if not knobs.faults:
        return work
    seconds = st.sampled_from([1.0, knobs.max_pending_seconds + 1.0, knobs.recovery_horizon])
    return work + [
        st.builds(Crash, r),
        st.builds(Stop, r),
        st.builds(Restart, r),
        st.builds(Advance, seconds),
        st.builds(Recover, r),
    ]


@st.composite
def schedules(draw: st.DrawFn, tasks: list[TaskUnderTest], knobs: Knobs = Knobs()) -> Schedule:
    runners = draw(st.integers(1, knobs.max_runners))
    pools = {t.name: draw(parameter_pools(t.func, t.key_arguments)) for t in tasks}
    enqueue = st.sampled_from(tasks).flatmap(
        lambda t: st.builds(Enqueue, st.integers(0, knobs.max_producers - 1), st.just(t.name), kwargs_from(pools[t.name]))
    )
    runner_steps = _runner_steps(runners, knobs)
    # enqueue twice in the list: calls are as frequent as all runner work together
    step = st.one_of(enqueue, *runner_steps[:3], enqueue, *runner_steps[3:])
    steps = draw(st.lists(step, max_size=knobs.max_steps))
    return Schedule(runners=runners, steps=tuple(steps))
