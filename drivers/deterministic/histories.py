"""One call to go from a schedule to a history: build a driver for the target and run it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.driver import Driver
from pynenc_suite.drivers.recovery import app_recovery_horizon
from pynenc_suite.engines.instance import in_process
from pynenc_suite.engines.registry import get as engine_named
from pynenc_suite.history.model import History
from pynenc_suite.recorder.keys import KeyIdentity
from pynenc_suite.schedules.steps import Schedule
from pynenc_suite.strategies.schedules import Knobs


def knobs_for(target: Target, **overrides: object) -> Knobs:
    horizon = app_recovery_horizon(target.app)
    return Knobs(recovery_horizon=horizon, max_pending_seconds=float(target.app.conf.max_pending_seconds), **overrides)  # type: ignore[arg-type]  # Knobs fields, of several types


@contextmanager
def engine_under(target: Target) -> Iterator[None]:
    """The block runs with the target's engine under its app (purged) and its task bodies as probes."""
    with in_process(target.app, engine_named(target.engine)), target.probes():
        yield


def driver_for(target: Target, task_names: list[str], runners: int, keys: KeyIdentity | None = None) -> Driver:
    return Driver(
        target.app,
        {name: target.tasks[name] for name in task_names},
        runners=runners,
        keys=keys or KeyIdentity(target.normalisers),
        policies=target.policies,
        one_cpu=engine_named(target.engine).one_cpu,
    )


def run_schedule(target: Target, task_names: list[str], schedule: Schedule, keys: KeyIdentity | None = None) -> History:
    with engine_under(target):
        return driver_for(target, task_names, schedule.runners, keys).run(schedule)
