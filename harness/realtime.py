"""The real-time driver: a chaos schedule against pynenc's own runners, in separate processes, on a shared engine.

Jepsen's client and nemesis for this tier.  One run:

1. fresh engine state; ``len(schedule.runners)`` runner processes
   (``python -m harness.runner_process``), each pynenc runner class it names, in
   its own process group; wait until each has a heartbeat;
2. a sweeper thread runs pynenc's own recovery tasks every ``sweep_seconds``
   (their cron cannot fire more often than once a minute);
3. producer threads enqueue at the scheduled times, and the nemesis thread
   delivers the faults (SIGKILL of a runner's process group or of one worker,
   SIGTERM, SIGSTOP/SIGCONT, Redis connection drops) and restarts what it killed;
4. drain: every stalled runner is continued and every dead one restarted, the run
   waits until every invocation is final, then enqueues one probe per key and waits
   again (the quiescence probe); results of dropped invocations are read;
5. the history is assembled from what each party recorded on its own clock-free
   facts: the producer's enqueues, pynenc's own status history in the engine
   (every process writes it), the loopback provider's calls, the nemesis's faults.

Times are ``time.time()`` seconds since the run began (one host, one clock).
Whether every invocation settled before the deadline is recorded in the DRAIN
event's detail, so checkers' verdicts on unfinished work can be called unknown
when the run merely ran out of time.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pynenc import context, core_tasks
from pynenc.invocation.dist_invocation import ReusedInvocation
from pynenc.runner.runner_context import RunnerContext

from harness.engines import Engine, configured, environment
from harness.policies import task_name
from harness.provider_client import PROVIDER_URL_ENV
from harness.provider_server import LoopbackProvider, ServedCall
from harness.recorder import Recorder, result_outcome
from harness.runner_process import PARENT_PID_ENV
from harness.target import Target
from invariants.history import Event, History, Kind
from strategies.chaos import DROP_CONNECTIONS, KILL, KILL_WORKER, STALL, TERM, ChaosSchedule, Fault, TimedEnqueue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNNER_START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
CONNECTION_DROP = "redis: dropped"  # how a CLIENT KILL of every connection reads in the history
FINAL = frozenset({"success", "failed", "concurrency_controlled_final"})
SETTLED, UNSETTLED = "settled", "unsettled"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOG_TIME = re.compile(r"^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00) ")
_TRACEBACK_ERROR = re.compile(r"^pynenc\.exceptions\.\w+: (?P<message>Invocation\w*Error\(.*)$")
_LOG_ERROR = re.compile(r"^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00) ERROR\s.*?(?P<message>\S*Invocation\w*Error\(.*)$")
_KIND_ORDER = {Kind.ENQUEUE: 0, Kind.REUSED: 0, Kind.STATUS: 1, Kind.PROVIDER_START: 2, Kind.PROVIDER_END: 3}


class RunnerStartError(Exception):
    """A runner process exited or never reported a heartbeat; ``str()`` says which and why."""


@dataclass
class RunnerProcess:
    """One runner slot of the schedule: the runner class and its current OS process."""

    slot: int
    runner_cls: str
    process: subprocess.Popen | None = None
    incarnation: int = -1
    pids: dict[int, str] = field(default_factory=dict)  # main pid of every incarnation -> label
    stalled: bool = False
    expected_down: bool = False  # the nemesis killed or stopped it; any other exit is the runner's own
    log: Path | None = None

    @property
    def label(self) -> str:
        return f"r{self.slot}" if self.incarnation <= 0 else f"r{self.slot}#{self.incarnation}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class RunStats:
    """What a run exercised, for the tier's report."""

    enqueues: int = 0
    reused: int = 0
    kills: int = 0
    worker_kills: int = 0
    terms: int = 0
    stalls: int = 0
    drops: int = 0
    restarts: int = 0
    sweeps: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    settled: bool = False


class RealtimeRun:
    """Runs one :class:`ChaosSchedule`; :meth:`execute` returns the assembled :class:`History`."""

    def __init__(self, target: Target, engine: Engine, provider: LoopbackProvider, schedule: ChaosSchedule,
                 extra_env: dict[str, str] | None = None, log_folder: Path | None = None) -> None:
        self.target = target
        self.app = target.app
        self.engine = engine
        self.timing = engine.timing
        self.provider = provider
        self.schedule = schedule
        self.extra_env = dict(extra_env or {})
        self.log_folder = log_folder or Path(tempfile.mkdtemp(prefix="pynenc-suite-runners-"))
        self.stats = RunStats()
        self.runners = [RunnerProcess(slot, cls) for slot, cls in enumerate(schedule.runners)]
        self.recorder = Recorder(clock=self._now, policies=target.policies)
        self.invocations: dict[str, Any] = {}
        self.faults: list[Event] = []
        self._t0 = 0.0
        self._lock = threading.Lock()
        self._restart_lock = threading.Lock()
        self._stop = threading.Event()
        self._config: dict[str, Any] = {}

    # -- time ---------------------------------------------------------------
    def _now(self) -> float:
        return time.time() - self._t0

    def _emit(self, kind: Kind, **fields: Any) -> None:
        with self._lock:
            self.recorder.emit(kind, **fields)

    # -- the run ------------------------------------------------------------
    def execute(self) -> History:
        started = time.monotonic()
        self._config = self.engine.fresh()
        with configured(self.app, self._config):
            return self._execute(started)

    def _execute(self, started: float) -> History:
        self._t0 = time.time()
        for task in self.target.controlled.values():
            self.recorder.register_task(task)
        sweeper = threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True)
        try:
            for runner in self.runners:
                self._start(runner)
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
        threads.append(threading.Thread(target=self._nemesis, args=(base, self.schedule.faults), name="nemesis", daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # -- producers ----------------------------------------------------------
    def _produce(self, base: float, steps: Iterable[TimedEnqueue]) -> None:
        for step in steps:
            _sleep_until(base + step.at)
            self._enqueue(step.task, step.kwargs, f"p{step.producer}", step.hold, probe=False, fail=step.fail)

    def _enqueue(self, name: str, kwargs: dict[str, Any], producer: str, hold: float, probe: bool,
                 fail: bool = False) -> None:
        task = self.target.tasks[name]
        try:
            invocation = task(**kwargs)
        except Exception as error:  # noqa: BLE001 - what the producer saw is the observation
            self._emit(Kind.ERROR, worker=producer, task=name, detail=f"enqueue raised {type(error).__name__}: {error}")
            self.stats.errors.append(f"{producer} enqueue: {type(error).__name__}: {error}")
            return
        invocation_id = str(invocation.invocation_id)
        self.provider.hold_for.setdefault(invocation_id, hold)
        if fail and not isinstance(invocation, ReusedInvocation):
            self.provider.fail_next.add(invocation_id)
        with self._lock:
            if isinstance(invocation, ReusedInvocation):
                _, reg_key = self.recorder.key_refs(task, kwargs)
                self.recorder.emit(
                    Kind.REUSED, invocation_id=self.recorder.label(invocation_id), task=name, worker=producer, reg_key=reg_key
                )
                self.stats.reused += 1
                return
            info = self.recorder.know_invocation(invocation)
            self.invocations[invocation_id] = invocation
            self.recorder.emit(
                Kind.ENQUEUE, invocation_id=info.label, task=info.task, worker=producer, key=info.key,
                reg_key=info.reg_key, probe=probe, detail=", ".join(f"{k}={v!r}" for k, v in kwargs.items()),
            )
            self.stats.enqueues += 1

    # -- nemesis ------------------------------------------------------------
    def _nemesis(self, base: float, faults: Iterable[Fault]) -> None:
        pending: list[tuple[float, Callable[[], None]]] = []
        for fault in faults:
            while pending and pending[0][0] <= base + fault.at:
                due, action = pending.pop(0)
                _sleep_until(due)
                action()
            _sleep_until(base + fault.at)
            follow_up = self._strike(fault)
            if follow_up is not None:
                pending.append((time.monotonic() + fault.seconds, follow_up))
                pending.sort(key=lambda item: item[0])
        for due, action in pending:
            _sleep_until(due)
            action()

    def _strike(self, fault: Fault) -> Callable[[], None] | None:
        runner = self._busy_runner() if fault.busy else None
        runner = runner or self.runners[fault.runner % len(self.runners)]
        if fault.kind == DROP_CONNECTIONS:
            return self._drop_connections()
        if not runner.alive or runner.stalled:
            return None
        pid = runner.process.pid  # type: ignore[union-attr]
        if fault.kind == KILL:
            runner.expected_down = True
            _signal_group(pid, signal.SIGKILL)
            runner.process.wait()  # type: ignore[union-attr]
            self.stats.kills += 1
            self._fault(Kind.CRASH, runner, f"SIGKILL process group {pid}")
            return lambda: self._restart(runner)
        if fault.kind == KILL_WORKER:
            worker = self._worker_pid(pid)
            if worker is None:
                return None
            _signal_pid(worker, signal.SIGKILL)
            self.stats.worker_kills += 1
            self._fault(Kind.CRASH, runner, f"SIGKILL worker pid {worker}")
            return None
        if fault.kind == TERM:
            runner.expected_down = True
            _signal_pid(pid, signal.SIGTERM)
            self.stats.terms += 1
            self._fault(Kind.STOP, runner, f"SIGTERM pid {pid}")
            return lambda: self._restart(runner)
        if fault.kind == STALL:
            _signal_group(pid, signal.SIGSTOP)
            runner.stalled = True
            self.stats.stalls += 1
            self._fault(Kind.CRASH, runner, f"stall: SIGSTOP process group {pid} for {fault.seconds:g}s")
            return lambda: self._resume(runner)
        raise ValueError(f"unknown fault {fault.kind!r}")

    def _busy_runner(self) -> RunnerProcess | None:
        """The first live runner whose processes have a provider call in flight."""
        in_flight = {call.pgid for call in list(self.provider.calls) if call.end is None}
        return next((r for r in self.runners if r.alive and not r.stalled and r.process.pid in in_flight), None)  # type: ignore[union-attr]

    def _fault(self, kind: Kind, runner: RunnerProcess, detail: str) -> None:
        self._emit(kind, worker=runner.label, detail=detail)

    def _resume(self, runner: RunnerProcess) -> None:
        if runner.stalled and runner.process is not None:
            _signal_group(runner.process.pid, signal.SIGCONT)
            runner.stalled = False
            self._emit(Kind.START, worker=runner.label, detail=f"resume: SIGCONT process group {runner.process.pid}")

    def _restart(self, runner: RunnerProcess) -> None:
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
                _signal_group(runner.process.pid, signal.SIGKILL)
                runner.process.wait()
        self._reap_group(runner)
        self._start(runner)
        self.stats.restarts += 1
        self._emit(Kind.START, worker=runner.label, detail=f"restart: pid {runner.process.pid}")  # type: ignore[union-attr]

    def _exited_on_its_own(self, runner: RunnerProcess) -> None:
        """The runner's process ended without the nemesis: pynenc raised in its loop.  An observation, and a crash."""
        code = runner.process.returncode  # type: ignore[union-attr]
        detail = f"runner exited on its own with status {code}: {_last_line(runner.log)}"
        self._emit(Kind.ERROR, worker=runner.label, detail=detail)
        self._emit(Kind.CRASH, worker=runner.label, detail=f"runner process exited on its own (status {code})")
        self.stats.errors.append(f"{runner.label} ({runner.runner_cls}) {detail}")

    def _drop_connections(self) -> None:
        if self.engine.name != "redis":
            return None
        import redis

        try:
            client = redis.Redis.from_url(self._config["redis_url"])
            dropped = client.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            client.close()
        except redis.RedisError as error:
            self.stats.errors.append(f"drop connections: {error}")
            return None
        self.stats.drops += 1
        self._emit(Kind.CRASH, detail=f"{CONNECTION_DROP} {dropped} client connections")
        return None

    def _worker_pid(self, runner_pid: int) -> int | None:
        """A worker process of the runner, as pynenc's own runner contexts name them (None if it has none)."""
        children = _children(runner_pid)
        if not children:
            return None
        known = []
        try:
            for info in self.app.orchestrator.get_active_runners():
                ctx = self.app.state_backend.get_runner_context(info.runner_id)
                if ctx is not None and ctx.parent_ctx is not None and ctx.parent_ctx.pid == runner_pid and ctx.pid in children:
                    known.append(ctx.pid)
        except Exception:  # noqa: BLE001 - the engine may be unreachable during a fault; pick no worker
            return None
        return random.Random(runner_pid).choice(sorted(known)) if known else None

    # -- runners ------------------------------------------------------------
    def _start(self, runner: RunnerProcess) -> None:
        env = runner_environment(self._config, runner.runner_cls, self.provider.url, self.extra_env)
        runner.incarnation += 1
        runner.expected_down = False
        self.log_folder.mkdir(parents=True, exist_ok=True)
        runner.log = self.log_folder / f"{runner.label}.log"
        with open(runner.log, "wb") as log:
            runner.process = subprocess.Popen(
                [sys.executable, "-m", "harness.runner_process", self.target.spec],
                env=env, cwd=os.getcwd(), stdout=log, stderr=log, start_new_session=True,
            )
        runner.pids[runner.process.pid] = runner.label

    def _wait_for_heartbeats(self) -> None:
        """Every runner process has written a heartbeat (it is polling); raise if one died first."""
        deadline = time.monotonic() + RUNNER_START_TIMEOUT
        while True:
            for runner in self.runners:
                if not runner.alive:
                    raise RunnerStartError(
                        f"runner r{runner.slot} ({runner.runner_cls}) exited with status "
                        f"{runner.process.returncode if runner.process else '?'} before it started polling: "
                        f"{_last_line(runner.log)} (log: {runner.log})"
                    )
            pids = {ctx_pid for ctx_pid in self._active_runner_pids()}
            if all(r.process is not None and r.process.pid in pids for r in self.runners):
                return
            if time.monotonic() > deadline:
                raise RunnerStartError(f"runners did not report a heartbeat within {RUNNER_START_TIMEOUT:.0f}s")
            time.sleep(0.1)

    def _active_runner_pids(self) -> set[int]:
        pids = set()
        for info in self.app.orchestrator.get_active_runners():
            ctx = self.app.state_backend.get_runner_context(info.runner_id)
            if ctx is not None:
                pids.add(ctx.pid)
        return pids

    def _stop_all(self) -> None:
        for runner in self.runners:
            runner.expected_down = True
            if runner.process is not None and runner.stalled:
                _signal_group(runner.process.pid, signal.SIGCONT)
                runner.stalled = False
            if runner.alive:
                _signal_pid(runner.process.pid, signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + STOP_TIMEOUT
        for runner in self.runners:
            if runner.process is None:
                continue
            try:
                runner.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stats.errors.append(f"{runner.label} ({runner.runner_cls}) ignored SIGTERM for {STOP_TIMEOUT:.0f}s")
                _signal_group(runner.process.pid, signal.SIGKILL)
                runner.process.wait()
            self._reap_group(runner)

    def _reap_group(self, runner: RunnerProcess) -> None:
        """No process of a finished runner may outlive it (workers of a killed parent, managers)."""
        if runner.process is not None:
            _signal_group(runner.process.pid, signal.SIGKILL)

    # -- recovery -----------------------------------------------------------
    def _sweep_loop(self) -> None:
        act_as_sweeper(self.app)
        while not self._stop.wait(self.timing.sweep_seconds):
            self._watch_runners()
            try:
                sweep_once()
                self.stats.sweeps += 1
            except Exception as error:  # noqa: BLE001 - pynenc's recovery raising is an observation
                self._emit(Kind.ERROR, worker="sweeper", detail=f"recovery raised {type(error).__name__}: {error}")
                self.stats.errors.append(f"sweeper: {type(error).__name__}: {error}")

    def _watch_runners(self) -> None:
        """A runner process that exits on its own is restarted (and recorded, see :meth:`_restart_locked`)."""
        for runner in self.runners:
            if runner.process is not None and not runner.alive and not runner.expected_down:
                self._restart(runner)

    # -- drain --------------------------------------------------------------
    def _drain(self) -> None:
        for runner in self.runners:
            self._resume(runner)
            if not runner.alive:
                self._restart(runner)
        self._emit(Kind.DRAIN)
        settled = self._settle()
        before = set(self.invocations)
        for name, kwargs in self.recorder.probe_calls():
            self._enqueue(name, kwargs, "probe", hold=0.05, probe=True)
        settled = self._settle(only=set(self.invocations) - before) and settled
        self.stats.settled = settled
        self._emit(Kind.DRAIN, detail=SETTLED if settled else UNSETTLED)
        self._read_results()

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

    def _read_results(self) -> None:
        """A producer reads the result of every invocation pynenc dropped: it must raise."""
        statuses = self._statuses()
        for invocation_id, invocation in list(self.invocations.items()):
            if statuses.get(invocation_id) == "concurrency_controlled_final":
                self._emit(Kind.RESULT, invocation_id=self.recorder.label(invocation_id),
                           task=task_name(invocation.task), outcome=result_outcome(invocation))

    # -- the history --------------------------------------------------------
    def _assemble(self) -> History:
        """Merge the producer's, pynenc's, the provider's and the nemesis's records into one time-ordered history."""
        own = [e for e in self.recorder.history.events]
        labels = self._runner_labels()
        statuses = list(self._status_events(labels))
        calls = list(self._provider_events(labels))
        logged = list(self._logged_errors())
        events = sorted(own + statuses + calls + logged, key=lambda e: (e.time, _KIND_ORDER.get(e.kind, 1), e.seq))
        history = History(policies=dict(self.recorder.history.policies))
        history.events = [_renumber(e, seq) for seq, e in enumerate(events)]
        self.stats.recovered = sum(1 for e in statuses if e.status in ("pending_recovery", "running_recovery"))
        return history

    def _logged_errors(self) -> Iterable[Event]:
        """pynenc state errors a runner or one of its workers logged (a worker's loop can die of one
        without its runner exiting): ERROR events at the time the log line gives."""
        for runner in self.runners:
            for log in sorted((self.log_folder).glob(f"r{runner.slot}*.log")):
                for when, message in logged_state_errors(log.read_text(errors="replace"), log.stat().st_mtime):
                    yield Event(seq=0, kind=Kind.ERROR, time=round(when - self._t0, 6), worker=log.stem,
                                detail=f"runner log: {message[:300]}")

    def _runner_labels(self) -> Callable[[str], str]:
        by_pid = {pid: label for runner in self.runners for pid, label in runner.pids.items()}
        cache: dict[str, str] = {}

        def label(runner_id: str) -> str:
            if runner_id not in cache:
                ctx = None
                try:
                    ctx = self.app.state_backend.get_runner_context(runner_id)
                except Exception:  # noqa: BLE001 - an unknown context keeps its raw id
                    ctx = None
                name = runner_id[:8]
                if ctx is not None:
                    if ctx.runner_cls == "RecoverySweeper":
                        name = "sweeper"
                    elif "ExternalRunner" in ctx.runner_cls or "ExternalRunner" in runner_id:
                        name = "producer"
                    elif ctx.pid in by_pid:
                        name = by_pid[ctx.pid]
                    elif ctx.parent_ctx is not None and ctx.parent_ctx.pid in by_pid:
                        name = by_pid[ctx.parent_ctx.pid]
                cache[runner_id] = name
            return cache[runner_id]

        return label

    def _status_events(self, label: Callable[[str], str]) -> Iterable[Event]:
        for invocation_id in self.invocations:
            info = self.recorder.invocations[invocation_id]
            try:
                records = self.app.state_backend.get_history(invocation_id)
            except Exception as error:  # noqa: BLE001 - report, do not hide
                self.stats.errors.append(f"history of {info.label}: {type(error).__name__}: {error}")
                continue
            records = sorted(records, key=lambda r: r.timestamp)
            for record in records:
                yield Event(
                    seq=0, kind=Kind.STATUS, time=round(record.timestamp.timestamp() - self._t0, 6),
                    worker=label(record.runner_context_id), invocation_id=info.label, task=info.task,
                    status=record.status_record.status.value, key=info.key, reg_key=info.reg_key,
                    detail=f"runner {record.runner_context_id[:8]}",
                )
            # pynenc writes a status, then its history record: a process killed in between leaves the
            # engine's status ahead of the history.  The status the engine holds at the end is a fact too.
            try:
                current = self.app.orchestrator.get_invocation_status_record(invocation_id)
            except Exception:  # noqa: BLE001 - nothing more to learn
                continue
            if not records or current.status != records[-1].status_record.status:
                yield Event(
                    seq=0, kind=Kind.STATUS, time=round(max(current.timestamp.timestamp() - self._t0,
                                                            records[-1].timestamp.timestamp() - self._t0
                                                            if records else 0.0), 6),
                    worker=label(current.runner_id) if current.runner_id else "engine", invocation_id=info.label,
                    task=info.task, status=current.status.value, key=info.key, reg_key=info.reg_key,
                    detail="engine status with no history record (its writer died between the two writes)",
                )

    def _provider_events(self, label: Callable[[str], str]) -> Iterable[Event]:
        by_pid = {pid: lbl for runner in self.runners for pid, lbl in runner.pids.items()}
        for call in list(self.provider.calls):
            info = self.recorder.invocations.get(call.invocation_id)
            worker = by_pid.get(call.pgid) or (label(call.runner_id) if call.runner_id else f"pid{call.pid}")
            common = dict(
                worker=worker, invocation_id=info.label if info else call.invocation_id,
                task=info.task if info else None, key=info.key if info else None,
            )
            detail = f"account={call.account} op={call.op} pid={call.pid}"
            yield Event(seq=0, kind=Kind.PROVIDER_START, time=round(call.start - self._t0, 6),
                        detail=detail + (" COLLISION" if call.collided else ""), **common)
            if call.end is not None:
                yield Event(seq=0, kind=Kind.PROVIDER_END, time=round(call.end - self._t0, 6), outcome=call.outcome,
                            detail=detail, **common)


def runner_environment(config: dict[str, Any], runner_cls: str, provider_url: str,
                       extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of one runner process: the engine's configuration, the runner class, the provider.

    ThreadRunners get four threads; a MultiThreadRunner's or PersistentProcessRunner's two
    workers get one each, so every worker process holds at most one body at a time.
    """
    extra = dict(extra_env or {})
    paths = [extra.pop("PYTHONPATH", ""), str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        **environment(config),
        "PYNENC__RUNNER_CLS": runner_cls,
        "PYNENC__MAX_PROCESSES": "2",
        "PYNENC__NUM_PROCESSES": "2",
        "PYNENC__MAX_THREADS": "4" if runner_cls == "ThreadRunner" else "1",
        PROVIDER_URL_ENV: provider_url,
        PARENT_PID_ENV: str(os.getpid()),
        "PYTHONPATH": os.pathsep.join(filter(None, paths)),
        **extra,
    }


def act_as_sweeper(app: Any) -> None:
    """Make this thread a recovery runner of ``app`` (pynenc's recovery tasks read the current runner)."""
    context.set_current_app(app)
    context.set_runner_context(app.app_id, RunnerContext(runner_cls="RecoverySweeper"))


def sweep_once() -> None:
    """Run pynenc's own recovery of pending and running invocations once, as its cron task would."""
    core_tasks.recover_pending_invocations()
    core_tasks.recover_running_invocations()


def logged_state_errors(text: str, end: float | None = None) -> list[tuple[float, str]]:
    """(time.time() value, message) of every pynenc Invocation*Error a runner's log reports.

    Timestamped ERROR lines give their own time.  A traceback printed without a timestamp (a worker
    process whose loop died of the error: multiprocessing prints it) gets the time of the next
    timestamped line, or ``end``: when it happened is known only to be before that.
    """
    out: list[tuple[float, str]] = []
    untimed: list[str] = []
    for line in (_ANSI.sub("", raw) for raw in text.splitlines()):
        stamp = _LOG_TIME.match(line)
        if stamp:
            when = datetime.fromisoformat(stamp["when"]).timestamp()
            out.extend((when, message) for message in untimed)
            untimed = []
            match = _LOG_ERROR.match(line)
            if match:
                out.append((when, match["message"]))
        elif (match := _TRACEBACK_ERROR.match(line)) is not None:
            untimed.append(match["message"])
    if untimed and end is not None:
        out.extend((end, message) for message in untimed)
    return out


def _last_line(log: Path | None) -> str:
    """The last exception-looking line of a runner's log (or its last line)."""
    if log is None or not log.exists():
        return "no log"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "Exception" in line]
    return (errors or lines or ["empty log"])[-1].strip()[:300]


def _renumber(event: Event, seq: int) -> Event:
    from dataclasses import replace

    return replace(event, seq=seq)


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_pid(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (Linux /proc)."""
    out: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                text = Path(f"/proc/{parent}/task/{tid}/children").read_text()
            except OSError:
                continue
            for child in map(int, text.split()):
                if child not in out:
                    out.add(child)
                    frontier.append(child)
    return out


def served(calls: list[ServedCall]) -> list[dict[str, Any]]:
    return [call.to_json() for call in calls]
