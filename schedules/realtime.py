"""Real-time schedules: what producers and the nemesis do, and when, in a real-time run.

A :class:`RealtimeSchedule` names the runner processes (one pynenc runner class
each), the enqueues (when, by which producer, what call, how long its provider
call holds) and the faults (when, which runner, what signal).  Times are
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
