"""pynenc's recovery, as both tiers run it: the sweep, who runs it, and how long it may take to come.

pynenc's recovery tasks are cron-triggered with a one-minute resolution, so the
drivers run them themselves (as a runner executing the core task would).
"""

from __future__ import annotations

from typing import Any

from pynenc import context, core_tasks
from pynenc.runner.runner_context import RunnerContext


def recovery_horizon(max_pending_seconds: float, dead_after_seconds: float) -> float:
    """Seconds after which a dead runner's PENDING and RUNNING work is recoverable (plus one)."""
    return max(max_pending_seconds, dead_after_seconds) + 1.0


def dead_after_seconds(app: Any) -> float:
    """Seconds without a heartbeat after which pynenc considers a runner dead."""
    return float(app.conf.runner_considered_dead_after_minutes) * 60


def app_recovery_horizon(app: Any) -> float:
    return recovery_horizon(app.conf.max_pending_seconds, dead_after_seconds(app))


def act_as(app: Any, runner: RunnerContext) -> None:
    """Make this thread ``runner`` of ``app`` (pynenc's recovery tasks read the current app and runner)."""
    context.set_current_app(app)
    context.set_runner_context(app.app_id, runner)


def act_as_sweeper(app: Any) -> None:
    """Make this thread a recovery runner of ``app`` of its own."""
    act_as(app, RunnerContext(runner_cls="RecoverySweeper"))


def sweep_once() -> None:
    """Run pynenc's own recovery of pending and running invocations once, as its cron task would."""
    core_tasks.recover_pending_invocations()
    core_tasks.recover_running_invocations()
