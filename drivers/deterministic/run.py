"""One call to go from a schedule to a history: build a driver for the target and run it."""

from __future__ import annotations

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.driver import Driver
from pynenc_suite.drivers.recovery import app_recovery_horizon
from pynenc_suite.engines.registry import get as engine_named
from pynenc_suite.engines.session import in_process
from pynenc_suite.history.model import History
from pynenc_suite.recorder.keys import KeyIdentity
from pynenc_suite.strategies.schedules import Knobs
from pynenc_suite.strategies.steps import Schedule


def knobs_for(target: Target, **overrides: object) -> Knobs:
    horizon = app_recovery_horizon(target.app)
    return Knobs(recovery_horizon=horizon, max_pending_seconds=float(target.app.conf.max_pending_seconds), **overrides)  # type: ignore[arg-type]


def run_schedule(target: Target, task_names: list[str], schedule: Schedule, keys: KeyIdentity | None = None) -> History:
    tasks = {name: target.tasks[name] for name in task_names}
    with in_process(target.app, engine_named(target.engine)), target.probes():
        return Driver(
            target.app,
            tasks,
            runners=schedule.runners,
            keys=keys or KeyIdentity(target.normalisers),
            policies=target.policies,
        ).run(schedule)
