"""Candidate fix of pynenc's recovery sweeps (PYN-014, PYN-016): each invocation is checked, marked and
rerouted in one step.

pynenc's recovery tasks list the invocations to recover, mark each one (PENDING_RECOVERY or
RUNNING_RECOVERY), then reroute them all.  Two windows follow from that:

* PYN-014: a runner that dies between marking and rerouting leaves the marked invocations in a
  status no recovery looks at;
* PYN-016: the list is stale by the time an invocation is marked.  Another sweep may have
  recovered it and a live runner started it again; the stale sweep then marks it and reroutes
  it while its body runs (RUNNING -> RUNNING_RECOVERY is allowed whoever owns it).

The change a pull request would make: for each listed invocation, as one transaction of the
state store (here: under the key lock, one indivisible step for the deterministic interleaver),
mark, reroute and route it; running recovery first checks that the invocation is still RUNNING
on a runner without heartbeats.  A sweep that dies leaves each invocation either untouched
(recoverable by the next sweep) or back in its queue, and running recovery never takes an
invocation a live runner has started since the sweep listed it.  Pending recovery needs no such
check: pynenc's status graph lets only a PENDING invocation become PENDING_RECOVERY, and one
taken from a runner that polled it again is rerouted before that runner can start it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from pynenc_suite.findings.decision_fixes import decided_alone
from pynenc_suite.findings.fixes import replaced

if TYPE_CHECKING:
    from pynenc.identifiers.invocation_id import InvocationId

PENDING_DIGEST = "442066ef659903f6"
RUNNING_DIGEST = "e0f587f4175b98f4"
FINDINGS = "PYN-014, PYN-016"


def _sweep(
    recoverable: Callable[[Any], Iterable[InvocationId]], marked: str, what: str, recheck: bool
) -> Callable[[], None]:
    def recover_each_in_one_step() -> None:
        from pynenc import core_tasks
        from pynenc.invocation.status import InvocationStatus

        app, runner_ctx = core_tasks.get_app_and_runner_ctx()
        for invocation_id in list(recoverable(app)):
            with decided_alone():
                if recheck and invocation_id not in set(recoverable(app)):
                    continue  # recovered, and maybe started again by a live runner, since the list was read
                app.logger.info(f"Recovering {what} invocation:{invocation_id}")
                app.orchestrator.set_invocation_status(invocation_id, InvocationStatus(marked), runner_ctx)
                app.orchestrator.reroute_invocations({invocation_id}, runner_ctx)

    return recover_each_in_one_step


@contextmanager
def recovery_sweeps_check_mark_and_reroute_in_one_step() -> Iterator[None]:
    """PYN-014, PYN-016: pynenc's pending and running recovery mark and reroute each listed invocation in one
    step, running recovery only if the invocation is still RUNNING on a runner without heartbeats."""
    from pynenc import core_tasks

    pending = _sweep(lambda app: app.orchestrator.get_pending_invocations_for_recovery(), "pending_recovery",
                     "timed-out pending", recheck=False)  # fmt: skip
    running = _sweep(lambda app: app.orchestrator.get_running_invocations_for_recovery(), "running_recovery",
                     "running (inactive runner)", recheck=True)  # fmt: skip
    with ExitStack() as stack:
        stack.enter_context(replaced(FINDINGS, core_tasks.recover_pending_invocations, "func", PENDING_DIGEST, pending))
        stack.enter_context(replaced(FINDINGS, core_tasks.recover_running_invocations, "func", RUNNING_DIGEST, running))
        yield
