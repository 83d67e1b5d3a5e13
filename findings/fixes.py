"""Candidate fixes of recorded findings: the change a pull request to pynenc would make, applied in-process.

A strict xfail that reproduces a finding is only worth keeping if it can pass:
each fix here makes its finding's reproduction pass, which the suite shows.

The gate's fixes (context managers) are applied while the gate's properties run,
so that an example showing a fixed finding is judged in full instead of being
discarded.  Each one first checks that the pynenc code it patches is the code it
was written against: a fix that no longer applies fails loudly, naming its finding.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pynenc.core_tasks import CoreTaskFunction  # a core task's object: recovery fixes patch its func

HEARTBEAT_SECONDS = 0.2


def multithread_stop_keeps_heartbeats() -> None:
    """PYN-012: a stopping MultiThreadRunner keeps reporting its live workers as alive.

    pynenc stops the workers one by one from the signal handler, which blocks the main
    loop that sends their heartbeats; here a thread keeps sending them until the stop ends.
    """
    from pynenc.runner.multi_thread_runner import MultiThreadRunner

    stop_workers = MultiThreadRunner._on_stop_runner_loop

    def stop_workers_vouching(self: MultiThreadRunner) -> None:
        done = threading.Event()

        def vouch() -> None:
            while not done.wait(HEARTBEAT_SECONDS):
                self._report_child_runner_heartbeats()

        voucher = threading.Thread(target=vouch, name="vouch-for-workers", daemon=True)
        voucher.start()
        try:
            stop_workers(self)
        finally:
            done.set()
            voucher.join()

    MultiThreadRunner._on_stop_runner_loop = stop_workers_vouching  # type: ignore[method-assign]  # the fix replaces pynenc's method


class FixNoLongerApplies(RuntimeError):
    """The pynenc code a candidate fix patches changed; ``str()`` names the finding and the code."""


def require_unchanged(finding: str, owner: type | CoreTaskFunction, name: str, digest: str) -> None:
    """Raise FixNoLongerApplies unless ``owner.name`` has the source the fix was written against."""
    if _digest(getattr(owner, name)) != digest:
        raise FixNoLongerApplies(
            f"{finding}: the candidate fix patches {owner.__name__}.{name}, which differs in the installed pynenc "
            f"{version('pynenc')}; check whether {finding} still reproduces, then rewrite or drop its fix"
        )


@functools.cache
def _digest(function: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


_REPLACED: dict[
    tuple[type | CoreTaskFunction, str], list[Any]
] = {}  # (class, method) -> [pynenc's method, fixes using it]


@contextmanager
def replaced(finding: str, owner: type | CoreTaskFunction, name: str, digest: str, replacement: Any) -> Iterator[None]:
    """``owner.name`` replaced while any fix needs it: the first fix to enter checks pynenc's code
    (:func:`require_unchanged`) and replaces it, the last to leave puts pynenc's back."""
    key = (owner, name)
    if key not in _REPLACED:
        require_unchanged(finding, owner, name, digest)
        _REPLACED[key] = [vars(owner)[name], 0]
        setattr(owner, name, replacement)
    _REPLACED[key][1] += 1
    try:
        yield
    finally:
        _REPLACED[key][1] -= 1
        if not _REPLACED[key][1]:
            setattr(owner, name, _REPLACED.pop(key)[0])


@contextmanager
def batch_calls_indexed() -> Iterator[None]:
    """PYN-008: ``parallelize``'s batch path indexes each invocation's arguments for running concurrency
    control, as the one-call path (``_route_new_call_invocation``) does, so KEYS and ARGUMENTS checks see it."""
    from pynenc.call import PreSerializedCall
    from pynenc.conf.config_task import ConcurrencyControlType
    from pynenc.invocation.dist_invocation import DistributedInvocation
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    route_calls = BaseOrchestrator.route_calls

    def route_calls_indexed(self: BaseOrchestrator, calls: list[PreSerializedCall]) -> list[DistributedInvocation]:
        invocations: list[DistributedInvocation] = route_calls(self, calls)
        if invocations and invocations[0].call.task.conf.running_concurrency != ConcurrencyControlType.DISABLED:
            for invocation in invocations:
                self.index_arguments_for_concurrency_control(invocation)
        return invocations

    with replaced("PYN-008", BaseOrchestrator, "route_calls", "6db28959cd7bf809", route_calls_indexed):
        yield
