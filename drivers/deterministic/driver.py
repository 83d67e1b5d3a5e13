"""The deterministic driver: steps a real pynenc app through a schedule, one operation at a time.

Runners are simulated (:mod:`.runners`): each has its own ``RunnerContext`` and
asks pynenc's real orchestrator for work (``get_invocations_to_run``), runs
invocations with their real ``run`` in a worker thread (:mod:`.workers`), and is
recovered by pynenc's own core recovery tasks.  Only one thread ever runs at a
time, so no verdict depends on OS thread timing.  Time is virtual
(:mod:`.clock`) and invocation ids are sequential (:mod:`.ids`), so the same
schedule gives the same history in every run.  A ``Together`` step runs its
operations in threads switched at pynenc's yield points (:mod:`.interleave`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from pynenc.call import PreSerializedCall

from pynenc_suite.drivers.deterministic.affinity import on_one_cpu
from pynenc_suite.drivers.deterministic.clock import VirtualClock
from pynenc_suite.drivers.deterministic.ids import sequential_invocation_ids
from pynenc_suite.drivers.deterministic.interleave import Interleaver, OperationKilled, yield_points
from pynenc_suite.drivers.deterministic.lanes import LANES
from pynenc_suite.drivers.deterministic.redis_commands import command_yield_points
from pynenc_suite.drivers.deterministic.releases import invocations_to_run
from pynenc_suite.drivers.deterministic.runners import RunnerFacade, SimRunner
from pynenc_suite.drivers.deterministic.workers import Execution, Workers
from pynenc_suite.drivers.recovery import act_as, app_recovery_horizon, sweep_once
from pynenc_suite.history.model import ErrorSite, Fault, History, Kind, TaskPolicy
from pynenc_suite.history.status_graph import FINAL
from pynenc_suite.provider.calls import CallRecord
from pynenc_suite.provider.memory import Provider
from pynenc_suite.recorder.keys import KeyIdentity
from pynenc_suite.recorder.recorder import Recorder
from pynenc_suite.schedules.steps import (
    Advance,
    Crash,
    Enqueue,
    EnqueueMany,
    Finish,
    Iterate,
    Poll,
    Recover,
    Restart,
    Schedule,
    Start,
    Step,
    Stop,
    Together,
)

SETTLE_CYCLES = 4  # recovery cycles the drain allows before what is unfinished is left to the checkers
# Events the drain may record per invocation the schedule created (each probe is one more): the drain's rounds are
# bounded, but a key that stays held makes every poll cycle every queued invocation, so its work grows with the
# square of the invocations (minutes per example on SQLite).  Healthy drains of the gate recorded at most 25.
DRAIN_EVENTS_PER_INVOCATION = 100


class _DrainBound(Exception):
    """The drain reached its bound (:data:`DRAIN_EVENTS_PER_INVOCATION`): recorded as a BOUND event, and the drain
    ends there."""


class Driver:
    """Runs schedules against ``app``; ``tasks`` maps schedule task names to the app's Task objects."""

    def __init__(
        self,
        app: Any,
        tasks: dict[str, Any],
        runners: int,
        keys: KeyIdentity | None = None,
        policies: dict[str, TaskPolicy] | None = None,
        one_cpu: bool = False,
    ) -> None:
        self.app = app
        self.one_cpu = one_cpu  # keep the driver's threads on one CPU while a run lasts (.affinity)
        self.tasks = tasks
        self.clock = VirtualClock()
        self.recorder = Recorder(self.clock.now, keys, policies)
        self.interleaver = Interleaver()
        self.workers = Workers(self.interleaver)
        self.provider = Provider(hold=self.workers.hold, listener=self._on_provider, fails=self.workers.fails)
        self.runners = [self._new_runner(slot, 1) for slot in range(runners)]
        self._invocations: dict[str, Any] = {}
        self._stopped_in_group: set[int] = set()
        self._drain_ends = 0  # the event count at which the drain stops: set when the drain begins
        self._routing = threading.local()  # .hook: called with each invocation route_call returns (parallelize)
        for task in tasks.values():
            self.recorder.register_task(task)

    # -- lifecycle ----------------------------------------------------------
    @contextmanager
    def prepared(self) -> Iterator[Driver]:
        """Clean app, frozen clock, sequential ids, provider served, statuses observed; the driver's threads
        share one CPU if ``one_cpu`` (only one of them runs at a time)."""
        with ExitStack() as stack:
            if self.one_cpu:
                stack.enter_context(on_one_cpu(LANES.native_ids))
            stack.enter_context(self.clock)
            stack.enter_context(sequential_invocation_ids())
            stack.enter_context(self.provider.serve())
            self.app.purge()
            stack.callback(lambda: self.workers.abandon([e for r in self.runners for e in r.running]))
            app = self.app
            stack.enter_context(yield_points(self.interleaver, app.orchestrator, app.broker, app.state_backend))
            stack.enter_context(command_yield_points(self.interleaver))
            stack.enter_context(self.recorder.observing(self.app.orchestrator))
            stack.enter_context(self._observing_routes())
            self._heartbeat()
            yield self

    @contextmanager
    def _observing_routes(self) -> Iterator[None]:
        """Tell the calling thread's hook (if any) of every invocation ``route_call`` returns, as it returns.

        ``parallelize`` may route its calls one by one; each one is recorded when pynenc decided it,
        not when the whole batch returns (inside a group the other operations move on meanwhile).
        """
        orchestrator = self.app.orchestrator
        previous = orchestrator.__dict__.get("route_call")
        real = orchestrator.route_call

        def route_call(call: Any) -> Any:
            invocation = real(call)
            hook = getattr(self._routing, "hook", None)
            if hook is not None:
                hook(invocation)
            return invocation

        orchestrator.route_call = route_call
        try:
            yield
        finally:
            if previous is None:
                orchestrator.__dict__.pop("route_call", None)
            else:
                orchestrator.route_call = previous

    def run(self, schedule: Schedule, drain: bool = True) -> History:
        with self.prepared():
            for step in schedule.steps:
                self.step(step)
            if drain:
                self.drain()
        return self.recorder.history

    # -- steps --------------------------------------------------------------
    def step(self, step: Step) -> None:
        handler: Callable[[Any], None] = getattr(self, "_" + type(step).__name__.lower())
        handler(step)

    def _enqueue(self, step: Enqueue, probe: bool = False) -> None:
        task = self.tasks[step.task]
        try:
            invocation = task(**step.kwargs)
        except Exception as error:  # noqa: BLE001 - the producer sees the exception; record it
            self.recorder.raised(ErrorSite.ENQUEUE, error, worker=f"p{step.producer}", task=step.task)
            return
        self._enqueued(task, step.kwargs, invocation, "probe" if probe else f"p{step.producer}", probe)

    def _enqueuemany(self, step: EnqueueMany) -> None:
        task = self.tasks[step.task]
        producer = f"p{step.producer}"
        merged = [{**(step.common or {}), **call} for call in step.calls]
        recorded: list[str] = []  # in call order

        def routed(invocation: Any) -> None:  # the per-call path: pynenc routes each call with route_call
            kwargs = merged[len(recorded)]
            recorded.append(str(invocation.invocation_id))
            self._enqueued(task, kwargs, invocation, producer, False, "parallelize")

        self._routing.hook = routed
        try:
            calls = [dict(call) for call in step.calls]
            group = task.parallelize(calls) if step.common is None else task.parallelize(calls, dict(step.common))
        except Exception as error:  # noqa: BLE001 - the producer sees the exception; record it
            self.recorder.raised(ErrorSite.PARALLELIZE, error, worker=producer, task=step.task)
            return
        finally:
            self._routing.hook = None
        for index, (kwargs, invocation) in enumerate(zip(merged, group, strict=True)):
            if index < len(recorded):
                continue
            # The batch path (route_calls) registers them all at once and leaves a PreSerializedCall on each.
            via = "parallelize-batch" if isinstance(invocation.call, PreSerializedCall) else "parallelize"
            self._enqueued(task, kwargs, invocation, producer, False, via)

    def _enqueued(
        self, task: Any, kwargs: dict[str, Any], invocation: Any, producer: str, probe: bool, via: str | None = None
    ) -> None:
        if self.recorder.enqueued(task, kwargs, invocation, producer, probe, via):
            self._invocations[str(invocation.invocation_id)] = invocation

    def _poll(self, step: Poll) -> None:
        runner = self._live(step.runner)
        if runner is None:
            return
        got = invocations_to_run(self.app, step.max_invocations, runner.ctx)
        try:
            for invocation in got:
                runner.held.append(invocation)
        except Exception as error:  # noqa: BLE001 - an exception escaping pynenc's poll is an observation
            # pynenc's runner loop re-raises such an exception and the runner stops (on_stop kills and
            # reroutes what it holds); the driver does the same.
            self.recorder.raised(ErrorSite.POLL, error, worker=runner.label)
            self._stop(Stop(runner.slot))

    def _start(self, step: Start) -> None:
        runner = self._live(step.runner)
        if runner is None or not runner.held:
            return
        execution = Execution(invocation=runner.held.pop(step.pick % len(runner.held)), runner=runner)
        if self.workers.start(execution):
            runner.running.append(execution)

    def _finish(self, step: Finish) -> None:
        runner = self.runners[step.runner % len(self.runners)]
        if not runner.running:
            return
        self.workers.complete(runner.running.pop(step.pick % len(runner.running)), abort=False, fail=step.fail)

    def _crash(self, step: Crash) -> None:
        runner = self._live(step.runner)
        if runner is None:
            return
        runner.alive = False
        self.recorder.emit(Kind.CRASH, worker=runner.label, fault=Fault.KILL)
        self._kill_workers(runner)
        runner.held.clear()  # abandoned PENDING: only pending recovery can free them

    def _stop(self, step: Stop) -> None:
        runner = self._live(step.runner)
        if runner is None:
            return
        runner.alive = False
        self.recorder.emit(Kind.STOP, worker=runner.label, fault=Fault.STOP)
        self._kill_and_reroute_all(runner)

    def _kill_and_reroute_all(self, runner: SimRunner) -> None:
        """What a stopping runner does with its work: kill its workers, then kill and reroute all it held."""
        killed = [execution.invocation for execution in runner.running]
        self._kill_workers(runner)  # a process runner kills its workers first, then reroutes
        facade = RunnerFacade(self.app, runner.ctx)
        for invocation in killed + runner.held:
            facade.kill_and_reroute(invocation.invocation_id)
        runner.held.clear()

    def _restart(self, step: Restart) -> None:
        slot = step.runner % len(self.runners)
        old = self.runners[slot]
        if old.alive:
            return
        self.runners[slot] = self._new_runner(slot, old.incarnation + 1)
        self.recorder.emit(Kind.RESTART, worker=self.runners[slot].label)
        self._heartbeat()

    def _advance(self, step: Advance) -> None:
        self.clock.advance(step.seconds)
        self._heartbeat()
        self.recorder.emit(Kind.CLOCK, detail=f"+{step.seconds:g}s")

    def _recover(self, step: Recover) -> None:
        sweep = self._sweep(step)
        if sweep is not None:
            LANES.call(sweep)  # in a thread of its own, as a runner's core task runs

    def _sweep(self, step: Recover) -> Callable[[], None] | None:
        """pynenc's core recovery tasks as run by a live runner (called in a fresh thread)."""
        runner = self._live(step.runner)
        if runner is None:
            return None

        def sweep() -> None:
            if not runner.alive:  # killed inside its group before the sweep began: it never ran
                return
            self.recorder.emit(Kind.RECOVER, worker=runner.label)  # inside a group: where the sweep began
            act_as(self.app, runner.ctx)
            sweep_once()

        return sweep

    def _iterate(self, step: Iterate) -> None:
        """Outside a group: poll, then start each invocation the poll returned."""
        runner = self._live(step.runner)
        if runner is None:
            return
        before = len(runner.held)
        self._poll(Poll(step.runner, step.max_invocations))
        for _ in range(len(runner.held) - before):
            self._start(Start(step.runner, len(runner.held) - 1))

    # -- interleaved groups ---------------------------------------------------
    def _together(self, step: Together) -> None:
        """Run the steps as concurrent operations, interleaved at pynenc's yield points by ``step.preemptions``."""
        operations: list[tuple[str, int | None, Callable[[], None]]] = []
        started: list[Execution] = []
        for index, sub in enumerate(step.steps):
            body = self._operation(sub, started)
            if body is not None:
                owner = None if isinstance(sub, Enqueue | EnqueueMany) else sub.runner % len(self.runners)
                operations.append((f"op{index}:{type(sub).__name__.lower()}", owner, body))
        if not operations:
            return
        self.recorder.emit(Kind.GROUP_BEGIN)
        for op in self.interleaver.run_group(operations, step.preemptions):
            if op.error is not None and not isinstance(op.error, OperationKilled):
                self.recorder.raised(ErrorSite.OPERATION, op.error, worker=op.name)
        self.recorder.emit(Kind.GROUP_END)
        for execution in started:
            if not execution.done.is_set():
                execution.runner.running.append(execution)
        stopped, self._stopped_in_group = self._stopped_in_group, set()
        for runner in self.runners:
            if runner.alive:
                continue
            if runner.slot in stopped:  # stopped inside the group: what its operations took since is rerouted too
                self._kill_and_reroute_all(runner)
            else:  # crashed inside the group: cut its calls, abandon what it held
                self._kill_workers(runner)
                runner.held.clear()

    def _operation(self, step: Step, started: list[Execution]) -> Callable[[], None] | None:
        if isinstance(step, Crash):
            return lambda: self._crash_in_group(step)
        if isinstance(step, Stop):
            return lambda: self._stop_in_group(step)
        if isinstance(step, Recover):
            return self._sweep(step)
        if isinstance(step, Start):
            runner = self._live(step.runner)
            if runner is None or not runner.held:
                return None
            execution = Execution(invocation=runner.held.pop(step.pick % len(runner.held)), runner=runner)
            started.append(execution)
            return lambda: self.workers.work(execution)
        if isinstance(step, Enqueue | EnqueueMany | Poll):
            return lambda: self.step(step)
        if isinstance(step, Iterate):
            return lambda: self._iterate_in_thread(step, started)
        raise ValueError(f"{type(step).__name__} cannot run inside Together")

    def _iterate_in_thread(self, step: Iterate, started: list[Execution]) -> None:
        """Inside a group: this operation's thread polls, then runs the first invocation it got itself
        (it parks in the provider); more than one would need more threads, so the rest stay held."""
        runner = self._live(step.runner)
        if runner is None:
            return
        before = len(runner.held)
        self._poll(Poll(step.runner, step.max_invocations))
        if len(runner.held) > before and runner.alive:
            execution = Execution(invocation=runner.held.pop(before), runner=runner)
            started.append(execution)
            self.workers.work(execution)

    def _crash_in_group(self, step: Crash) -> None:
        """The runner dies now: its other operations in the group stop at their next yield point."""
        runner = self._live(step.runner)
        if runner is None:
            return
        runner.alive = False
        self.recorder.emit(Kind.CRASH, worker=runner.label, fault=Fault.KILL)
        self.interleaver.kill(runner.slot)

    def _stop_in_group(self, step: Stop) -> None:
        """A graceful stop among the group's operations: its kill-and-reroute interleaves with theirs."""
        runner = self._live(step.runner)
        if runner is None:
            return
        self._stopped_in_group.add(runner.slot)
        self._stop(step)

    # -- drain: no new work, live runners, time passes -----------------------
    def drain(self, max_cycles: int = SETTLE_CYCLES) -> None:
        """End of schedule: a live runner works until quiet, then one probe per key must run.

        Bounded: after :data:`DRAIN_EVENTS_PER_INVOCATION` events per invocation (probes included) the drain
        records a BOUND event and ends, leaving what is unsettled to the liveness checker."""
        self.recorder.emit(Kind.DRAIN)
        bound = DRAIN_EVENTS_PER_INVOCATION * (2 * len(self.recorder.invocations) + 1)  # probes: at most one each
        self._drain_ends = len(self.recorder.history.events) + bound
        try:
            self._ensure_live_runner()
            self._settle(max_cycles)
            for step in self._probes():
                self._enqueue(step, probe=True)
            self._settle(max_cycles)
        except _DrainBound:
            self.recorder.emit(Kind.BOUND, detail=f"the drain did not settle within its bound of {bound} events")
            return
        self._read_results()

    def _settle(self, max_cycles: int) -> None:
        """Work until every invocation is final; when work stalls, let time pass and recover.

        A stall is a stretch of rounds in which nothing starts or finishes (blocked
        invocations may cycle through the queue meanwhile).  Bounded: whatever is
        still unfinished after ``max_cycles`` recovery cycles is left for the
        liveness and stale-lock checkers to report.
        """
        for _ in range(max_cycles):
            self._work_until_stalled()
            if not self._unfinished():
                return
            self._advance(Advance(app_recovery_horizon(self.app)))
            self._recover(Recover(self._ensure_live_runner().slot))

    def _work_until_stalled(self) -> None:
        stalled = 0
        for _ in range(20 + 20 * len(self.recorder.invocations)):
            if self._quiet():
                return
            self._within_bound()
            before = self.recorder.progress
            self._drain_round()
            stalled = 0 if self.recorder.progress != before else stalled + 1
            if stalled > 2 + len(self._invocations):
                return

    def _within_bound(self) -> None:
        """Raise :class:`_DrainBound` once the drain has recorded as many events as its bound allows."""
        if len(self.recorder.history.events) >= self._drain_ends:
            raise _DrainBound

    def _drain_round(self) -> None:
        """One unit of live work: finish an in-flight call, else start a held invocation, else poll."""
        for runner in self.runners:
            if runner.running:
                self.workers.complete(runner.running.pop(0), abort=False)
                return
        for runner in self.runners:
            if runner.alive and runner.held:
                self._start(Start(runner.slot))
                return
        for runner in self.runners:
            if runner.alive:
                self._poll(Poll(runner.slot, 1))

    def _probes(self) -> Iterable[Enqueue]:
        return [Enqueue(producer=0, task=task, kwargs=kwargs) for task, kwargs in self.recorder.probe_calls()]

    def _read_results(self) -> None:
        """A producer reads the result of every invocation pynenc dropped: it must raise."""
        self.clock.advance(1.0)  # let pynenc's short status cache expire
        statuses = {i: self.app.orchestrator.get_invocation_status(i).value for i in self._invocations}
        self.recorder.dropped_results(statuses, self._invocations)

    # -- provider and runners -----------------------------------------------------
    def _on_provider(self, what: str, call: CallRecord) -> None:
        execution = self.workers.current()
        self.recorder.provider(what, call, execution.runner.label if execution else None)

    def _kill_workers(self, runner: SimRunner) -> None:
        while runner.running:
            self.workers.complete(runner.running.pop(0), abort=True)

    def _new_runner(self, slot: int, incarnation: int) -> SimRunner:
        runner = SimRunner.new(slot, incarnation)
        self.recorder.runner_labels[runner.ctx.runner_id] = runner.label
        return runner

    def _live(self, slot: int) -> SimRunner | None:
        runner = self.runners[slot % len(self.runners)]
        return runner if runner.alive else None

    def _ensure_live_runner(self) -> SimRunner:
        """The first live runner; if every runner has died or stopped (a poll that raised stops its runner,
        even while draining), runner 0 is restarted, as a supervisor would."""
        if not any(r.alive for r in self.runners):
            self._restart(Restart(0))
        return next(r for r in self.runners if r.alive)

    def _heartbeat(self) -> None:
        live = [r.ctx.runner_id for r in self.runners if r.alive]
        if live:
            self.app.orchestrator.register_runner_heartbeats(live)

    def _quiet(self) -> bool:
        """Every invocation is final and no runner holds work: polling more can change nothing."""
        return not self._unfinished() and not any(r.running or r.held for r in self.runners)

    def _unfinished(self) -> bool:
        return any(
            self.recorder.last_status.get(info.label) not in FINAL for info in self.recorder.invocations.values()
        )
