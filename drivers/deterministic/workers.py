"""Worker threads: each runs one ``invocation.run`` and is parked in the provider until the schedule acts.

Only one thread ever runs at a time: the driver starts a worker and waits until
its task body is parked inside the provider (in flight) or ``run`` has returned;
a ``Finish`` releases it (answered, or failed), a crash aborts it (the body sees
:class:`~pynenc_suite.provider.memory.CallAborted`, which pynenc does not catch,
as when a process dies).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pynenc_suite.drivers.deterministic.interleave import Interleaver, OperationKilled
from pynenc_suite.drivers.deterministic.lanes import LANES, SETTLE_TIMEOUT, DriverStuck
from pynenc_suite.provider.calls import CallRecord
from pynenc_suite.provider.memory import CallAborted

__all__ = ["DriverStuck", "Execution", "Workers"]


@dataclass
class Execution:
    """One ``invocation.run`` in its worker thread."""

    invocation: Any
    runner: Any  # the SimRunner that runs it
    settled: threading.Event = field(default_factory=threading.Event)  # parked or returned
    done: threading.Event = field(default_factory=threading.Event)  # returned
    release: threading.Event = field(default_factory=threading.Event)
    abort: bool = False
    fail: bool = False  # the provider answers this call with an error (Finish(fail=True))
    call: CallRecord | None = None


class Workers:
    """Starts, parks, releases and aborts worker threads; knows which execution a thread belongs to."""

    def __init__(self, interleaver: Interleaver) -> None:
        self.interleaver = interleaver
        self._by_thread: dict[int, Execution] = {}

    def start(self, execution: Execution) -> bool:
        """Run it in a new thread until it parks or returns; True if it is now in flight."""
        LANES.start(lambda: self.work(execution))
        wait(execution.settled)
        return not execution.done.is_set()

    def work(self, execution: Execution) -> None:
        """Run the invocation in the calling thread (a lane of its own, or an interleaved operation's)."""
        me = threading.get_ident()
        self._by_thread[me] = execution
        try:
            execution.invocation.run(execution.runner.ctx)
        except (CallAborted, OperationKilled):
            pass
        except Exception:  # noqa: BLE001 - pynenc already recorded the failure; run() re-raises it
            pass
        finally:
            del self._by_thread[me]  # the lane may run something else next
            execution.done.set()
            execution.settled.set()

    def current(self) -> Execution | None:
        return self._by_thread.get(threading.get_ident())

    def hold(self, call: CallRecord) -> None:
        """The provider's hold: park the calling worker until the schedule releases or aborts it."""
        execution = self._by_thread[threading.get_ident()]
        execution.call = call
        self.interleaver.park()  # inside an interleaved group: this operation stops being runnable
        execution.settled.set()
        execution.release.wait()
        if execution.abort:
            raise CallAborted

    def fails(self, call: CallRecord) -> bool:
        execution = self.current()
        return execution is not None and execution.fail

    @staticmethod
    def complete(execution: Execution, abort: bool, fail: bool = False) -> None:
        execution.abort = abort
        execution.fail = fail
        execution.release.set()
        wait(execution.done)

    @staticmethod
    def abandon(executions: list[Execution]) -> None:
        """End of a run: abort whatever is still parked, without failing if a thread is slow to go."""
        for execution in executions:
            execution.abort = True
            execution.release.set()
            execution.done.wait(SETTLE_TIMEOUT)


def wait(event: threading.Event) -> None:
    if not event.wait(SETTLE_TIMEOUT):
        raise DriverStuck(f"worker did not settle within {SETTLE_TIMEOUT}s")
