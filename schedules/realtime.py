"""Real-time schedules: what producers and the nemesis do, and when, in a real-time run.

A :class:`RealtimeSchedule` names the runner processes (one pynenc runner class
each), the enqueues (when, by which producer, what call, how long its provider
call holds) and the faults (when, which runner, what signal), and each runner's clock.  Times are
seconds from the moment every runner is up.  Like the gate's schedules it is
plain data and JSON, so a run can be written down and run again; unlike them,
running it twice does not give the same interleaving: real time decides that.
Hypothesis draws them in ``pynenc_suite.strategies.realtime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonpickle

from pynenc_suite.history.model import Fault

RUNNER_CLASSES = ("ThreadRunner", "MultiThreadRunner", "PersistentProcessRunner")
NETWORK_FAULTS = (Fault.PARTITION, Fault.DELAY)  # faults of a runner's way to its engine (drivers/realtime/routes.py)
CONFIGURED = "configured"  # a runner slot that runs the runner class and sizing the app itself configures


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
    """At ``at`` seconds, ``kind`` strikes runner ``runner`` for ``seconds``: a killed or stopped runner restarts,
    a stalled one continues, a cut network heals, a slowed one is fast again."""

    at: float
    kind: Fault
    runner: int
    seconds: float
    busy: bool = True  # strike the runner with a provider call in flight, if any (else ``runner``)
    delay: float = 0.0  # DELAY: seconds each chunk between the runner and its engine is held, each way

    def __repr__(self) -> str:
        target = "a busy runner, else " if self.busy else ""
        slower = f" +{self.delay * 1000:g}ms each way" if self.kind is Fault.DELAY else ""
        return f"@{self.at:.2f}s {self.kind.value}{slower} {target}r{self.runner} ({self.seconds:.1f}s)"


@dataclass(frozen=True)
class RunnerClock:
    """A runner host's wall clock: ``offset`` seconds off the sweeper's when the run starts, gaining
    ``drift`` seconds per second after it (negative: behind, losing).  Every incarnation of the
    runner's slot, and every worker process it spawns, shows this clock (one host)."""

    offset: float = 0.0
    drift: float = 0.0

    @property
    def skewed(self) -> bool:
        return bool(self.offset or self.drift)

    def shown(self, real: float, epoch: float) -> float:
        """What this clock shows at the real time ``real`` (seconds since the Unix epoch; the run began at ``epoch``)."""
        return real + self.offset + self.drift * (real - epoch)

    def real(self, shown: float, epoch: float) -> float:
        """The real time at which this clock showed ``shown``: the inverse of :meth:`shown`."""
        return (shown - self.offset + self.drift * epoch) / (1.0 + self.drift)

    def __repr__(self) -> str:
        drift = f" drifting {self.drift * 1000:+g} ms/s" if self.drift else ""
        return f"clock {self.offset:+g}s{drift}"


NO_SKEW = RunnerClock()


@dataclass(frozen=True)
class RealtimeSchedule:
    runners: tuple[str, ...]
    enqueues: tuple[TimedEnqueue, ...]
    faults: tuple[TimedFault, ...] = ()
    clocks: tuple[RunnerClock, ...] = ()  # runner slot i's clock (a slot past the end: the sweeper's clock)

    def clock(self, slot: int) -> RunnerClock:
        return self.clocks[slot] if slot < len(self.clocks) else NO_SKEW

    @property
    def duration(self) -> float:
        """When the last scheduled action (and the recovery it sets off) is due."""
        ends = [e.at + e.hold for e in self.enqueues] + [f.at + f.seconds for f in self.faults]
        return max(ends, default=0.0)

    def describe(self) -> str:
        lines = [f"runners: {', '.join(f'r{i}={cls}' for i, cls in enumerate(self.runners))}"]
        lines += [f"  r{i}: {clock!r}" for i, clock in enumerate(self.clocks) if clock.skewed]
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
