"""Real-time schedules: what producers and the nemesis do, and when, in a real-time run.

A :class:`RealtimeSchedule` names the runner processes (one pynenc runner class
each), the enqueues (when, by which producer, what call, how long its provider
call holds) and the faults (when, which runner, what signal).  Times are
seconds from the moment every runner is up.  Like the gate's schedules it is
plain data and JSON, so a run can be written down and run again; unlike them,
running it twice does not give the same interleaving: real time decides that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonpickle
from hypothesis import strategies as st

from pynenc_suite.history.model import Fault
from pynenc_suite.strategies.arguments import kwargs_from, parameter_pools
from pynenc_suite.strategies.schedules import TaskUnderTest

RUNNER_CLASSES = ("ThreadRunner", "MultiThreadRunner", "PersistentProcessRunner")
CONFIGURED = "configured"  # a runner slot that runs the runner class and sizing the app itself configures

# What the nemesis can do: every fault kind but a runner's own exit.  SIGKILL a runner's process group or
# one worker, SIGTERM (pynenc's graceful stop), SIGSTOP/SIGCONT for ``seconds`` (a heartbeat stall), close
# every client connection of the engine.
FAULTS: tuple[Fault, ...] = tuple(fault for fault in Fault if fault is not Fault.EXIT)


@dataclass(frozen=True)
class TimedEnqueue:
    """At ``at`` seconds producer ``producer`` calls ``task(**kwargs)``; its provider call holds ``hold`` s.

    With ``fail`` the provider answers the invocation's first call with an error (a retriable
    failure for a task that retries, a failed invocation otherwise).
    """

    at: float
    producer: int
    task: str
    kwargs: dict[str, Any]
    hold: float
    fail: bool = False

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"@{self.at:.2f}s p{self.producer} {self.task}({args}) hold={self.hold:.2f}s" + (
            " FAIL" if self.fail else ""
        )


@dataclass(frozen=True)
class TimedFault:
    """At ``at`` seconds, ``kind`` strikes runner ``runner``; a killed or stopped runner restarts ``seconds`` later."""

    at: float
    kind: Fault
    runner: int
    seconds: float
    busy: bool = True  # strike the runner with a provider call in flight, if any (else ``runner``)

    def __repr__(self) -> str:
        target = "a busy runner, else " if self.busy else ""
        return f"@{self.at:.2f}s {self.kind.value} {target}r{self.runner} ({self.seconds:.1f}s)"


@dataclass(frozen=True)
class RealtimeSchedule:
    runners: tuple[str, ...]
    enqueues: tuple[TimedEnqueue, ...]
    faults: tuple[TimedFault, ...] = ()

    @property
    def duration(self) -> float:
        """When the last scheduled action (and the recovery it sets off) is due."""
        ends = [e.at + e.hold for e in self.enqueues] + [f.at + f.seconds for f in self.faults]
        return max(ends, default=0.0)

    def describe(self) -> str:
        lines = [f"runners: {', '.join(f'r{i}={cls}' for i, cls in enumerate(self.runners))}"]
        timed: list[TimedEnqueue | TimedFault] = [*self.enqueues, *self.faults]
        actions = sorted(timed, key=lambda a: a.at)
        lines += [f"  {a!r}" for a in actions]
        return "\n".join(lines)

    def to_json(self) -> str:
        return jsonpickle.encode(self, indent=1)

    @classmethod
    def from_json(cls, text: str) -> RealtimeSchedule:
        schedule = jsonpickle.decode(text)  # noqa: S301 - the suite's own artefact
        if not isinstance(schedule, cls):
            raise ValueError("not a real-time schedule")
        return schedule


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
