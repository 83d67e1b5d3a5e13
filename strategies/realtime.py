"""Hypothesis strategies for real-time schedules (:mod:`pynenc_suite.schedules.realtime`).

Runners of mixed classes, enqueues from small key pools spread over a window, and a few faults.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from pynenc_suite.history.model import Fault

# A real-time schedule.json saved before these types moved to schedules names them by this module: jsonpickle
# still finds them here.
from pynenc_suite.schedules.realtime import RUNNER_CLASSES, RealtimeSchedule, TimedEnqueue, TimedFault
from pynenc_suite.schedules.tasks import TaskUnderTest
from pynenc_suite.strategies.arguments import kwargs_from, parameter_pools

# What the nemesis can do: every fault kind but a runner's own exit.  SIGKILL a runner's process group or
# one worker, SIGTERM (pynenc's graceful stop), SIGSTOP/SIGCONT for ``seconds`` (a heartbeat stall), close
# every client connection of the engine.
FAULTS: tuple[Fault, ...] = tuple(fault for fault in Fault if fault is not Fault.EXIT)


@dataclass(frozen=True)
class RealtimeKnobs:
    max_runners: int = 3
    max_enqueues: int = 30
    max_faults: int = 4
    window: float = 5.0  # seconds over which enqueues and faults are spread
    runner_classes: tuple[str, ...] = RUNNER_CLASSES
    faults: tuple[Fault, ...] = FAULTS
    max_stall: float = 6.0  # a stall longer than dead_after makes pynenc presume the runner dead


def _times(window: float) -> st.SearchStrategy[float]:
    return st.integers(0, int(window * 20)).map(lambda ticks: ticks / 20)


@st.composite
def realtime_schedules(
    draw: st.DrawFn, tasks: list[TaskUnderTest], knobs: RealtimeKnobs = RealtimeKnobs()
) -> RealtimeSchedule:
    """Runners of mixed classes, same-key enqueues from small key pools, a few faults."""
    runners = tuple(draw(st.lists(st.sampled_from(knobs.runner_classes), min_size=2, max_size=knobs.max_runners)))
    pools = {t.name: draw(parameter_pools(t.func)) for t in tasks}
    enqueue = st.sampled_from(tasks).flatmap(
        lambda t: st.builds(
            TimedEnqueue,
            at=_times(knobs.window),
            producer=st.integers(0, 1),
            task=st.just(t.name),
            kwargs=kwargs_from(pools[t.name]),
            hold=st.sampled_from([0.05, 0.3, 1.0, 2.0]),
            fail=st.sampled_from([False, False, False, True]),
        )
    )
    enqueues = draw(st.lists(enqueue, min_size=4, max_size=knobs.max_enqueues))
    fault = st.builds(
        TimedFault,
        at=_times(knobs.window),
        kind=st.sampled_from(knobs.faults),
        runner=st.integers(0, len(runners) - 1),
        seconds=st.sampled_from([0.5, 2.0, knobs.max_stall]),
        busy=st.booleans(),
    )
    faults = draw(st.lists(fault, max_size=knobs.max_faults)) if knobs.faults else []
    return RealtimeSchedule(
        runners=runners,
        enqueues=tuple(sorted(enqueues, key=lambda e: e.at)),
        faults=tuple(sorted(faults, key=lambda f: f.at)),
    )
