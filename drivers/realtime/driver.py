"""The real-time driver: a real-time schedule against pynenc's own runners, in separate processes, on a shared engine.

Jepsen's client for this tier (the nemesis is :mod:`.nemesis`).  One run:

1. fresh engine state; ``len(schedule.runners)`` runner processes (:mod:`.processes`),
   each the pynenc runner class it names; wait until each has a heartbeat;
2. a sweeper thread runs pynenc's own recovery tasks every ``sweep_seconds``
   (their cron cannot fire more often than once a minute);
3. producer threads enqueue at the scheduled times, and the nemesis strikes;
4. drain: every stalled runner is continued and every dead one restarted, the run
   waits until every invocation is final, then enqueues one probe per key and waits
   again (the quiescence probe); results of dropped invocations are read;
5. the history is assembled by the recorder from what each party recorded: the
   producers' enqueues, pynenc's own status history in the engine (every process
   writes it), the loopback provider's calls, the nemesis's faults, and the pynenc
   errors in the runners' logs.

Times are ``time.time()`` seconds since the run began (one host, one clock): a
runner given a skewed clock (:mod:`.clock_shift`) stamps what it writes with that
clock, and the driver, which chose it, maps each stamp back to real time.  A
run whose deadline passed while pynenc was still making progress ends with a
DEADLINE event, so checkers' verdicts on unfinished work can be called unknown.
"""

from __future__ import annotations

import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pynenc.invocation.dist_invocation import ReusedInvocation

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.realtime import clock_shift
from pynenc_suite.drivers.realtime.logs import error_from_message, last_error_line, logged_state_errors
from pynenc_suite.drivers.realtime.nemesis import Nemesis, sleep_until
from pynenc_suite.drivers.realtime.processes import (
    RunnerProcess,
    RunnerStartError,
    active_runner_pids,
    runner_environment,
    signal_group,
    signal_pid,
)
from pynenc_suite.drivers.realtime.routes import Route, runner_routes
from pynenc_suite.drivers.realtime.timing import Timing
from pynenc_suite.drivers.recovery import act_as_sweeper, sweep_once
from pynenc_suite.engines.configure import configured
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.history.model import ErrorSite, Event, Fault, History, Kind
from pynenc_suite.history.status_graph import FINAL, RECOVERY
from pynenc_suite.provider.loopback import LoopbackProvider
from pynenc_suite.recorder.recorder import Recorder
from pynenc_suite.schedules.realtime import NO_SKEW, RealtimeSchedule, RunnerClock, TimedEnqueue

RUNNER_START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
PROBE_HOLD = 0.05
# After its network heals, a runner may be blocked in an engine call until its client times out (pynenc-redis's
# socket_timeout, 5 s by default), then reconnect and write its next heartbeat; after its link is fast again, it
# may still be in a loop iteration begun slow.  Until then pynenc may rightly presume it dead.  Recorded on the
# fault's end, so the checkers excuse recoveries from it up to then, and no longer.
UNHEARD_GRACE = 8.0
MAX_RUN_SECONDS = 600.0  # no real-time run lasts longer (the settle deadline and the schedule's window bound it)


@dataclass
class RunStats:
    """What a run exercised, for the tier's report."""

    enqueues: int = 0
    reused: int = 0
    faults: Counter[Fault] = field(default_factory=Counter)
    restarts: int = 0
    sweeps: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    settled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "faults": {fault.value: n for fault, n in self.faults.items()}}

    def add(self, other: RunStats) -> None:
        """Sum ``other``'s counters into these (a session's totals)."""
        for name in ("enqueues", "reused", "restarts", "sweeps", "recovered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.faults.update(other.faults)
        self.errors += other.errors
        self.seconds += other.seconds


class RealtimeRun:
    """Runs one :class:`RealtimeSchedule`; :meth:`execute` returns the assembled :class:`History`."""

    def __init__(
        self,
        target: Target,
        engine: EngineInstance,
        provider: LoopbackProvider,
        schedule: RealtimeSchedule,
        extra_env: dict[str, str] | None = None,
        log_folder: Path | None = None,
        timing: Timing | None = None,
    ) -> None:
        self.target = target
        self.app = target.app
        self.engine = engine
        self.timing = timing or Timing()
        self.provider = provider
        self.schedule = schedule
        self.extra_env = dict(extra_env or {})
        self.log_folder = log_folder or Path(tempfile.mkdtemp(prefix="pynenc-suite-runners-"))
        self.stats = RunStats()
        self.runners = [RunnerProcess(slot, cls) for slot, cls in enumerate(schedule.runners)]
        self.recorder = Recorder(clock=self._now, policies=target.policies)
        self.invocations: dict[str, Any] = {}
        self.config: dict[str, Any] = {}
        self._t0 = 0.0
        self._lock = threading.Lock()
        self._restart_lock = threading.Lock()
        self._stop = threading.Event()
        self.routes: list[Route] = []  # each runner slot's way to the engine, when the schedule faults the network

    # -- time and events ------------------------------------------------------
    def _now(self) -> float:
        return time.time() - self._t0

    def emit(self, kind: Kind, **fields: Any) -> None:
        with self._lock:
            self.recorder.emit(kind, **fields)

    # -- the run ------------------------------------------------------------
    def execute(self) -> History:
        started = time.monotonic()
        self.config = {**self.engine.fresh(), **self.timing.config()}
        with configured(self.app, self.config), runner_routes(self.schedule, self.engine.url) as self.routes:
            return self._execute(started)

    def _execute(self, started: float) -> History:
        self._t0 = time.time()
        for task in self.target.controlled.values():
            self.recorder.register_task(task)
        self._skew_clocks()
        sweeper = threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True)
        try:
            for runner in self.runners:
                self._spawn(runner)
            self._wait_for_heartbeats()
            sweeper.start()
            self._play()
            self._drain()
        finally:
            self._stop.set()
            if sweeper.is_alive():
                sweeper.join()  # it watches and restarts runners: it must be gone before they are stopped
            self._stop_all()
            self.stats.seconds = time.monotonic() - started
        return self._assemble()

    def _play(self) -> None:
        """Producers and the nemesis, each on its own thread, at the scheduled times."""
        base = time.monotonic()
        producers: dict[int, list[TimedEnqueue]] = {}
        for enqueue in self.schedule.enqueues:
            producers.setdefault(enqueue.producer, []).append(enqueue)
        threads = [
            threading.Thread(target=self._produce, args=(base, steps), name=f"producer-{p}", daemon=True)
            for p, steps in producers.items()
        ]
        nemesis = Nemesis(self)
        threads.append(
            threading.Thread(target=nemesis.play, args=(base, self.schedule.faults), name="nemesis", daemon=True)
        )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # -- producers ----------------------------------------------------------
    def _produce(self, base: float, steps: Iterable[TimedEnqueue]) -> None:
        for step in steps:
            sleep_until(base + step.at)
            self._enqueue(step.task, step.kwargs, f"p{step.producer}", step.hold, probe=False, fail=step.fail)

    def _enqueue(
        self, name: str, kwargs: dict[str, Any], producer: str, hold: float, probe: bool, fail: bool = False
    ) -> None:
        task = self.target.tasks[name]
        try:
            invocation = task(**kwargs)
        except Exception as error:  # noqa: BLE001 - what the producer saw is the observation
            with self._lock:
                self.recorder.raised(ErrorSite.ENQUEUE, error, worker=producer, task=name)
            self.stats.errors.append(f"{producer} enqueue: {type(error).__name__}: {error}")
            return
        invocation_id = str(invocation.invocation_id)
        self.provider.hold_for.setdefault(invocation_id, hold)
        if fail and not isinstance(invocation, ReusedInvocation):
            self.provider.fail_next.add(invocation_id)
        with self._lock:
            created = self.recorder.enqueued(task, kwargs, invocation, producer, probe)
        if not created:
            self.stats.reused += 1
            return
        self.invocations[invocation_id] = invocation
        self.stats.enqueues += 1

    # -- runner processes -------------------------------------------------------
    def _skew_clocks(self) -> None:
        """Each runner slot with a skewed clock keeps it from the run's start: a SKEW event with its value."""
        for runner in self.runners:
            clock = self.schedule.clock(runner.slot)
            if clock.skewed:
                self.stats.faults[Fault.CLOCK_SKEW] += 1
                self.emit(Kind.SKEW, worker=runner.label, fault=Fault.CLOCK_SKEW, offset=clock.offset,
                          drift=clock.drift, detail=f"r{runner.slot}'s {clock!r} (its workers' too)")  # fmt: skip

    def _spawn(self, runner: RunnerProcess) -> None:
        extra = dict(self.extra_env)
        clock = self.schedule.clock(runner.slot)
        if clock.skewed:
            extra.update(clock_shift.environment(clock, self._t0))
        route = self.route(runner)
        if route is None:
            env = runner_environment(self.config, runner.runner_cls, self.provider.url, extra)
            runner.spawn(self.target.spec, env, self.log_folder)
            return
        env = runner_environment(route.config(self.config), runner.runner_cls, route.provider_url(self.provider), extra)
        runner.spawn(self.target.spec, env, self.log_folder, inside=route.command)

    def route(self, runner: RunnerProcess) -> Route | None:
        return self.routes[runner.slot] if self.routes else None

    def heal(self, runner: RunnerProcess) -> None:
        route = self.route(runner)
        if runner.partitioned and route is not None and route.link is not None:
            route.link.heal()
            runner.partitioned = False
            self.emit(Kind.RESUME, worker=runner.label, fault=Fault.PARTITION, grace=UNHEARD_GRACE,
                      detail=f"healed r{runner.slot}'s network")  # fmt: skip

    def speed_up(self, runner: RunnerProcess) -> None:
        route = self.route(runner)
        if route is not None and route.relay.delay:
            route.relay.delay = 0.0
            self.emit(Kind.RESUME, worker=runner.label, fault=Fault.DELAY, grace=UNHEARD_GRACE,
                      detail=f"r{runner.slot}'s engine link fast again")  # fmt: skip

    def _wait_for_heartbeats(self) -> None:
        """Every runner process has written a heartbeat (it is polling); raise if one died first."""
        deadline = time.monotonic() + RUNNER_START_TIMEOUT
        while True:
            for runner in self.runners:
                if not runner.alive:
                    raise RunnerStartError(
                        f"runner r{runner.slot} ({runner.runner_cls}) exited with status "
                        f"{runner.process.returncode if runner.process else '?'} before it started polling: "
                        f"{last_error_line(runner.log)} (log: {runner.log})"
                    )
            pids = active_runner_pids(self.app, slack=self._clock_slack())
            if all(r.process is not None and r.pid in pids for r in self.runners):
                return
            if time.monotonic() > deadline:
                raise RunnerStartError(f"runners did not report a heartbeat within {RUNNER_START_TIMEOUT:.0f}s")
            time.sleep(0.1)

    def _clock_slack(self) -> float:
        """How much older than it is a skewed runner's heartbeat can look within a run (an upper bound)."""
        clocks = [self.schedule.clock(r.slot) for r in self.runners]
        return max((max(0.0, -c.offset) + abs(c.drift) * MAX_RUN_SECONDS for c in clocks), default=0.0)

    def resume(self, runner: RunnerProcess) -> None:
        if runner.stalled and runner.process is not None:
            signal_group(runner.pid, signal.SIGCONT)
            runner.stalled = False
            self.emit(Kind.RESUME, worker=runner.label, detail=f"SIGCONT process group {runner.pid}")

    def restart(self, runner: RunnerProcess) -> None:
        with self._restart_lock:
            if not runner.alive:
                self._restart_locked(runner)

    def _restart_locked(self, runner: RunnerProcess) -> None:
        if runner.process is not None and runner.process.poll() is not None and not runner.expected_down:
            self._exited_on_its_own(runner)
        if runner.process is not None:
            try:
                runner.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                signal_group(runner.pid, signal.SIGKILL)
                runner.process.wait()
        self._reap_group(runner)
        self._spawn(runner)
        self.stats.restarts += 1
        self.emit(Kind.RESTART, worker=runner.label, detail=f"pid {runner.pid}")

    def _exited_on_its_own(self, runner: RunnerProcess) -> None:
        """The runner's process ended without the nemesis: pynenc raised in its loop.  An observation, and a crash."""
        code = runner.started.returncode
        last = last_error_line(runner.log)
        error = error_from_message(last)
        self.emit(Kind.ERROR, worker=runner.label, error=error, detail=f"runner exited with status {code}: {last}")
        self.emit(Kind.CRASH, worker=runner.label, fault=Fault.EXIT, detail=f"runner process exited (status {code})")
        self.stats.errors.append(f"{runner.label} ({runner.runner_cls}) exited on its own with status {code}: {last}")

    def _stop_all(self) -> None:
        for runner in self.runners:
            runner.expected_down = True
            if runner.process is not None and runner.stalled:
                signal_group(runner.pid, signal.SIGCONT)
                runner.stalled = False
            if runner.alive:
                signal_pid(runner.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for runner in self.runners:
            if runner.process is None:
                continue
            try:
                runner.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stats.errors.append(
                    f"{runner.label} ({runner.runner_cls}) ignored SIGTERM for {STOP_TIMEOUT:.0f}s"
                )
                signal_group(runner.pid, signal.SIGKILL)
                runner.process.wait()
            self._reap_group(runner)

    @staticmethod
    def _reap_group(runner: RunnerProcess) -> None:
        """No process of a finished runner may outlive it (workers of a killed parent, managers)."""
        if runner.process is not None:
            signal_group(runner.pid, signal.SIGKILL)

    # -- recovery -----------------------------------------------------------
    def _sweep_loop(self) -> None:
        act_as_sweeper(self.app)
        while not self._stop.wait(self.timing.sweep_seconds):
            self._watch_runners()
            try:
                sweep_once()
                self.stats.sweeps += 1
            except Exception as error:  # noqa: BLE001 - pynenc's recovery raising is an observation
                with self._lock:
                    self.recorder.raised(ErrorSite.RECOVERY, error, worker="sweeper")
                self.stats.errors.append(f"sweeper: {type(error).__name__}: {error}")

    def _watch_runners(self) -> None:
        """A runner process that exits on its own is restarted (and recorded, see :meth:`_restart_locked`)."""
        for runner in self.runners:
            if runner.process is not None and not runner.alive and not runner.expected_down:
                self.restart(runner)

    # -- drain --------------------------------------------------------------
    def _drain(self) -> None:
        for runner in self.runners:
            self.resume(runner)
            self.heal(runner)
            self.speed_up(runner)
            if not runner.alive:
                self.restart(runner)
        self.emit(Kind.DRAIN)
        settled = self._settle()
        before = set(self.invocations)
        for name, kwargs in self.recorder.probe_calls():
            self._enqueue(name, kwargs, "probe", hold=PROBE_HOLD, probe=True)
        settled = self._settle(only=set(self.invocations) - before) and settled
        self.stats.settled = settled
        if not settled:
            self.emit(Kind.DEADLINE)
        with self._lock:
            self.recorder.dropped_results(self._statuses(), dict(self.invocations))

    def _settle(self, only: set[str] | None = None) -> bool:
        """Wait until every invocation is final.

        True also when nothing progressed (no invocation became final, no provider
        call started) for several recovery periods with live runners and sweeps: what
        is left then is stuck, not slow.  False if the deadline passed while work was
        still progressing, so that unfinished work can only be judged unknown.
        """
        quiet_for = 2 * self.timing.recovery_seconds
        deadline = time.monotonic() + 4 * quiet_for
        last_change, last_seen = time.monotonic(), (-1, -1)
        while True:
            statuses = self._statuses(only)
            finals = sum(1 for s in statuses.values() if s in FINAL)
            if finals == len(statuses):
                return True
            progress = (finals, len(self.provider.calls))
            if progress != last_seen:
                last_seen, last_change = progress, time.monotonic()
            now = time.monotonic()
            if now - last_change > quiet_for:
                return True
            if now > deadline:
                return False
            time.sleep(0.25)

    def _statuses(self, only: set[str] | None = None) -> dict[str, str]:
        out = {}
        for invocation_id in list(self.invocations):
            if only is not None and invocation_id not in only:
                continue
            try:
                out[invocation_id] = self.app.orchestrator.get_invocation_status(invocation_id).value
            except Exception as error:  # noqa: BLE001 - unknown to the engine counts as not final
                out[invocation_id] = f"unreadable:{type(error).__name__}"
        return out

    # -- the history --------------------------------------------------------
    def _assemble(self) -> History:
        """Merge the producers', pynenc's, the provider's and the runners' logs' records into one history."""
        writers = self._writers()
        statuses = list(self._status_events(writers))
        self.stats.recovered = sum(1 for e in statuses if e.status in RECOVERY)
        return self.recorder.merged([*statuses, *self._provider_events(writers), *self._logged_errors()])

    def _real(self, clock: RunnerClock, stamp: float) -> float:
        """A stamp a process wrote with ``clock``, as seconds of real time since the run began."""
        return clock.real(stamp, self._t0) - self._t0

    def _logged_errors(self) -> Iterable[Event]:
        """pynenc state errors a runner or one of its workers logged (a worker's loop can die of one
        without its runner exiting): ERROR events at the time the log line gives."""
        for runner in self.runners:
            clock = self.schedule.clock(runner.slot)
            for log in sorted(self.log_folder.glob(f"r{runner.slot}*.log")):
                for when, message in logged_state_errors(log.read_text(errors="replace"), log.stat().st_mtime):
                    yield self.recorder.timed(
                        Kind.ERROR,
                        self._real(clock, when),
                        worker=log.stem,
                        error=error_from_message(message),
                        detail=f"runner log: {message[:300]}",
                    )

    def _writers(self) -> Callable[[str], tuple[str, RunnerClock]]:
        """A pynenc runner context's name in the history (``r1#2``, ``sweeper``, ``producer``) and its clock."""
        by_pid = {pid: (label, runner.slot) for runner in self.runners for pid, label in runner.pids.items()}
        cache: dict[str, tuple[str, RunnerClock]] = {}

        def writer(runner_id: str) -> tuple[str, RunnerClock]:
            if runner_id not in cache:
                try:
                    ctx = self.app.state_backend.get_runner_context(runner_id)
                except Exception:  # noqa: BLE001 - an unknown context keeps its raw id
                    ctx = None
                name, clock = runner_id[:8], NO_SKEW
                if ctx is not None:
                    mine = by_pid.get(ctx.pid) or (by_pid.get(ctx.parent_ctx.pid) if ctx.parent_ctx else None)
                    if ctx.runner_cls == "RecoverySweeper":
                        name = "sweeper"
                    elif "ExternalRunner" in ctx.runner_cls or "ExternalRunner" in runner_id:
                        name = "producer"
                    elif mine is not None:
                        name, clock = mine[0], self.schedule.clock(mine[1])
                cache[runner_id] = (name, clock)
            return cache[runner_id]

        return writer

    def _status_events(self, writers: Callable[[str], tuple[str, RunnerClock]]) -> Iterable[Event]:
        recorder = self.recorder
        for invocation_id in self.invocations:
            try:
                stored = self.app.state_backend.get_history(invocation_id)
            except Exception as error:  # noqa: BLE001 - report, do not hide
                self.stats.errors.append(f"history of {recorder.label(invocation_id)}: {type(error).__name__}: {error}")
                continue
            # each status at the stamp of its own record, taken by its writer just before the write that made it
            # the invocation's status (the history record's stamp comes after, late by every engine round trip
            # between: seconds on a slow link); read by its writer's clock, ordered by the real time it stands for
            timed = sorted(
                (
                    (self._real(writers(r.runner_context_id)[1], r.status_record.timestamp.timestamp()), r)
                    for r in stored
                ),  # fmt: skip
                key=lambda pair: pair[0],
            )
            for when, record in timed:
                yield recorder.timed_status(
                    invocation_id,
                    record.status_record.status.value,
                    when,
                    worker=writers(record.runner_context_id)[0],
                    writer=record.runner_context_id,
                )
            # pynenc writes a status, then its history record: a process killed in between leaves the
            # engine's status ahead of the history.  The status the engine holds at the end is a fact too.
            try:
                current = self.app.orchestrator.get_invocation_status_record(invocation_id)
            except Exception:  # noqa: BLE001 - nothing more to learn
                continue
            last_time, last = timed[-1] if timed else (0.0, None)
            if last is None or current.status != last.status_record.status:
                name, clock = writers(current.runner_id) if current.runner_id else ("engine", NO_SKEW)
                yield recorder.timed_status(
                    invocation_id,
                    current.status.value,
                    max(self._real(clock, current.timestamp.timestamp()), last_time),
                    worker=name,
                    writer=current.runner_id,
                    detail="engine status with no history record (its writer died between the two writes)",
                )

    def _provider_events(self, writers: Callable[[str], tuple[str, RunnerClock]]) -> Iterable[Event]:
        by_pid = {pid: lbl for runner in self.runners for pid, lbl in runner.pids.items()}
        for call in list(self.provider.calls):
            worker = by_pid.get(call.pgid) or (writers(call.runner_id)[0] if call.runner_id else f"pid{call.pid}")
            yield from self.recorder.timed_call(call, worker, self._t0)
