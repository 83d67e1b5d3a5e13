"""Interleaving: run several pynenc operations "at once", switching between them at yield points.

Every method of the app's orchestrator, broker and state backend (public and
protected) becomes a yield point.  Operations run in their own threads but only
one at a time: when the running one reaches a yield point, finishes, or parks
in the provider, the next one to continue is chosen by the schedule's
``preemptions``: the decision points (counted from 0, only where more than one
operation could continue) at which the running operation is paused and the next
one in round-robin order continues.  Everywhere else the running operation keeps
going.  Given the preemptions the run is fully deterministic; races need one or
two well-placed preemptions (preemption bounding, as in CHESS), and an empty
list, which is where Hypothesis shrinks to, is "each operation to its end, in
order".
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pynenc_suite.drivers.deterministic import atomic
from pynenc_suite.drivers.deterministic.lanes import LANES, Lane

# Called while pynenc holds a per-invocation lock: yielding there would deadlock the other operations.
NEVER_YIELD = frozenset({"_interanl_atomic_status_transition", "_get_invocation_lock"})
# Yield points where a preemption may happen by default: the methods that read or write the shared
# state a concurrency decision depends on (queues, statuses, the argument index, registration).
# Preempting anywhere else only delays an operation between two such points, which no other
# operation can observe.  ``Interleaver(decide_everywhere=True)`` makes every yield point a decision.
STATE_METHODS = frozenset(
    {
        "retrieve_invocation",
        "_route_invocation",
        "get_existing_invocations",
        "get_invocation_status_record",
        "_atomic_status_transition",
        "_register_new_invocations",
        "index_arguments_for_concurrency_control",
        "get_pending_invocations_for_recovery",
        "_get_running_invocations_for_recovery",
    }
)
STUCK_AFTER = 20.0  # seconds for the running operation to reach its next yield point: a driver bug otherwise


class OperationKilled(BaseException):
    """Raised at a yield point inside an operation whose runner was killed: the operation stops there.

    A ``BaseException`` so pynenc's ``except Exception`` handlers do not see it, as with a process killed
    mid-operation.
    """


class InterleavingStuck(RuntimeError):
    """An operation neither yielded, finished nor parked: something blocked outside the yield points."""


@dataclass
class _Operation:
    index: int
    name: str
    lane: Lane
    at: str = "start"  # the yield point it waits at
    finished: bool = False
    parked: bool = False
    owner: int | None = None  # runner slot the operation belongs to (None: a producer)
    killed: bool = False
    error: BaseException | None = None


def _held_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass
class _Group:
    """The group being run: its operations, where to preempt, and how far the decisions have come."""

    ops: list[_Operation]
    switch_at: frozenset[int]
    decision: int = 0
    running: _Operation | None = None
    driver: threading.Lock = field(default_factory=_held_lock)  # released when control comes back


@dataclass
class Interleaver:
    """Cooperative scheduler for one group of operations at a time.

    Each operation runs in a lane (:mod:`.lanes`) and holds the control while it runs.  The operation that
    reaches a yield point picks who continues (itself, unless this decision is a preemption) and, only if
    that is another, releases that one's baton and waits on its own: control changes threads only where
    the schedule switches operations, and each change wakes one thread.  When no operation can continue
    (each has finished or parked), the control goes back to the driver's thread.
    """

    decide_everywhere: bool = False
    switches: list[str] = field(default_factory=list)  # what ran at each decision, for reports
    decisions: list[int] = field(default_factory=list)  # decision points each group had (where a preemption could land)
    _ops: dict[int, _Operation] = field(default_factory=dict)  # lane thread ident -> its operation, while in the group
    _group: _Group | None = None

    def decides_at(self, method: str) -> bool:
        """Whether a call of ``method`` is a decision point (a yield point anywhere else does nothing)."""
        return self.decide_everywhere or method in STATE_METHODS

    # -- yield points ----------------------------------------------------------
    def yield_point(self, label: str) -> None:
        if atomic.inside():
            return  # inside an atomic section: the section is one step
        op = self._ops.get(threading.get_ident())
        if op is None:
            return  # not an interleaved operation (driver thread, or outside a group)
        op.at = label
        chosen = self._pick_next()
        if chosen is not op:
            self._hand_to(chosen)
            op.lane.baton.acquire()  # until this operation is chosen again
        if op.killed:
            raise OperationKilled(f"{op.name} killed at {label}")

    def kill(self, owner: int) -> None:
        """Every operation of runner ``owner`` stops at its next yield point (its runner died)."""
        for op in list(self._ops.values()):
            if op.owner == owner:
                op.killed = True

    def park(self) -> None:
        """The calling operation blocks outside pynenc (in the provider): it leaves the group for good.

        From now on it is an ordinary worker, released by the driver (or by a stop in the group); when
        it returns, it no longer takes part in the group's decisions.
        """
        op = self._ops.pop(threading.get_ident(), None)
        if op is None:
            return
        op.parked = True
        self._hand_to(self._pick_next())

    # -- running a group ---------------------------------------------------------
    def run_group(
        self, operations: Sequence[tuple[str, int | None, Callable[[], None]]], preemptions: Sequence[int]
    ) -> list[_Operation]:
        """Run ``(name, owner, body)`` operations interleaved, switching at the given decision points."""
        ops: list[_Operation] = []
        for index, (name, owner, body) in enumerate(operations):
            op = _Operation(index, name, LANES.take(), owner=owner)
            op.lane.load(functools.partial(self._body, op, body))
            self._ops[op.lane.ident] = op
            ops.append(op)
        group = self._group = _Group(ops, frozenset(preemptions))
        self._hand_to(self._pick_next())  # every operation waits at "start"
        progress = -1
        while not group.driver.acquire(timeout=STUCK_AFTER):
            if progress == len(self.switches):
                stuck = group.running
                raise InterleavingStuck(f"{stuck.name if stuck else '?'} did not reach a yield point after "
                                        f"{stuck.at if stuck else '?'}")  # fmt: skip
            progress = len(self.switches)
        self.decisions.append(group.decision)
        self._group = None
        return ops

    def _hand_to(self, chosen: _Operation | None) -> None:
        """Give the control to ``chosen`` (its lane starts or resumes), or back to the driver when None."""
        if chosen is not None:
            chosen.lane.baton.release()
        elif self._group is not None:
            self._group.driver.release()

    def _pick_next(self) -> _Operation | None:
        """Choose who continues: the running operation, unless this decision is a
        preemption or it cannot continue; then the next runnable one in round-robin order."""
        group = self._group
        if group is None:
            return None
        runnable = [op for op in group.ops if not op.finished and not op.parked]
        if not runnable:
            return None
        running = group.running
        pick = running if running in runnable else None
        if len(runnable) > 1:
            if pick is None or group.decision in group.switch_at:
                after = [op for op in runnable if running is None or op.index > running.index]
                pick = (after or runnable)[0]
            group.decision += 1
        pick = pick or runnable[0]
        group.running = pick
        self.switches.append(f"{pick.name}@{pick.at}")
        return pick

    def _body(self, op: _Operation, body: Callable[[], None]) -> None:
        try:
            body()
        except BaseException as error:  # noqa: BLE001 - reported to the driver
            op.error = error
        finally:
            op.finished = True
            if self._ops.pop(threading.get_ident(), None) is not None:  # still in the group: its turn ends here
                self._hand_to(self._pick_next())


def _methods(component: Any) -> Iterator[str]:
    seen: set[str] = set()
    for cls in type(component).__mro__:
        if not cls.__module__.startswith("pynenc"):
            continue
        for name, member in vars(cls).items():
            if name in seen or name.startswith("__") or name in NEVER_YIELD:
                continue
            seen.add(name)
            if inspect.isfunction(member):
                yield name


@contextmanager
def yield_points(interleaver: Interleaver, *components: Any) -> Iterator[None]:
    """Make the pynenc methods of ``components`` where the interleaver decides yield points while the block
    runs (every method with ``decide_everywhere``; otherwise the state methods, as elsewhere nothing happens)."""
    installed: list[tuple[Any, str]] = []
    for component in components:
        prefix = type(component).__name__
        for name in _methods(component):
            if not interleaver.decides_at(name):
                continue
            real = getattr(component, name)

            @functools.wraps(real)
            def wrapper(*args: Any, __real: Any = real, __label: str = f"{prefix}.{name}", **kwargs: Any) -> Any:
                interleaver.yield_point(__label)
                return __real(*args, **kwargs)

            setattr(component, name, wrapper)
            installed.append((component, name))
    previous = atomic.hook(interleaver.yield_point)  # labelled atomic sections start with a yield point
    try:
        yield
    finally:
        atomic.hook(previous)
        for component, name in installed:
            component.__dict__.pop(name, None)
