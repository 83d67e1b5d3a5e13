"""The deterministic driver: steps a real pynenc app through a schedule, one operation at a time.

Runners are simulated: each has its own ``RunnerContext`` and asks pynenc's real
orchestrator for work (``get_invocations_to_run``), runs invocations with their
real ``run`` in a worker thread, and is recovered by pynenc's own core recovery
tasks.  Only one thread ever runs at a time: the driver starts a worker and waits
until its task body is parked inside the provider (in flight) or ``run`` has
returned, so no verdict depends on OS thread timing.  Time is virtual
(:mod:`harness.clock`) and invocation ids are sequential, so the same schedule
gives the same history in every run.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pynenc.identifiers.invocation_id as invocation_id_module
from pynenc import context, core_tasks
from pynenc.call import PreSerializedCall
from pynenc.invocation.dist_invocation import ReusedInvocation
from pynenc.runner.base_runner import BaseRunner
from pynenc.runner.runner_context import RunnerContext

from harness.clock import VirtualClock
from harness.failures import UNAVAILABLE
from harness.interleave import Interleaver, OperationKilled, yield_points
from harness.keys import KeyIdentity
from harness.policies import task_name
from harness.provider import CallAborted, Provider, ProviderCall
from harness.recorder import Recorder, result_outcome
from invariants.history import History, Kind, TaskPolicy
from strategies.schedule import (
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

SETTLE_TIMEOUT = 30.0  # a worker that neither parks nor returns in this long is a harness bug
FINAL = {"success", "failed", "concurrency_controlled_final"}


class HarnessStuck(RuntimeError):
    """A worker thread neither parked in the provider nor returned: the harness, not pynenc, is broken."""


@dataclass
class Execution:
    """One ``invocation.run`` in its worker thread."""

    invocation: Any
    runner: SimRunner
    settled: threading.Event = field(default_factory=threading.Event)  # parked or returned
    done: threading.Event = field(default_factory=threading.Event)  # returned
    release: threading.Event = field(default_factory=threading.Event)
    abort: bool = False
    fail: bool = False  # the provider answers this call with an error (Finish(fail=True))
    call: ProviderCall | None = None
    thread: threading.Thread | None = None


@dataclass
class SimRunner:
    slot: int
    incarnation: int
    ctx: RunnerContext
    alive: bool = True
    held: list[Any] = field(default_factory=list)  # PENDING: polled, not started
    running: list[Execution] = field(default_factory=list)  # in flight at the provider

    @property
    def label(self) -> str:
        return f"r{self.slot}" if self.incarnation == 1 else f"r{self.slot}.{self.incarnation}"


class _RunnerFacade:
    """What pynenc's ``BaseRunner._kill_and_reroute`` needs of a runner, for a simulated one."""

    def __init__(self, app: Any, ctx: RunnerContext) -> None:
        self.app = app
        self.runner_context = ctx
        self.logger = app.logger

    def kill_and_reroute(self, invocation_id: Any, ctx: RunnerContext) -> None:
        BaseRunner._kill_and_reroute(self, invocation_id, ctx)  # type: ignore[arg-type]


class ScriptedProvider(Provider):
    """The provider, answering with an error (HTTP 503, outcome "failed") the calls the schedule fails.

    ``fails(call)`` is asked when the call ends; the recorded outcome and the answer agree.
    """

    def __init__(self, hold: Callable[[ProviderCall], None], listener: Any, fails: Callable[[ProviderCall], bool]) -> None:
        super().__init__(hold=hold, listener=listener)
        self.fails = fails

    def _notify(self, what: str, call: ProviderCall) -> None:
        if what == "end" and call.outcome == "ok" and self.fails(call):
            call.outcome = "failed"
        super()._notify(what, call)

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = super().handle(request)
        call = self.calls[response.json()["call"]]
        if call.outcome == "failed":
            return httpx.Response(UNAVAILABLE, json={"account": call.account, "op": call.op, "error": "unavailable"})
        return response


class Driver:
    """Runs schedules against ``app``; ``tasks`` maps schedule task names to the app's Task objects."""

    def __init__(
        self,
        app: Any,
        tasks: dict[str, Any],
        runners: int,
        keys: KeyIdentity | None = None,
        policies: dict[str, TaskPolicy] | None = None,
    ) -> None:
        self.app = app
        self.tasks = tasks
        self.clock = VirtualClock()
        self.recorder = Recorder(self.clock.now, keys, policies)
        self.provider = ScriptedProvider(hold=self._hold, listener=self._on_provider, fails=self._fails)
        self.runners = [self._new_runner(slot, 1) for slot in range(runners)]
        self._by_thread: dict[int, Execution] = {}
        self.interleaver = Interleaver()
        self._invocations: dict[str, Any] = {}
        self._stopped_in_group: set[int] = set()
        self._routing = threading.local()  # .hook: called with each invocation route_call returns (parallelize)
        for task in tasks.values():
            self.recorder.register_task(task)

    # -- lifecycle ----------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Driver]:
        """Clean app, frozen clock, sequential ids, provider served, statuses observed."""
        with ExitStack() as stack:
            stack.enter_context(self.clock)
            stack.enter_context(_sequential_invocation_ids())
            stack.enter_context(self.provider.serve())
            self.app.purge()
            stack.callback(self._abandon_workers)
            app = self.app
            stack.enter_context(yield_points(self.interleaver, app.orchestrator, app.broker, app.state_backend))
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
        with self.session():
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
            self.recorder.emit(
                Kind.ERROR, worker=f"p{step.producer}", task=step.task, detail=f"enqueue raised {type(error).__name__}: {error}"
            )
            return
        self._record_enqueued(task, step.kwargs, invocation, "probe" if probe else f"p{step.producer}", probe)

    def _enqueuemany(self, step: EnqueueMany) -> None:
        task = self.tasks[step.task]
        producer = f"p{step.producer}"
        merged = [{**(step.common or {}), **call} for call in step.calls]
        recorded: list[str] = []  # in call order

        def routed(invocation: Any) -> None:  # the per-call path: pynenc routes each call with route_call
            kwargs = merged[len(recorded)]
            recorded.append(str(invocation.invocation_id))
            self._record_enqueued(task, kwargs, invocation, producer, False, "parallelize")

        self._routing.hook = routed
        try:
            calls = [dict(call) for call in step.calls]
            group = task.parallelize(calls) if step.common is None else task.parallelize(calls, dict(step.common))
        except Exception as error:  # noqa: BLE001 - the producer sees the exception; record it
            self.recorder.emit(
                Kind.ERROR, worker=producer, task=step.task, detail=f"parallelize raised {type(error).__name__}: {error}"
            )
            return
        finally:
            self._routing.hook = None
        for index, (kwargs, invocation) in enumerate(zip(merged, group, strict=True)):
            if index < len(recorded):
                continue
            # The batch path (route_calls) registers them all at once and leaves a PreSerializedCall on each.
            via = "parallelize-batch" if isinstance(invocation.call, PreSerializedCall) else "parallelize"
            self._record_enqueued(task, kwargs, invocation, producer, False, via)

    def _record_enqueued(
        self, task: Any, kwargs: dict[str, Any], invocation: Any, producer: str, probe: bool, via: str | None = None
    ) -> None:
        invocation_id = str(invocation.invocation_id)
        if isinstance(invocation, ReusedInvocation):
            _, reg_key = self.recorder.key_refs(task, kwargs, _call_for(task, kwargs))
            self.recorder.emit(
                Kind.REUSED,
                invocation_id=self.recorder.label(invocation_id),
                task=task_name(task),
                worker=producer,
                reg_key=reg_key,
            )
            return
        info = self.recorder.know_invocation(invocation)
        self._invocations[invocation_id] = invocation
        self.recorder.emit(
            Kind.ENQUEUE,
            invocation_id=info.label,
            task=info.task,
            worker=producer,
            key=info.key,
            reg_key=info.reg_key,
            probe=probe,
            via=via,
            detail=", ".join(f"{k}={v!r}" for k, v in kwargs.items()),
        )

    def _poll(self, step: Poll) -> None:
        runner = self._live(step.runner)
        if runner is None:
            return
        queues = tuple(self.app.broker.conf.queues)
        got = self.app.orchestrator.get_invocations_to_run(
            step.max_invocations,
            runner.ctx,
            queue_provider=lambda: queues,
            on_queue_retrieved=lambda _queue: None,
        )
        try:
            for invocation in got:
                runner.held.append(invocation)
        except Exception as error:  # noqa: BLE001 - an exception escaping pynenc's poll is an observation
            # pynenc's runner loop re-raises such an exception and the runner stops (on_stop kills and
            # reroutes what it holds); the driver does the same.
            self.recorder.emit(Kind.ERROR, worker=runner.label, detail=f"poll raised {type(error).__name__}: {error}")
            self._stop(Stop(runner.slot))

    def _start(self, step: Start) -> None:
        runner = self._live(step.runner)
        if runner is None or not runner.held:
            return
        invocation = runner.held.pop(step.pick % len(runner.held))
        execution = Execution(invocation=invocation, runner=runner)
        execution.thread = threading.Thread(target=self._work, args=(execution,), daemon=True)
        execution.thread.start()
        self._wait(execution.settled)
        if not execution.done.is_set():
            runner.running.append(execution)

    def _finish(self, step: Finish) -> None:
        runner = self.runners[step.runner % len(self.runners)]
        if not runner.running:
            return
        self._complete(runner.running.pop(step.pick % len(runner.running)), abort=False, fail=step.fail)

    def _crash(self, step: Crash) -> None:
        runner = self._live(step.runner)
        if runner is None:
            return
        runner.alive = False
        self.recorder.emit(Kind.CRASH, worker=runner.label)
        self._kill_workers(runner)
        runner.held.clear()  # abandoned PENDING: only pending recovery can free them

    def _stop(self, step: Stop, detail: str = "") -> None:
        runner = self._live(step.runner)
        if runner is None:
            return
        runner.alive = False
        self.recorder.emit(Kind.STOP, worker=runner.label, detail=detail)
        self._kill_and_reroute_all(runner)

    def _kill_and_reroute_all(self, runner: SimRunner) -> None:
        """What a stopping runner does with its work: kill its workers, then kill and reroute all it held."""
        killed = [execution.invocation for execution in runner.running]
        self._kill_workers(runner)  # a process runner kills its workers first, then reroutes
        facade = _RunnerFacade(self.app, runner.ctx)
        for invocation in killed + runner.held:
            facade.kill_and_reroute(invocation.invocation_id, runner.ctx)
        runner.held.clear()

    def _restart(self, step: Restart) -> None:
        slot = step.runner % len(self.runners)
        old = self.runners[slot]
        if old.alive:
            return
        self.runners[slot] = self._new_runner(slot, old.incarnation + 1)
        self.recorder.emit(Kind.START, worker=self.runners[slot].label)
        self._heartbeat()

    def _advance(self, step: Advance) -> None:
        self.clock.advance(step.seconds)
        self._heartbeat()
        self.recorder.emit(Kind.CLOCK, detail=f"+{step.seconds:g}s")

    def _recover(self, step: Recover) -> None:
        sweep = self._sweep(step)
        if sweep is not None:
            self._in_thread(sweep)

    def _sweep(self, step: Recover) -> Callable[[], None] | None:
        """pynenc's core recovery tasks as run by a live runner (called in a fresh thread)."""
        runner = self._live(step.runner)
        if runner is None:
            return None
        self.recorder.emit(Kind.RECOVER, worker=runner.label)

        def sweep() -> None:
            context.set_current_app(self.app)
            context.set_runner_context(self.app.app_id, runner.ctx)
            core_tasks.recover_pending_invocations()
            core_tasks.recover_running_invocations()

        return sweep

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
        self.recorder.emit(Kind.TOGETHER, detail="begin")
        for op in self.interleaver.run_group(operations, step.preemptions):
            if op.error is not None and not isinstance(op.error, OperationKilled):
                self.recorder.emit(Kind.ERROR, detail=f"{op.name} raised {type(op.error).__name__}: {op.error}")
        self.recorder.emit(Kind.TOGETHER, detail="end")
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

    def _iterate(self, step: Iterate) -> None:
        """Outside a group: poll, then start each invocation the poll returned."""
        runner = self._live(step.runner)
        if runner is None:
            return
        before = len(runner.held)
        self._poll(Poll(step.runner, step.max_invocations))
        for _ in range(len(runner.held) - before):
            self._start(Start(step.runner, len(runner.held) - 1))

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
            self._work(execution)

    def _crash_in_group(self, step: Crash) -> None:
        """The runner dies now: its other operations in the group stop at their next yield point."""
        runner = self._live(step.runner)
        if runner is None:
            return
        runner.alive = False
        self.recorder.emit(Kind.CRASH, worker=runner.label, detail="inside an interleaved group")
        self.interleaver.kill(runner.slot)

    def _stop_in_group(self, step: Stop) -> None:
        """A graceful stop among the group's operations: its kill-and-reroute interleaves with theirs."""
        runner = self._live(step.runner)
        if runner is None:
            return
        self._stopped_in_group.add(runner.slot)
        self._stop(step, detail="inside an interleaved group")

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
            return lambda: self._work(execution)
        if isinstance(step, Enqueue | EnqueueMany | Poll):
            return lambda: self.step(step)
        if isinstance(step, Iterate):
            return lambda: self._iterate_in_thread(step, started)
        raise ValueError(f"{type(step).__name__} cannot run inside Together")

    # -- drain: no new work, live runners, time passes -----------------------
    def drain(self, max_rounds: int | None = None) -> None:
        """End of schedule: a live runner works until quiet, then one probe per key must run."""
        self.recorder.emit(Kind.DRAIN)
        if not any(r.alive for r in self.runners):
            self._restart(Restart(0))
        self._settle(max_rounds)
        for step in self._probes():
            self._enqueue(step, probe=True)
        self._settle(max_rounds)
        self._read_results()

    def _settle(self, max_cycles: int | None) -> None:
        """Work until every invocation is final; when work stalls, let time pass and recover.

        A stall is a stretch of rounds in which nothing starts or finishes (blocked
        invocations may cycle through the queue meanwhile).  Bounded: whatever is
        still unfinished after ``max_cycles`` recovery cycles is left for the
        liveness and stale-lock checkers to report.
        """
        for _ in range(max_cycles or 4):
            self._work_until_stalled()
            if not self._unfinished():
                return
            self._advance(Advance(self.recovery_horizon()))
            self._recover(Recover(self._first_live().slot))

    def _work_until_stalled(self) -> None:
        stalled = 0
        for _ in range(20 + 20 * len(self.recorder.invocations)):
            if self._quiet():
                return
            before = self._progress()
            self._drain_round()
            stalled = 0 if self._progress() != before else stalled + 1
            if stalled > 2 + len(self._invocations):
                return

    def _drain_round(self) -> None:
        """One unit of live work: finish an in-flight call, else start a held invocation, else poll."""
        for runner in self.runners:
            if runner.running:
                self._complete(runner.running.pop(0), abort=False)
                return
        for runner in self.runners:
            if runner.alive and runner.held:
                self._start(Start(runner.slot))
                return
        for runner in self.runners:
            if runner.alive:
                self._poll(Poll(runner.slot, 1))

    def _progress(self) -> int:
        """Count of events that mean work moved: provider calls and statuses other than queue cycling."""
        return self.recorder.progress

    def recovery_horizon(self) -> float:
        conf = self.app.conf
        return max(conf.max_pending_seconds, conf.runner_considered_dead_after_minutes * 60) + 1.0

    def _probes(self) -> Iterable[Enqueue]:
        return [Enqueue(producer=0, task=task, kwargs=kwargs) for task, kwargs in self.recorder.probe_calls()]

    def _read_results(self) -> None:
        """A producer reads the result of every invocation pynenc dropped: it must raise."""
        self.clock.advance(1.0)  # let pynenc's short status cache expire
        for invocation_id, invocation in self._invocations.items():
            status = self.app.orchestrator.get_invocation_status(invocation_id)
            if status.value != "concurrency_controlled_final":
                continue
            self.recorder.emit(
                Kind.RESULT, invocation_id=self.recorder.label(invocation_id), task=task_name(invocation.task),
                outcome=result_outcome(invocation),
            )

    # -- workers ------------------------------------------------------------
    def _work(self, execution: Execution) -> None:
        self._by_thread[threading.get_ident()] = execution
        try:
            execution.invocation.run(execution.runner.ctx)
        except (CallAborted, OperationKilled):
            pass
        except Exception:  # noqa: BLE001 - pynenc already recorded the failure; run() re-raises it
            pass
        finally:
            execution.done.set()
            execution.settled.set()

    def _hold(self, call: ProviderCall) -> None:
        execution = self._by_thread[threading.get_ident()]
        execution.call = call
        self.interleaver.park()  # inside a Together group: this operation stops being runnable
        execution.settled.set()
        execution.release.wait()
        if execution.abort:
            raise CallAborted

    def _on_provider(self, what: str, call: ProviderCall) -> None:
        execution = self._by_thread.get(threading.get_ident())
        worker = execution.runner.label if execution else None
        self.recorder.provider(what, call, worker)

    def _fails(self, call: ProviderCall) -> bool:
        execution = self._by_thread.get(threading.get_ident())
        return execution is not None and execution.fail

    def _complete(self, execution: Execution, abort: bool, fail: bool = False) -> None:
        execution.abort = abort
        execution.fail = fail
        execution.release.set()
        self._wait(execution.done)

    def _kill_workers(self, runner: SimRunner) -> None:
        while runner.running:
            self._complete(runner.running.pop(0), abort=True)

    def _abandon_workers(self) -> None:
        for runner in self.runners:
            for execution in runner.running:
                execution.abort = True
                execution.release.set()
                execution.done.wait(SETTLE_TIMEOUT)

    def _in_thread(self, target: Callable[[], None]) -> None:
        done = threading.Event()
        failure: list[BaseException] = []

        def body() -> None:
            try:
                target()
            except BaseException as error:  # noqa: BLE001 - re-raised in the driver's thread
                failure.append(error)
            finally:
                done.set()

        threading.Thread(target=body, daemon=True).start()
        self._wait(done)
        if failure:
            raise failure[0]

    @staticmethod
    def _wait(event: threading.Event) -> None:
        if not event.wait(SETTLE_TIMEOUT):
            raise HarnessStuck(f"worker did not settle within {SETTLE_TIMEOUT}s")

    # -- runners ------------------------------------------------------------
    def _new_runner(self, slot: int, incarnation: int) -> SimRunner:
        runner = SimRunner(slot, incarnation, RunnerContext("SimulatedRunner", f"sim-r{slot}.{incarnation}"))
        self.recorder.runner_labels[runner.ctx.runner_id] = runner.label
        return runner

    def _live(self, slot: int) -> SimRunner | None:
        runner = self.runners[slot % len(self.runners)]
        return runner if runner.alive else None

    def _first_live(self) -> SimRunner:
        return next(r for r in self.runners if r.alive)

    def _heartbeat(self) -> None:
        live = [r.ctx.runner_id for r in self.runners if r.alive]
        if live:
            self.app.orchestrator.register_runner_heartbeats(live)

    def _quiet(self) -> bool:
        """Every invocation is final and no runner holds work: polling more can change nothing."""
        return not self._unfinished() and not any(r.running or r.held for r in self.runners)

    def _unfinished(self) -> bool:
        return any(self.recorder.last_status.get(info.label) not in FINAL for info in self.recorder.invocations.values())


def _call_for(task: Any, kwargs: dict[str, Any]) -> Any:
    from pynenc.arguments import Arguments
    from pynenc.call import Call

    return Call(task, Arguments(kwargs, app=task.app))


@contextmanager
def _sequential_invocation_ids() -> Iterator[None]:
    """Invocation ids 00000000-...-000000000001, ...: stable ids make set iteration order stable."""
    counter = itertools.count(1)

    class SequentialUUID:
        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(int=next(counter))

    real = invocation_id_module.uuid
    invocation_id_module.uuid = SequentialUUID  # type: ignore[assignment]
    try:
        yield
    finally:
        invocation_id_module.uuid = real

