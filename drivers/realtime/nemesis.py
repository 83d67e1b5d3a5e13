"""The nemesis of a real-time run: faults at their scheduled times, and what follows each one.

One :class:`~pynenc_suite.history.model.Fault` kind each: SIGKILL of a runner's
whole process group (restarted ``seconds`` later), SIGKILL of one worker process,
SIGTERM (pynenc's graceful stop; restarted later), SIGSTOP of the process group
for ``seconds`` then SIGCONT (a heartbeat stall), closing every client
connection of the engine (where the engine can), cutting a runner's network for
``seconds`` then healing it, and holding its engine traffic ``delay`` seconds each
way for ``seconds`` (both through its :class:`~.routes.Route`).  A fault aimed at a busy
runner strikes the first runner with a provider call in flight instead.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pynenc_suite.drivers.realtime.processes import RunnerProcess, signal_group, signal_pid, worker_pid
from pynenc_suite.history.model import Fault, Kind
from pynenc_suite.schedules.realtime import TimedFault

if TYPE_CHECKING:
    from pynenc_suite.drivers.realtime.driver import RealtimeRun

FollowUp = Callable[[], None]


class Nemesis:
    def __init__(self, run: RealtimeRun) -> None:
        self.run = run

    def play(self, base: float, faults: Iterable[TimedFault]) -> None:
        """Strike each fault at ``base + at`` (monotonic), and run each follow-up ``seconds`` after its fault."""
        pending: list[tuple[float, FollowUp]] = []
        for fault in faults:
            while pending and pending[0][0] <= base + fault.at:
                due, action = pending.pop(0)
                sleep_until(due)
                action()
            sleep_until(base + fault.at)
            follow_up = self.strike(fault)
            if follow_up is not None:
                pending.append((time.monotonic() + fault.seconds, follow_up))
                pending.sort(key=lambda item: item[0])
        for due, action in pending:
            sleep_until(due)
            action()

    def strike(self, fault: TimedFault) -> FollowUp | None:
        run = self.run
        if fault.kind is Fault.DROP_CONNECTIONS:
            self._drop_connections()
            return None
        runner = (self._busy_runner() if fault.busy else None) or run.runners[fault.runner % len(run.runners)]
        if not runner.alive or runner.stalled or runner.partitioned:
            return None
        pid = runner.pid
        if fault.kind is Fault.KILL:
            runner.expected_down = True
            signal_group(pid, signal.SIGKILL)
            runner.started.wait()
            self._record(Kind.CRASH, fault.kind, runner, f"SIGKILL process group {pid}")
            return lambda: run.restart(runner)
        if fault.kind is Fault.KILL_WORKER:
            worker = worker_pid(run.app, pid)
            if worker is None:
                return None
            signal_pid(worker, signal.SIGKILL)
            self._record(Kind.CRASH, fault.kind, runner, f"SIGKILL worker pid {worker}")
            return None
        if fault.kind is Fault.STOP:
            runner.expected_down = True
            signal_pid(pid, signal.SIGTERM)
            self._record(Kind.STOP, fault.kind, runner, f"SIGTERM pid {pid}")
            return lambda: run.restart(runner)
        if fault.kind is Fault.STALL:
            signal_group(pid, signal.SIGSTOP)
            runner.stalled = True
            self._record(Kind.CRASH, fault.kind, runner, f"SIGSTOP process group {pid} for {fault.seconds:g}s")
            return lambda: run.resume(runner)
        route = run.route(runner)
        if fault.kind is Fault.PARTITION:
            if route is None or route.link is None:
                return None
            route.link.cut()
            runner.partitioned = True
            self._record(Kind.CRASH, fault.kind, runner, f"cut r{runner.slot}'s network for {fault.seconds:g}s")
            return lambda: run.heal(runner)
        if fault.kind is Fault.DELAY:
            if route is None or route.relay.delay:
                return None
            route.relay.delay = fault.delay
            self._record(Kind.CRASH, fault.kind, runner, f"r{runner.slot}'s engine traffic held {fault.delay * 1000:g} ms "
                         f"each way for {fault.seconds:g}s", delay=fault.delay)  # fmt: skip
            return lambda: run.speed_up(runner)
        raise ValueError(f"the nemesis cannot strike {fault.kind!r}")

    def _record(self, kind: Kind, fault: Fault, runner: RunnerProcess | None, detail: str, **fields: Any) -> None:
        self.run.stats.faults[fault] += 1
        self.run.emit(kind, worker=runner.label if runner else None, fault=fault, detail=detail, **fields)

    def _busy_runner(self) -> RunnerProcess | None:
        """The first live runner whose processes have a provider call in flight."""
        in_flight = {call.pgid for call in list(self.run.provider.calls) if call.end is None}
        runners = self.run.runners
        return next((r for r in runners if r.alive and not (r.stalled or r.partitioned) and r.pid in in_flight), None)

    def _drop_connections(self) -> None:
        run = self.run
        if not run.engine.engine.drops_connections:
            return
        try:
            dropped = run.engine.drop_connections(run.config)
        except Exception as error:  # noqa: BLE001 - the engine refusing is an observation of the run, not a fault
            run.stats.errors.append(f"drop connections: {type(error).__name__}: {error}")
            return
        self._record(Kind.CRASH, Fault.DROP_CONNECTIONS, None, f"closed {dropped} client connections")


def sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        time.sleep(delay)
