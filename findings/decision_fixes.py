"""Candidate fixes of how pynenc decides a key: the poll's admit-or-block step and registration.

Two changes a pull request to pynenc would make, each applicable alone:

* **Blocked invocations wait as they are** (PYN-001, PYN-009). A poll that meets a same-key holder
  writes CONCURRENCY_CONTROLLED (reroute) or CONCURRENCY_CONTROLLED_FINAL (drop). From REROUTED
  (drop) and from RETRY (either) pynenc's own graph has no such edge, so the write raised and the
  invocation, already off the queue, was lost. Fixed: an invocation whose status cannot take the
  blocked status goes back to its queue unchanged and waits for the holder, as the graph allows.
* **Key decisions are atomic** (PYN-005, PYN-013 for running control; PYN-006 for registration).
  pynenc reads the key's holders, then writes its decision; another runner or producer could
  decide, or a holder let go, in between. Fixed: each decision (read the holders, write PENDING /
  the blocked status / the new registration) and every status write run under one lock, as a
  transaction of the state store would make them. The poll reads the invocation's status once before
  taking the lock, as pynenc does after the broker hands the invocation over, so a runner can still
  die between the two (PYN-007 stays reachable).

Both patch pynenc's ``get_additional_invocations_to_run``; it is replaced once, by the fixed poll
below, and each fix switches its own change on.  A fix whose patched pynenc code changed refuses to
apply (:class:`~pynenc_suite.findings.fixes.FixNoLongerApplies`), naming its finding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from pynenc_suite.drivers.deterministic.atomic import uninterruptible
from pynenc_suite.findings.fixes import replaced

if TYPE_CHECKING:
    from pynenc.identifiers.invocation_id import InvocationId
    from pynenc.invocation import DistributedInvocation
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

POLL_DIGEST = "caa2acc9ee4178b6"
REROUTE_DIGEST = "784622b709eab645"
BLOCKING_DIGEST = "27bd14779c50d5c6"
STATUS_DIGEST = "3c1f8305834c59ae"
ROUTE_CALL_DIGEST = "6a370098a613c802"

_KEY_DECISIONS = threading.RLock()


class _Switches:
    """Which changes of the fixed poll are on (a fix may be entered more than once: a count per change)."""

    wait_as_they_are = 0
    atomic = 0


@contextmanager
def decided_alone() -> Iterator[None]:
    """One key decision: under the lock, and one indivisible step for the deterministic interleaver (which may
    preempt just before it, outside the lock)."""
    with uninterruptible("atomic-step"), _KEY_DECISIONS:
        yield


def _decision() -> Any:
    return decided_alone() if _Switches.atomic else nullcontext()


def _admit_or_block(
    self: BaseOrchestrator, invocation_id: InvocationId, invocations_to_reroute: set[InvocationId], runner_ctx: Any
) -> DistributedInvocation | None:
    """pynenc's admit-or-block step for one invocation the broker handed over, with the fixes that are on.

    Returns the invocation when it was admitted (PENDING), None when it was blocked, skipped or refused.
    """
    from pynenc.exceptions import InvocationStatusError
    from pynenc.invocation.status import InvocationStatus

    if not self.get_invocation_status(invocation_id).is_available_for_run():
        return None  # read before the decision, as pynenc does: the runner may die here, holding it off the queue
    with _decision():
        invocation_status = self.get_invocation_status(invocation_id)  # read again, inside the decision
        if not invocation_status.is_available_for_run():
            return None
        invocation = self.app.state_backend.get_invocation(invocation_id)
        if not self.is_candidate_to_run_by_concurrency_control(invocation):
            reroute = invocation.task.conf.reroute_on_concurrency_control
            blocked = (
                InvocationStatus.CONCURRENCY_CONTROLLED if reroute else InvocationStatus.CONCURRENCY_CONTROLLED_FINAL
            )
            if _Switches.wait_as_they_are and not invocation_status.can_transition_to(blocked):
                invocations_to_reroute.add(invocation_id)  # back to its queue, status unchanged
                return None
            self.set_invocation_status(invocation_id, blocked, runner_ctx)
            if reroute:
                invocations_to_reroute.add(invocation_id)
            return None
        try:
            self.set_invocation_status(invocation_id, InvocationStatus.PENDING, runner_ctx)
        except InvocationStatusError as ex:
            self.app.logger.warning(f"Could not set invocation:{invocation_id} to status:pending: {ex}")
            return None
        return invocation


def _fixed_poll(
    self: BaseOrchestrator,
    missing_invocations: int,
    blocking_invocation_ids: set[InvocationId],
    invocations_to_reroute: set[InvocationId],
    runner_ctx: Any,
    queue_provider: Callable[[], Sequence[str]],
    on_queue_retrieved: Callable[[str], None],
) -> Iterator[DistributedInvocation]:
    """pynenc's ``get_additional_invocations_to_run``; only the admit-or-block step differs."""
    while missing_invocations > 0:
        retrieved_invocation = False
        for queue_name in queue_provider():
            invocation_id = self.app.broker.retrieve_invocation(queue_name)
            if not invocation_id:
                continue
            retrieved_invocation = True
            on_queue_retrieved(queue_name)
            if invocation_id not in blocking_invocation_ids:
                invocation = _admit_or_block(self, invocation_id, invocations_to_reroute, runner_ctx)
                if invocation is not None:
                    missing_invocations -= 1
                    yield invocation
            break
        if not retrieved_invocation:
            break


def _fixed_reroute(self: BaseOrchestrator, invocations_to_reroute: set[InvocationId], runner_ctx: Any) -> None:
    """pynenc's ``reroute_invocations``, except that an invocation whose status has no edge to REROUTED (one
    waiting as it is) is routed without a status write."""
    from pynenc.invocation.status import InvocationStatus

    for invocation_id in invocations_to_reroute:
        if not _Switches.wait_as_they_are or self.get_invocation_status(invocation_id).can_transition_to(
            InvocationStatus.REROUTED
        ):
            self.set_invocation_status(invocation_id, InvocationStatus.REROUTED, runner_ctx)
        invocation = self.app.state_backend.get_invocation(invocation_id)
        self.route_invocation(invocation)


def _fixed_blocking(
    self: BaseOrchestrator, max_num_invocations: int, blocking_invocation_ids: set[InvocationId], runner_ctx: Any
) -> Iterator[InvocationId]:
    """pynenc's ``get_blocking_invocations_to_run``, each candidate's check and PENDING write being one decision."""
    from pynenc.exceptions import InvocationStatusError
    from pynenc.invocation.status import InvocationStatus

    for blocking_invocation_id in self.get_blocking_invocations(max_num_invocations):
        if not self.get_invocation_status(blocking_invocation_id).can_transition_to(InvocationStatus.PENDING):
            continue
        with _decision():
            if not self.get_invocation_status(blocking_invocation_id).can_transition_to(InvocationStatus.PENDING):
                continue  # claimed by another runner since the first read
            blocking_invocation = self.app.state_backend.get_invocation(blocking_invocation_id)
            if not self.is_candidate_to_run_by_concurrency_control(blocking_invocation):
                continue
            try:
                self.set_invocation_status(blocking_invocation_id, InvocationStatus.PENDING, runner_ctx)
            except InvocationStatusError as ex:
                self.app.logger.debug(f"Could not set blocking invocation:{blocking_invocation_id} to pending: {ex}")
                continue
        blocking_invocation_ids.add(blocking_invocation_id)
        yield blocking_invocation_id


@contextmanager
def _switched(change: str) -> Iterator[None]:
    setattr(_Switches, change, getattr(_Switches, change) + 1)
    try:
        yield
    finally:
        setattr(_Switches, change, getattr(_Switches, change) - 1)


def _status_written_alone(set_status: Callable[..., None]) -> Callable[..., None]:
    def set_invocation_status(self: BaseOrchestrator, *args: Any, **kwargs: Any) -> None:
        with decided_alone():
            set_status(self, *args, **kwargs)

    return set_invocation_status


def _route_call_alone(route_call: Callable[..., Any]) -> Callable[..., Any]:
    def routed_alone(self: BaseOrchestrator, call: Any) -> Any:
        with decided_alone():
            return route_call(self, call)

    return routed_alone


@contextmanager
def blocked_invocations_wait_as_they_are() -> Iterator[None]:
    """PYN-001, PYN-009: a polled invocation that meets a holder and whose status has no edge to the blocked
    status (REROUTED under a drop policy, RETRY under either) goes back to its queue unchanged."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator as Orchestrator

    finding = "PYN-001, PYN-009"
    with (
        replaced(finding, Orchestrator, "get_additional_invocations_to_run", POLL_DIGEST, _fixed_poll),
        replaced(finding, Orchestrator, "reroute_invocations", REROUTE_DIGEST, _fixed_reroute),
        _switched("wait_as_they_are"),
    ):
        yield


@contextmanager
def key_decisions_atomic() -> Iterator[None]:
    """PYN-005, PYN-013: the poll's read of a key's holders and its PENDING or blocked write are one atomic step,
    and every status write (a holder letting go included) takes the same lock."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator as Orchestrator

    finding = "PYN-005, PYN-013"
    set_status = Orchestrator.set_invocation_status
    with (
        replaced(finding, Orchestrator, "get_additional_invocations_to_run", POLL_DIGEST, _fixed_poll),
        replaced(finding, Orchestrator, "get_blocking_invocations_to_run", BLOCKING_DIGEST, _fixed_blocking),
        replaced(finding, Orchestrator, "set_invocation_status", STATUS_DIGEST, _status_written_alone(set_status)),
        _switched("atomic"),
    ):
        yield


@contextmanager
def registration_atomic() -> Iterator[None]:
    """PYN-006: registration's read of a key's REGISTERED invocation and its new registration (stored, routed,
    indexed) are one atomic step; a registered invocation leaves REGISTERED under the same lock."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator as Orchestrator

    finding = "PYN-006"
    set_status, route_call = Orchestrator.set_invocation_status, Orchestrator.route_call
    with (
        replaced(finding, Orchestrator, "route_call", ROUTE_CALL_DIGEST, _route_call_alone(route_call)),
        replaced(finding, Orchestrator, "set_invocation_status", STATUS_DIGEST, _status_written_alone(set_status)),
    ):
        yield
