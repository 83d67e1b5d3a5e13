"""Hypothesis strategies for real-time schedules (:mod:`pynenc_suite.schedules.realtime`).

Runners of mixed classes, enqueues from small key pools spread over a window, and a few faults.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from pynenc_suite.history.model import Fault

# A real-time schedule.json saved before these types moved to schedules names them by this module: jsonpickle
# still finds them here.
from pynenc_suite.schedules.realtime import (
    NETWORK_FAULTS,
    RUNNER_CLASSES,
    RealtimeSchedule,
    RunnerClock,
    TimedEnqueue,
    TimedFault,
)
from pynenc_suite.schedules.tasks import TaskUnderTest
from pynenc_suite.strategies.arguments import kwargs_from, parameter_pools

# What the nemesis strikes at a time on any engine: every fault kind but a runner's own exit, a skewed clock (a
# runner's clock is skewed from the start: RunnerClock) and the network's faults (NETWORK_FAULTS: only where
# runners reach a server by URL, and a partition only as root).  SIGKILL a runner's process group or one worker,
# SIGTERM (pynenc's graceful stop), SIGSTOP/SIGCONT for ``seconds`` (a heartbeat stall), close every client
# connection of the engine.
FAULTS: tuple[Fault, ...] = tuple(
    fault for fault in Fault if fault not in (Fault.EXIT, Fault.CLOCK_SKEW, *NETWORK_FAULTS)
)


@dataclass(frozen=True)
class RealtimeKnobs:
    max_runners: int = 3
    max_enqueues: int = 30
    max_faults: int = 4
    window: float = 5.0  # seconds over which enqueues and faults are spread
    runner_classes: tuple[str, ...] = RUNNER_CLASSES
    faults: tuple[Fault, ...] = FAULTS
    max_stall: float = 6.0  # a stall longer than dead_after makes pynenc presume the runner dead
    # A runner's clock off the sweeper's by up to this many seconds, drifting up to this many seconds per second:
    # well inside the skew the tier's recovery settings tolerate (suite/realtime/test_skewed_clocks.py measures 3.5 s),
    # so a rule broken here is broken by pynenc, not by the clock assumption.  0 and 0: every clock agrees.
    max_skew: float = 0.5
    max_drift: float = 0.01
    # A slowed engine link holds each chunk up to this long each way (Fault.DELAY): from the tier's
    # dead-after of 4 s, 20 ms already makes a busy runner's loop outlast it (recoveries then excused as
    # at-least-once); the rules that stay decided (admission, overlap outside recovery) are checked to 50 ms.
    max_delay: float = 0.05


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
        delay=st.sampled_from([knobs.max_delay / 5, knobs.max_delay / 2, knobs.max_delay]),
    ).map(lambda f: f if f.kind is Fault.DELAY else replace(f, delay=0.0))
    faults = draw(st.lists(fault, max_size=knobs.max_faults)) if knobs.faults else []
    clocks = draw(st.tuples(*[runner_clocks(knobs) for _ in runners])) if knobs.max_skew or knobs.max_drift else ()
    return RealtimeSchedule(
        runners=runners,
        enqueues=tuple(sorted(enqueues, key=lambda e: e.at)),
        faults=tuple(sorted(faults, key=lambda f: f.at)),
        clocks=clocks if any(c.skewed for c in clocks) else (),
    )


def runner_clocks(knobs: RealtimeKnobs) -> st.SearchStrategy[RunnerClock]:
    """A runner's clock: mostly the sweeper's; else up to ``max_skew`` ahead or behind, drifting up to ``max_drift``.
    Shrinks towards the sweeper's clock."""
    offsets = [0.0, 0.0, -knobs.max_skew, knobs.max_skew, -knobs.max_skew / 2]
    drifts = [0.0, 0.0, -knobs.max_drift, knobs.max_drift]
    return st.builds(RunnerClock, offset=st.sampled_from(offsets), drift=st.sampled_from(drifts))


PROBE_ENQUEUES = 8
PROBE_GAP = 0.4  # seconds between the probe's enqueues
PROBE_HOLD = 2.0  # each provider call outlasts a sweep, so that recovery meets it running


def probe_schedule(tasks: list[TaskUnderTest], runner_class: str) -> RealtimeSchedule:
    """One fixed schedule to measure a fault's size against: two runners of ``runner_class``, eight
    enqueues over three seconds across at least three argument sets, each call holding two seconds.

    The enqueues are the first drawn from a fixed seed with at least three distinct argument sets
    (so the same every time for the same tasks and Hypothesis); no faults, no failing calls.
    """
    knobs = RealtimeKnobs(max_runners=2, max_enqueues=PROBE_ENQUEUES, faults=(), runner_classes=(runner_class,),
                          max_skew=0.0, max_drift=0.0)  # fmt: skip
    drawn: list[RealtimeSchedule] = []

    @seed(0)
    @settings(database=None, max_examples=200, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(realtime_schedules(tasks, knobs))
    def first(schedule: RealtimeSchedule) -> None:
        distinct = {(e.task, repr(e.kwargs)) for e in schedule.enqueues}
        if not drawn and len(schedule.enqueues) >= PROBE_ENQUEUES and len(distinct) >= 3:
            drawn.append(schedule)

    first()
    if not drawn:
        raise ValueError("no probe schedule with three distinct argument sets: the tasks take too few values")
    enqueues = tuple(
        replace(e, at=round(i * PROBE_GAP, 2), producer=i % 2, hold=PROBE_HOLD, fail=False)
        for i, e in enumerate(drawn[0].enqueues[:PROBE_ENQUEUES])
    )
    return RealtimeSchedule(runners=(runner_class, runner_class), enqueues=enqueues)
