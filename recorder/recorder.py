"""The recorder: the one way anything becomes a :class:`History` event, in both tiers.

In the gate the recorder observes pynenc live: it wraps the two places where an
invocation's status is written (``_register_new_invocations`` and
``_atomic_status_transition`` of the app's orchestrator), calls the real method
and records the status it wrote; pynenc's behaviour is unchanged.  In the
real-time tier the statuses come afterwards from pynenc's own history in the
engine and the provider calls from the loopback provider: each becomes an event
timed by its source (:meth:`Recorder.timed`), and :meth:`Recorder.merged` orders
them with the producers' and the nemesis's live events.

Both tiers record what producers do the same way (:meth:`Recorder.enqueued`,
:meth:`Recorder.raised`, :meth:`Recorder.dropped_results`).  Invocation and
runner ids are replaced by short stable labels ("i1", "r0") so the same
schedule gives the same history in every run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from pynenc.invocation.dist_invocation import ReusedInvocation

from pynenc_suite.history.model import ErrorInfo, ErrorSite, Event, History, KeyRef, Kind, Mode, TaskPolicy
from pynenc_suite.history.status_graph import DROPPED
from pynenc_suite.provider.calls import CallRecord
from pynenc_suite.recorder.keys import KeyIdentity
from pynenc_suite.recorder.policies import policy_of, task_name

CYCLING = frozenset({"pending", "concurrency_controlled", "rerouted"})
# Order of events with the same time from different sources: the producer's view first, then pynenc's, then the provider's.
_SOURCE_ORDER = {Kind.ENQUEUE: 0, Kind.REUSED: 0, Kind.STATUS: 1, Kind.PROVIDER_START: 2, Kind.PROVIDER_END: 3}


@dataclass
class RecordedInvocation:
    """What the recorder knows of one invocation it has seen: its label, task, keys and arguments."""

    label: str
    task: str
    key: KeyRef | None
    reg_key: KeyRef | None
    kwargs: dict[str, Any]


class Recorder:
    """Collects events in order; the clock callable gives each live event its time."""

    def __init__(
        self,
        clock: Callable[[], float],
        keys: KeyIdentity | None = None,
        policies: Mapping[str, TaskPolicy] | None = None,
    ) -> None:
        self.clock = clock
        # The policies the user declared, read once before the run: the oracle never re-reads
        # pynenc's configuration while pynenc (possibly patched by a test) is being exercised.
        self.declared = dict(policies or {})
        self.keys = keys or KeyIdentity()
        self.history = History()
        self.invocations: dict[str, RecordedInvocation] = {}
        self.runner_labels: dict[str, str] = {}
        self.last_status: dict[str, str] = {}
        self.progress = 0  # provider events and statuses that are not queue cycling

    # -- events -------------------------------------------------------------
    def emit(self, kind: Kind, **fields: Any) -> Event:
        """A live event: the next seq, the clock's time now."""
        event = Event(seq=len(self.history.events), kind=kind, time=round(self.clock(), 6), **fields)
        self.history.events.append(event)
        return event

    @staticmethod
    def timed(kind: Kind, time: float, **fields: Any) -> Event:
        """An event timed by its own source (real time), numbered when :meth:`merged` orders it in."""
        return Event(seq=0, kind=kind, time=round(time, 6), **fields)

    def merged(self, timed: Iterable[Event]) -> History:
        """The live events and ``timed`` ones in one history, ordered by time (same time: by source)."""
        events = sorted([*self.history.events, *timed], key=lambda e: (e.time, _SOURCE_ORDER.get(e.kind, 1), e.seq))
        return History(
            events=[replace(e, seq=seq) for seq, e in enumerate(events)], policies=dict(self.history.policies)
        )

    def worker_label(self, runner_id: str | None) -> str | None:
        if runner_id is None:
            return None
        return self.runner_labels.get(runner_id, "producer" if "ExternalRunner" in runner_id else runner_id)

    # -- tasks, keys, invocations ---------------------------------------------
    def policy(self, task: Any) -> TaskPolicy:
        return self.declared.get(task_name(task)) or policy_of(task)

    def register_task(self, task: Any) -> None:
        policy = self.policy(task)
        self.history.policies[policy.task] = policy

    def key_refs(self, task: Any, kwargs: Mapping[str, Any], call: Any = None) -> tuple[KeyRef | None, KeyRef | None]:
        """Key under the running mode (or a nominal first-argument key when uncontrolled) and under registration."""
        policy = self.policy(task)
        running_mode, running_keys = policy.running, policy.key_arguments
        if running_mode is Mode.DISABLED:
            first = next(iter(inspect.signature(task.func).parameters), None)
            running_mode, running_keys = (
                (Mode.KEYS, (first,)) if first is not None and first in kwargs else (Mode.TASK, ())
            )

        def serialized(mode: Mode) -> Mapping[str, str] | None:
            if call is None or mode is Mode.DISABLED or policy.running is Mode.DISABLED and mode is running_mode:
                return None
            try:
                return call.serialized_args_for_concurrency_control(_pynenc_mode(mode))
            except Exception as error:  # noqa: BLE001 - report, do not hide, what pynenc could not serialize
                return {"error": repr(error)}

        key = self.keys.ref(policy.task, running_mode, running_keys, kwargs, serialized(running_mode))
        reg = self.keys.ref(
            policy.task + "#registration",
            policy.registration,
            policy.key_arguments,
            kwargs,
            serialized(policy.registration),
        )
        return key, reg

    def know_invocation(self, invocation: Any) -> RecordedInvocation:
        invocation_id = str(invocation.invocation_id)
        if invocation_id not in self.invocations:
            task = invocation.call.task
            if task_name(task) not in self.history.policies:
                self.register_task(task)
            kwargs = dict(invocation.call.arguments.kwargs)
            key, reg = self.key_refs(task, kwargs, invocation.call)
            self.invocations[invocation_id] = RecordedInvocation(
                label=f"i{len(self.invocations) + 1}", task=task_name(task), key=key, reg_key=reg, kwargs=kwargs
            )
        return self.invocations[invocation_id]

    def probe_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """One (task, kwargs) per running key seen so far: the calls that probe every key's lock at the end."""
        seen: set[tuple[str, str]] = set()
        out = []
        for info in list(self.invocations.values()):
            policy = self.history.policies[info.task]
            if policy.controls_running and info.key is not None and (info.task, info.key.identity) not in seen:
                seen.add((info.task, info.key.identity))
                out.append((info.task, dict(info.kwargs)))
        return out

    def label(self, invocation_id: str) -> str:
        info = self.invocations.get(str(invocation_id))
        return info.label if info else str(invocation_id)

    # -- what producers do ------------------------------------------------------
    def enqueued(
        self,
        task: Any,
        kwargs: Mapping[str, Any],
        invocation: Any,
        producer: str,
        probe: bool = False,
        via: str | None = None,
    ) -> bool:
        """Record what a producer's call returned: REUSED for a collapsed call, else ENQUEUE (True)."""
        if isinstance(invocation, ReusedInvocation):
            _, reg_key = self.key_refs(task, kwargs, _call_for(task, kwargs))
            self.emit(
                Kind.REUSED,
                invocation_id=self.label(str(invocation.invocation_id)),
                task=task_name(task),
                worker=producer,
                reg_key=reg_key,
            )
            return False
        info = self.know_invocation(invocation)
        self.emit(
            Kind.ENQUEUE, invocation_id=info.label, task=info.task, worker=producer, key=info.key,
            reg_key=info.reg_key, probe=probe, via=via, detail=", ".join(f"{k}={v!r}" for k, v in kwargs.items()),
        )  # fmt: skip
        return True

    def raised(
        self, site: ErrorSite, error: BaseException, worker: str | None = None, task: str | None = None
    ) -> Event:
        """An exception where the caller (producer, runner, sweeper) does not expect one: an ERROR event."""
        return self.emit(
            Kind.ERROR,
            worker=worker,
            task=task,
            error=error_info(site, error),
            detail=f"{site.value} raised {type(error).__name__}: {error}",
        )

    def dropped_results(self, statuses: Mapping[str, str], invocations: Mapping[str, Any]) -> None:
        """A producer reads the result of every invocation pynenc dropped (it must raise): RESULT events."""
        for invocation_id, invocation in invocations.items():
            if statuses.get(invocation_id) in DROPPED:
                self.emit(
                    Kind.RESULT,
                    invocation_id=self.label(invocation_id),
                    task=task_name(invocation.task),
                    outcome=result_outcome(invocation),
                )

    # -- what pynenc and the provider do, live ------------------------------------
    def status(self, invocation_id: str, status: str, runner_id: str | None) -> None:
        info = self.invocations.get(str(invocation_id))
        if info is not None:
            self.last_status[info.label] = status
        if status not in CYCLING:
            self.progress += 1
        self.emit(Kind.STATUS, status=status, worker=self.worker_label(runner_id), **self._about(str(invocation_id)))

    def provider(self, what: str, call: CallRecord, worker: str | None) -> None:
        self.progress += 1
        kind = Kind.PROVIDER_START if what == "start" else Kind.PROVIDER_END
        self.emit(
            kind,
            worker=worker,
            outcome=None if what == "start" else call.outcome,
            detail=_call_detail(call, what == "start"),
            **self._about(call.invocation_id, reg=False),
        )

    @contextmanager
    def observing(self, orchestrator: Any) -> Iterator[None]:
        """Record every status pynenc writes through ``orchestrator`` while the block runs."""
        real_register = orchestrator._register_new_invocations
        real_transition = orchestrator._atomic_status_transition
        saved = {
            name: orchestrator.__dict__.get(name) for name in ("_register_new_invocations", "_atomic_status_transition")
        }

        def register(invocations: list[Any], runner_id: str | None = None) -> Any:
            record = real_register(invocations, runner_id)
            for invocation in invocations:
                self.know_invocation(invocation)
                self.status(str(invocation.invocation_id), record.status.value, record.runner_id or runner_id)
            return record

        def transition(invocation_id: Any, status: Any, runner_id: str | None = None) -> Any:
            record = real_transition(invocation_id, status, runner_id)
            self.status(str(invocation_id), record.status.value, runner_id)
            return record

        orchestrator._register_new_invocations = register
        orchestrator._atomic_status_transition = transition
        try:
            yield
        finally:
            for name, previous in saved.items():  # restore what was there (e.g. a yield-point wrapper)
                if previous is None:
                    orchestrator.__dict__.pop(name, None)
                else:
                    setattr(orchestrator, name, previous)

    # -- what pynenc and the provider did, timed by their sources (real time) ------
    def timed_status(
        self, invocation_id: str, status: str, time: float, worker: str, writer: str | None, detail: str = ""
    ) -> Event:
        return self.timed(
            Kind.STATUS, time, status=status, worker=worker, writer=writer, detail=detail, **self._about(invocation_id)
        )

    def timed_call(self, call: CallRecord, worker: str, origin: float) -> list[Event]:
        """A provider call's start and, if it ended, its end (times relative to ``origin``)."""
        about = self._about(call.invocation_id, reg=False)
        events = [
            self.timed(
                Kind.PROVIDER_START, call.start - origin, worker=worker, detail=_call_detail(call, True), **about
            )
        ]
        if call.end is not None:
            events.append(
                self.timed(
                    Kind.PROVIDER_END,
                    call.end - origin,
                    worker=worker,
                    outcome=call.outcome,
                    detail=_call_detail(call, False),
                    **about,
                )
            )
        return events

    def _about(self, invocation_id: str, reg: bool = True) -> dict[str, Any]:
        """The invocation fields of an event: its label, task and keys, as far as they are known."""
        info = self.invocations.get(invocation_id)
        if info is None:
            return {"invocation_id": invocation_id}
        about = {"invocation_id": info.label, "task": info.task, "key": info.key}
        return {**about, "reg_key": info.reg_key} if reg else about


def _call_detail(call: CallRecord, start: bool) -> str:
    pid = f" pid={call.pid}" if call.pid else ""
    return f"account={call.account} op={call.op}{pid}" + (" COLLISION" if start and call.collided else "")


def error_info(site: ErrorSite, error: BaseException) -> ErrorInfo:
    """The typed facts of an exception; pynenc's refused status changes keep both statuses."""
    before, after = getattr(error, "from_status", None), getattr(error, "to_status", None)
    return ErrorInfo(
        site=site,
        type=type(error).__name__,
        from_status=getattr(before, "value", None),
        to_status=getattr(after, "value", None),
    )


def _pynenc_mode(mode: Mode) -> Any:
    from pynenc.conf.config_task import ConcurrencyControlType

    return ConcurrencyControlType(mode.value)


def _call_for(task: Any, kwargs: Mapping[str, Any]) -> Any:
    from pynenc.arguments import Arguments
    from pynenc.call import Call

    return Call(task, Arguments(dict(kwargs), app=task.app))


def result_outcome(invocation: Any) -> str:
    """What a producer sees reading ``invocation``'s result: "value", or "raised:<exception type>"."""
    try:
        invocation.get_final_result()
        return "value"
    except Exception as error:  # noqa: BLE001 - the outcome is the observation
        return f"raised:{type(error).__name__}"
