"""Candidate fix of pynenc's recovery sweep (PYN-014): each invocation is marked and rerouted in one step.

pynenc's recovery tasks first mark every invocation they recover (PENDING_RECOVERY or
RUNNING_RECOVERY), then reroute them all.  A runner that dies in between leaves the marked
invocations in a status no recovery looks at.  The change a pull request would make: mark,
reroute and route each invocation as one transaction of the state store (here: under the key
lock, one indivisible step for the deterministic interleaver), so a sweep that dies leaves each
invocation either untouched (recoverable by the next sweep) or back in its queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from pynenc_suite.findings.decision_fixes import decided_alone
from pynenc_suite.findings.fixes import replaced

PENDING_DIGEST = "442066ef659903f6"
RUNNING_DIGEST = "e0f587f4175b98f4"


def _sweep(recoverable: Callable[[Any], Iterator[str]], marked: str, what: str) -> Callable[[], None]:
    def recover_each_in_one_step() -> None:
        from pynenc import core_tasks
        from pynenc.invocation.status import InvocationStatus

        app, runner_ctx = core_tasks.get_app_and_runner_ctx()
        for invocation_id in list(recoverable(app)):
            app.logger.info(f"Recovering {what} invocation:{invocation_id}")
            with decided_alone():
                app.orchestrator.set_invocation_status(invocation_id, InvocationStatus(marked), runner_ctx)
                app.orchestrator.reroute_invocations({invocation_id}, runner_ctx)

    return recover_each_in_one_step


@contextmanager
def recovery_reroutes_each_invocation_in_one_step() -> Iterator[None]:
    """PYN-014: pynenc's pending and running recovery mark and reroute each invocation in one step."""
    from pynenc import core_tasks

    pending = _sweep(lambda app: app.orchestrator.get_pending_invocations_for_recovery(), "pending_recovery",
                     "timed-out pending")  # fmt: skip
    running = _sweep(lambda app: app.orchestrator.get_running_invocations_for_recovery(), "running_recovery",
                     "running (inactive runner)")  # fmt: skip
    with ExitStack() as stack:
        stack.enter_context(replaced("PYN-014", core_tasks.recover_pending_invocations, "func", PENDING_DIGEST, pending))
        stack.enter_context(replaced("PYN-014", core_tasks.recover_running_invocations, "func", RUNNING_DIGEST, running))
        yield
