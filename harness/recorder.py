"""Recording: turns what pynenc and the provider do into a :class:`History`.

The recorder observes pynenc at the two places where an invocation's status is
written (``_register_new_invocations`` and ``_atomic_status_transition`` of the
app's orchestrator).  It wraps them on the app's orchestrator instance, calls
the real method, and records the status the method wrote; pynenc's behaviour is
unchanged.  Invocation and runner ids are replaced by short stable labels
("i1", "r0") so the same schedule gives the same history in every run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from harness.keys import KeyIdentity
from harness.policies import policy_of, task_name
from harness.provider import ProviderCall
from invariants.history import Event, History, KeyRef, Kind, Mode, TaskPolicy

CYCLING = frozenset({"pending", "concurrency_controlled", "rerouted"})


@dataclass
class InvocationInfo:
    label: str
    task: str
    key: KeyRef | None
    reg_key: KeyRef | None
    kwargs: dict[str, Any]


class Recorder:
    """Collects events in order; the clock callable gives each event its (virtual) time."""

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
        self.invocations: dict[str, InvocationInfo] = {}
        self.runner_labels: dict[str, str] = {}
        self.last_status: dict[str, str] = {}
        self.progress = 0  # provider events and statuses that are not queue cycling

    # -- events -------------------------------------------------------------
    def emit(self, kind: Kind, **fields: Any) -> Event:
        event = Event(seq=len(self.history.events), kind=kind, time=round(self.clock(), 6), **fields)
        self.history.events.append(event)
        return event

    def worker_label(self, runner_id: str | None) -> str | None:
        if runner_id is None:
            return None
        return self.runner_labels.get(runner_id, "producer" if "ExternalRunner" in runner_id else runner_id)

    # -- keys ---------------------------------------------------------------
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
            running_mode, running_keys = (Mode.KEYS, (first,)) if first in kwargs else (Mode.TASK, ())

        def serialized(mode: Mode) -> Mapping[str, str] | None:
            if call is None or mode is Mode.DISABLED or policy.running is Mode.DISABLED and mode is running_mode:
                return None
            try:
                return call.serialized_args_for_concurrency_control(_pynenc_mode(mode))
            except Exception as error:  # noqa: BLE001 - report, do not hide, what pynenc could not serialize
                return {"error": repr(error)}

        key = self.keys.ref(policy.task, running_mode, running_keys, kwargs, serialized(running_mode))
        reg = self.keys.ref(
            policy.task + "#registration", policy.registration, policy.key_arguments, kwargs, serialized(policy.registration)
        )
        return key, reg

    def know_invocation(self, invocation: Any) -> InvocationInfo:
        invocation_id = str(invocation.invocation_id)
        if invocation_id not in self.invocations:
            task = invocation.call.task
            if task_name(task) not in self.history.policies:
                self.register_task(task)
            kwargs = dict(invocation.call.arguments.kwargs)
            key, reg = self.key_refs(task, kwargs, invocation.call)
            self.invocations[invocation_id] = InvocationInfo(
                label=f"i{len(self.invocations) + 1}", task=task_name(task), key=key, reg_key=reg, kwargs=kwargs
            )
        return self.invocations[invocation_id]

    def probe_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """One (task, kwargs) per running key seen so far: the calls that probe every key's lock at the end."""
        seen: set[tuple[str, str]] = set()
        out = []
        for info in list(self.invocations.values()):
            policy = self.history.policies[info.task]
            if policy.controls_running and info.key is not None and (info.task, info.key.group) not in seen:
                seen.add((info.task, info.key.group))
                out.append((info.task, dict(info.kwargs)))
        return out

    def label(self, invocation_id: str) -> str:
        info = self.invocations.get(str(invocation_id))
        return info.label if info else str(invocation_id)

    # -- observation points -------------------------------------------------
    def status(self, invocation_id: str, status: str, runner_id: str | None) -> None:
        info = self.invocations.get(str(invocation_id))
        if info is not None:
            self.last_status[info.label] = status
        if status not in CYCLING:
            self.progress += 1
        self.emit(
            Kind.STATUS,
            invocation_id=info.label if info else str(invocation_id),
            task=info.task if info else None,
            status=status,
            worker=self.worker_label(runner_id),
            key=info.key if info else None,
            reg_key=info.reg_key if info else None,
        )

    def provider(self, what: str, call: ProviderCall, worker: str | None) -> None:
        self.progress += 1
        info = self.invocations.get(call.invocation_id)
        self.emit(
            Kind.PROVIDER_START if what == "start" else Kind.PROVIDER_END,
            invocation_id=info.label if info else call.invocation_id,
            task=info.task if info else None,
            key=info.key if info else None,
            worker=worker,
            outcome=None if what == "start" else call.outcome,
            detail=f"account={call.account} op={call.op}" + (" COLLISION" if call.collided and what == "start" else ""),
        )

    @contextmanager
    def observing(self, orchestrator: Any) -> Iterator[None]:
        """Record every status pynenc writes through ``orchestrator`` while the block runs."""
        real_register = orchestrator._register_new_invocations
        real_transition = orchestrator._atomic_status_transition
        saved = {name: orchestrator.__dict__.get(name) for name in ("_register_new_invocations", "_atomic_status_transition")}

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


def _pynenc_mode(mode: Mode) -> Any:
    from pynenc.conf.config_task import ConcurrencyControlType

    return ConcurrencyControlType(mode.value)


def result_outcome(invocation: Any) -> str:
    """What a producer sees reading ``invocation``'s result: "value", or "raised:<exception type>"."""
    try:
        invocation.get_final_result()
        return "value"
    except Exception as error:  # noqa: BLE001 - the outcome is the observation
        return f"raised:{type(error).__name__}"
