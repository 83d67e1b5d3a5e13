"""One call to go from a schedule to a history: build a driver for the target and run it."""

from __future__ import annotations

from harness import backends
from harness.driver import Driver
from harness.keys import KeyIdentity
from harness.target import Target
from invariants.history import History
from strategies.schedule import Schedule
from strategies.schedules import Knobs


def knobs_for(target: Target, **overrides: object) -> Knobs:
    conf = target.app.conf
    horizon = max(conf.max_pending_seconds, conf.runner_considered_dead_after_minutes * 60) + 1.0
    return Knobs(recovery_horizon=horizon, max_pending_seconds=float(conf.max_pending_seconds), **overrides)  # type: ignore[arg-type]


def run_schedule(target: Target, task_names: list[str], schedule: Schedule, keys: KeyIdentity | None = None) -> History:
    tasks = {name: target.tasks[name] for name in task_names}
    with backends.using(target.app, target.backend), target.probes():
        return Driver(
            target.app,
            tasks,
            runners=schedule.runners,
            keys=keys or KeyIdentity(target.normalisers),
            policies=target.policies,
        ).run(schedule)
