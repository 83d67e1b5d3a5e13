"""One run per schedule, shared by the properties of a task that draw the same schedules.

Every rule of a task is its own gate item, and Hypothesis, derandomized, draws
the same schedules for each of them (one seed per test function).  A history is
a pure function of the app, the engine, the tasks and the schedule (the driver's
determinism, ``tests/test_driver.py``), so the first item runs a schedule and
the task's other rules judge the same history.  Each property still judges every
one of its examples.  Only the gate's own items share runs: a test that patches
pynenc runs every schedule itself.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.history.model import History
from pynenc_suite.schedules.steps import Schedule

CAPACITY = 2000  # histories kept (a task's items need one per example; LRU beyond)


class SharedRuns:
    """Histories by (app, engine, tasks, schedule), least recently used dropped beyond ``capacity``."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._histories: OrderedDict[bytes, History] = OrderedDict()
        self.runs = 0
        self.shared = 0

    def history(self, target: Target, task_names: list[str], schedule: Schedule) -> History:
        key = self._key(target, task_names, schedule)
        if key is None:
            self.runs += 1
            return run_schedule(target, task_names, schedule)
        if key in self._histories:
            self.shared += 1
            self._histories.move_to_end(key)
            return self._histories[key]
        self.runs += 1
        history = self._histories[key] = run_schedule(target, task_names, schedule)
        if len(self._histories) > self.capacity:
            self._histories.popitem(last=False)
        return history

    @staticmethod
    def _key(target: Target, task_names: list[str], schedule: Schedule) -> bytes | None:
        """The exact inputs, pickled (types and all); None when a value cannot be pickled (never shared).

        The policies the history is judged by are part of it: the recorder keys events by them."""
        policies = [target.policies[name] for name in task_names]
        try:
            return pickle.dumps((target.spec, target.engine, id(target.normalisers), task_names, policies, schedule))
        except Exception:  # noqa: BLE001 - an unpicklable schedule is simply run every time
            return None
