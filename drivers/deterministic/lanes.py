"""Lanes: reusable threads for the driver's operations, each started and resumed by passing it a baton.

The deterministic driver runs every pynenc operation that may block (an invocation
parked in the provider, an operation of an interleaved group) in a thread of its
own, but only one thread runs at a time.  Starting a fresh OS thread for each
operation and waking threads through a shared condition (every waiter wakes to
re-check whose turn it is) cost more than the operations themselves.  A lane is a
thread that outlives its operation and waits on its own baton, a lock that only
the thread handing over control releases: one handoff wakes exactly one thread.

A reused thread must look fresh to pynenc: pynenc keeps its current app, runner
and invocation in a ``threading.local`` (``pynenc.context.thread_local``), so each
body starts with that storage empty and in a new ``contextvars`` context, as in a
new thread.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable

from pynenc import context as pynenc_context

SETTLE_TIMEOUT = 30.0  # a body that neither parks (in the provider) nor returns in this long is a driver bug


class DriverStuck(RuntimeError):
    """A body in a lane neither parked in the provider nor returned in time: the driver, not pynenc, is broken."""


def fresh_thread_state() -> None:
    """Forget what an earlier body left in this thread's pynenc context (current app, runner, invocation)."""
    storage = getattr(pynenc_context, "thread_local", None)
    if not isinstance(storage, threading.local):
        raise RuntimeError("pynenc.context.thread_local is gone: lanes cannot give each body a fresh pynenc context")
    storage.__dict__.clear()


class Lane:
    """One reusable thread: :meth:`load` gives it a body, and releasing :attr:`baton` starts or resumes it."""

    def __init__(self, pool: LanePool) -> None:
        self.baton = threading.Lock()
        self.baton.acquire()  # held until someone hands this lane the control
        self._pool = pool
        self._body: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._loop, name="pynenc-suite-lane", daemon=True)
        self._thread.start()

    @property
    def ident(self) -> int:
        return self._thread.ident  # type: ignore[return-value]  # None only before start(), which __init__ calls

    @property
    def native_id(self) -> int:
        return self._thread.native_id  # type: ignore[return-value]  # None only before start(), which __init__ calls

    def load(self, body: Callable[[], None]) -> None:
        """The next body this lane runs, when its baton is released."""
        self._body = body

    def _loop(self) -> None:
        while True:
            self.baton.acquire()
            body, self._body = self._body, None
            if body is None:
                continue
            try:
                fresh_thread_state()
                contextvars.Context().run(body)
            finally:
                self._pool.put_back(self)


class LanePool:
    """Idle lanes, taken by whoever needs a thread and put back by the lane itself when its body returns."""

    def __init__(self) -> None:
        self._idle: list[Lane] = []
        self._all: list[Lane] = []

    def take(self) -> Lane:
        try:
            return self._idle.pop()
        except IndexError:
            lane = Lane(self)
            self._all.append(lane)
            return lane

    def native_ids(self) -> list[int]:
        """The OS thread ids of every lane, busy or idle."""
        return [lane.native_id for lane in self._all]

    def put_back(self, lane: Lane) -> None:
        self._idle.append(lane)

    def start(self, body: Callable[[], None]) -> Lane:
        """Run ``body`` in an idle lane now (the caller waits for it however it needs to)."""
        lane = self.take()
        lane.load(body)
        lane.baton.release()
        return lane

    def call(self, body: Callable[[], None]) -> None:
        """Run ``body`` in a lane and wait for it to return; its exception is re-raised here."""
        done = threading.Lock()
        done.acquire()
        failure: list[BaseException] = []

        def wrapped() -> None:
            try:
                body()
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                failure.append(error)
            finally:
                done.release()

        self.start(wrapped)
        if not done.acquire(timeout=SETTLE_TIMEOUT):
            raise DriverStuck(f"a lane did not return within {SETTLE_TIMEOUT}s")
        if failure:
            raise failure[0]


LANES = LanePool()  # one pool per process: lanes outlive drivers, so examples reuse the same threads
