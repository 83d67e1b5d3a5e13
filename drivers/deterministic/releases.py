"""What differs between the pynenc releases the deterministic driver runs on (0.3.0 onwards).

The driver calls pynenc's own methods; where a release changed a signature, the
call is adapted here, once, by asking the installed pynenc what it accepts, never
by its version string (a backport keeps working).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from functools import cache
from typing import Any


@cache
def _parameters(function: Any) -> frozenset[str]:
    return frozenset(inspect.signature(function).parameters)


def invocations_to_run(app: Any, max_invocations: int, runner_ctx: Any) -> Iterator[Any]:
    """The orchestrator's ``get_invocations_to_run`` over every queue the app's broker serves.

    pynenc 0.4 polls named queues (``queue_provider``); 0.3 has a single queue and no such parameter.
    """
    orchestrator = app.orchestrator
    if "queue_provider" not in _parameters(type(orchestrator).get_invocations_to_run):
        return orchestrator.get_invocations_to_run(max_invocations, runner_ctx)
    queues = tuple(app.broker.conf.queues)
    return orchestrator.get_invocations_to_run(
        max_invocations,
        runner_ctx,
        queue_provider=lambda: queues,
        on_queue_retrieved=lambda _queue: None,
    )
