"""The history model: the only thing the checkers see.

A :class:`History` is an ordered list of :class:`Event` plus the concurrency
:class:`TaskPolicy` of every task that appears in it.  It is plain data and
round-trips through JSON, so a failing run can be written to disk, read back
and checked again without pynenc or the drivers.

"Same key" is never decided from pynenc's serialized key.  The recorder
assigns every invocation a *key identity* per concurrency mode by comparing the
Python argument values it enqueued (``==``, or a normaliser the user declares);
two invocations have the same key exactly when their identities are equal.  The
serialized key pynenc computed is kept beside it (``concurrency_key``) so a
report can show where the two disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Mode(StrEnum):
    """Concurrency modes, spelled as pynenc's ``ConcurrencyControlType`` values."""

    DISABLED = "disabled"
    TASK = "task"
    ARGUMENTS = "arguments"
    KEYS = "keys"


class Kind(StrEnum):
    """What an event records."""

    ENQUEUE = "enqueue"  # a producer's call created a new invocation
    REUSED = "reused"  # a producer's call was collapsed into an existing invocation
    STATUS = "status"  # pynenc changed an invocation's status
    PROVIDER_START = "provider_start"  # a task body's request reached the provider
    PROVIDER_END = "provider_end"  # the provider answered (or the caller died)
    RESULT = "result"  # a producer read the invocation's result at the end
    CRASH = "crash"  # a runner (or a worker, or the engine's connections) failed abruptly: ``fault`` says how
    STOP = "stop"  # a runner stopped gracefully (pynenc's kill-and-reroute)
    RESTART = "restart"  # a dead or stopped runner's slot came back with a fresh identity
    RESUME = "resume"  # a stalled runner continues
    RECOVER = "recover"  # a runner ran pynenc's recovery sweep
    CLOCK = "clock"  # virtual time advanced
    DRAIN = "drain"  # the schedule ended; from here on no new work except probes
    SKEW = "skew"  # a runner's wall clock runs off the sweeper's from here on (``offset``, ``drift``)
    DEADLINE = "deadline"  # the run's time ran out while pynenc was still making progress (real time)
    BOUND = "bound"  # the drain reached its bound of events before the work settled (deterministic): it stops there
    GROUP_BEGIN = "group_begin"  # the events up to GROUP_END ran as interleaved operations
    GROUP_END = "group_end"
    ERROR = "error"  # a pynenc operation raised where the caller (runner, producer) does not expect it


class Fault(StrEnum):
    """How a CRASH, STOP or SKEW event struck (the nemesis's fault kinds, and what a runner did on its own)."""

    KILL = "kill"  # the runner and all its workers die at once: heartbeat stops, work is abandoned
    KILL_WORKER = "kill_worker"  # one worker process of a process-spawning runner dies
    STOP = "stop"  # graceful stop: pynenc's kill-and-reroute of what the runner holds
    STALL = "stall"  # the runner is frozen (alive, no heartbeat) and continues later
    DROP_CONNECTIONS = "drop_connections"  # the engine closes every client connection
    EXIT = "exit"  # the runner's process ended on its own (pynenc raised in its loop)
    PARTITION = "partition"  # CRASH: the runner's network is cut (alive, working, unheard); RESUME heals it
    DELAY = (
        "delay"  # CRASH: the runner's engine traffic is held ``delay`` s each way (slow, still heard); RESUME ends it
    )
    CLOCK_SKEW = "clock_skew"  # SKEW: the runner lives on, its wall clock off by ``offset`` s, drifting ``drift`` s/s


class ErrorSite(StrEnum):
    """Where an ERROR event's exception was raised."""

    ENQUEUE = "enqueue"
    PARALLELIZE = "parallelize"
    POLL = "poll"  # a runner's get_invocations_to_run
    OPERATION = "operation"  # an operation of an interleaved group
    RECOVERY = "recovery"  # pynenc's recovery tasks
    RUNNER = "runner"  # a runner process or one of its workers (its log, or its exit)


@dataclass(frozen=True)
class ErrorInfo:
    """The exception of an ERROR event; a refused status change names both statuses."""

    site: ErrorSite
    type: str
    from_status: str | None = None
    to_status: str | None = None

    def refused(self, before: str, *after: str) -> bool:
        """True for pynenc's refusal of a status change from ``before`` to one of ``after``."""
        return self.from_status == before and self.to_status in after


@dataclass(frozen=True)
class KeyRef:
    """One invocation's key under one concurrency mode.

    ``identity`` is what the checkers compare (a label, ``k1``...); ``value`` is the Python
    value's ``repr`` and ``type`` its type name, for humans; ``concurrency_key``
    is what pynenc serialized for it.
    """

    identity: str
    value: str = ""
    type: str = ""
    concurrency_key: str = ""


@dataclass(frozen=True)
class Event:
    """One observation, in the order it happened (``seq``)."""

    seq: int
    kind: Kind
    time: float = 0.0
    worker: str | None = None
    invocation_id: str | None = None
    task: str | None = None
    status: str | None = None
    key: KeyRef | None = None  # key under the task's running_concurrency mode
    reg_key: KeyRef | None = None  # key under the task's registration_concurrency mode
    outcome: str | None = None  # provider_end: ok / failed / aborted; result: value / raised:Type
    probe: bool = False  # enqueued by the driver after the schedule, to test a key's lock
    via: str | None = None  # ENQUEUE: the enqueue path when not a plain task call ("parallelize", "parallelize-batch")
    fault: Fault | None = None  # CRASH / STOP / SKEW: how it struck
    offset: float | None = None  # SKEW: seconds the runner's clock shows ahead (+) or behind (-) at the run's start
    drift: float | None = None  # SKEW: seconds the runner's clock gains (+) or loses (-) per second
    grace: float | None = None  # RESUME of a partition or delay: seconds after it the runner may still go unheard
    delay: float | None = None  # CRASH of a delay: seconds the runner's engine traffic is held each way
    error: ErrorInfo | None = None  # ERROR: what was raised, where
    writer: str | None = None  # STATUS (real time): the pynenc runner context that wrote it, one per worker
    detail: str = ""  # for people only: no checker reads it

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if not (v is None or v is False or v == "")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        data = dict(data)
        data["kind"] = Kind(data["kind"])
        for name in ("key", "reg_key"):
            if isinstance(data.get(name), dict):
                ref = dict(data[name])
                if "group" in ref:  # histories saved before the field was named identity
                    ref["identity"] = ref.pop("group")
                data[name] = KeyRef(**ref)
        if data.get("fault") is not None:
            data["fault"] = Fault(data["fault"])
        if isinstance(data.get("error"), dict):
            data["error"] = ErrorInfo(**{**data["error"], "site": ErrorSite(data["error"]["site"])})
        return cls(**data)


@dataclass(frozen=True)
class TaskPolicy:
    """A task's concurrency options as the suite understood them."""

    task: str
    running: Mode = Mode.DISABLED
    registration: Mode = Mode.DISABLED
    key_arguments: tuple[str, ...] = ()
    reroute: bool = True
    retries: int = 0  # times an invocation whose provider call failed is retried (max_retries, if retriable)

    @property
    def controls_running(self) -> bool:
        return self.running is not Mode.DISABLED

    @property
    def controls_registration(self) -> bool:
        return self.registration is not Mode.DISABLED

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "key_arguments": list(self.key_arguments)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskPolicy:
        return cls(
            task=data["task"],
            running=Mode(data["running"]),
            registration=Mode(data["registration"]),
            key_arguments=tuple(data.get("key_arguments", ())),
            reroute=bool(data.get("reroute", True)),
            retries=int(data.get("retries", 0)),
        )


@dataclass
class History:
    """Events in order plus the policies of the tasks they mention."""

    events: list[Event] = field(default_factory=list)
    policies: dict[str, TaskPolicy] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def of_kind(self, *kinds: Kind) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def policy(self, task: str | None) -> TaskPolicy:
        if task is None or task not in self.policies:
            return TaskPolicy(task=task or "?")
        return self.policies[task]

    def to_json(self) -> dict[str, Any]:
        return {
            "policies": [p.to_json() for p in self.policies.values()],
            "events": [e.to_json() for e in self.events],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> History:
        policies = [TaskPolicy.from_json(p) for p in data.get("policies", [])]
        return cls(
            events=[Event.from_json(e) for e in data.get("events", [])],
            policies={p.task: p for p in policies},
        )

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> History:
        return cls.from_json(json.loads(path.read_text()))


@dataclass(frozen=True)
class Violation:
    """A broken rule, with the key it concerns and the events that prove it.

    ``code`` names which clause of the rule broke (each rule spells its codes as an enum), so that
    what reads a violation never has to parse its message.
    """

    rule: str
    message: str
    task: str | None = None
    key: str | None = None
    events: tuple[int, ...] = ()  # seq numbers of the proving events
    code: str = ""

    def __str__(self) -> str:
        where = f" [{self.task} key={self.key}]" if self.task else ""
        seqs = ", ".join(f"#{s}" for s in self.events)
        return f"{self.rule}{where}: {self.message} (events {seqs})"


def build(events: Iterable[dict[str, Any]], policies: Iterable[TaskPolicy]) -> History:
    """Build a history from terse dicts (``seq`` filled in order); for hand-made test histories."""
    built = []
    for seq, raw in enumerate(events):
        raw = dict(raw)
        raw.setdefault("seq", seq)
        for name in ("key", "reg_key"):
            if isinstance(raw.get(name), str):
                raw[name] = KeyRef(identity=raw[name], value=raw[name])
        built.append(Event.from_json(raw))
    return History(events=built, policies={p.task: p for p in policies})
