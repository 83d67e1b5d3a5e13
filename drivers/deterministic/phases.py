"""Where a gate example's time goes: drawing, setup, driving, checking (``pynenc-suite profile``).

For every controlled task of the app, the same schedules the gate would draw
(one fixed seed) are drawn, then each is run as the gate runs it, timing each
phase apart: drawing the schedule; setup (putting the engine under the app and
purging it, on warm components as the gate does, and on components built for
the run alone); driving the schedule; checking every rule on the history.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import driver_for, engine_under, knobs_for
from pynenc_suite.engines.instance import forget_warm_components
from pynenc_suite.schedules.steps import Schedule
from pynenc_suite.strategies.schedules import schedules

SEED = 20261129


@dataclass
class PhaseRow:
    task: str
    examples: int
    draw_ms: float
    setup_warm_ms: float
    setup_cold_ms: float
    drive_ms: float
    check_ms: float

    def line(self) -> str:
        return (f"{self.task:18} {self.examples:5} {self.draw_ms:8.1f} {self.setup_warm_ms:8.1f} "
                f"{self.setup_cold_ms:8.1f} {self.drive_ms:8.1f} {self.check_ms:8.1f}")  # fmt: skip


HEADER = f"{'task':18} {'runs':>5} {'draw':>8} {'setup':>8} {'cold':>8} {'drive':>8} {'check':>8}   (ms per example)"


def draw(target: Target, task: str, examples: int) -> tuple[list[Schedule], float]:
    drawn: list[Schedule] = []
    spent = [0.0]

    @seed(SEED)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def one(data: st.DataObject) -> None:
        start = time.perf_counter()
        drawn.append(data.draw(schedules([target.under_test(task)], knobs_for(target))))
        spent[0] += time.perf_counter() - start

    one()
    return drawn, spent[0]


def run_timed(target: Target, task: str, schedule: Schedule, cold: bool) -> tuple[float, float, float]:
    """(setup, drive, check) seconds for one schedule, run as the gate runs it."""
    if cold:
        forget_warm_components()
    start = time.perf_counter()
    with engine_under(target):
        ready = time.perf_counter()
        history = driver_for(target, [task], schedule.runners).run(schedule)
        driven = time.perf_counter()
    invariants.check_all(history)
    return ready - start, driven - ready, time.perf_counter() - driven


def profile(target: Target, examples: int = 60) -> list[PhaseRow]:
    rows = []
    for task in target.controlled:
        drawn, drawing = draw(target, task, examples)
        warm = [run_timed(target, task, schedule, cold=False) for schedule in drawn]
        cold = [run_timed(target, task, schedule, cold=True) for schedule in drawn]
        n = len(drawn)
        rows.append(PhaseRow(
            task, n, 1000 * drawing / n, 1000 * sum(w[0] for w in warm) / n, 1000 * sum(c[0] for c in cold) / n,
            1000 * sum(w[1] for w in warm) / n, 1000 * sum(w[2] for w in warm) / n,
        ))  # fmt: skip
    return rows
