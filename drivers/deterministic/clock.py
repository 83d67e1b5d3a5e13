"""The virtual clock: time pynenc reads stands still and moves only when the schedule says so.

pynenc reads wall time (``time.time()``, ``datetime.now()``) for status
timestamps, heartbeats and recovery deadlines.  time-machine freezes both for
the whole process while a run lasts; ``advance`` moves them.  Monotonic clocks
(used by thread waits and by Hypothesis) are untouched.
"""

from __future__ import annotations

import datetime as dt
import time
from types import TracebackType

import time_machine

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class VirtualClock:
    def __init__(self, start: dt.datetime = EPOCH) -> None:
        self._travel = time_machine.travel(start, tick=False)
        self._traveller: time_machine.Traveller | None = None
        self._origin = start.timestamp()

    def __enter__(self) -> VirtualClock:
        self._traveller = self._travel.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._travel.stop()
        self._traveller = None

    def now(self) -> float:
        """Seconds of virtual time since the run began."""
        return time.time() - self._origin

    def advance(self, seconds: float) -> None:
        assert self._traveller is not None, "clock not started"
        self._traveller.shift(seconds)
