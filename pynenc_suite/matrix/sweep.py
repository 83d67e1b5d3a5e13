"""Run the grid: every policy on every cell, each cell repeated, on real runner processes."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pynenc_suite.apps.target import Target
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.matrix.grid import POLICIES, Cell, Grid, runner_env, schedule_for
from pynenc_suite.matrix.measures import CellMeasure
from pynenc_suite.provider.loopback import LoopbackProvider
from pynenc_suite.tiers.realtime import RealtimeSearch


@dataclass
class Results:
    grid: Grid
    runner: str
    engine: str
    policies: dict[str, str]  # policy name -> the app's task that has it
    measured: dict[tuple[str, Cell], list[CellMeasure]] = field(default_factory=dict)
    violations: dict[tuple[str, Cell], int] = field(default_factory=dict)  # decided, outside recorded findings
    seconds: float = 0.0


def run_grid(target: Target, engine: EngineInstance, provider: LoopbackProvider, grid: Grid, runner: str, out: Path,
             policies: dict[str, str] = POLICIES, progress: Callable[[str], None] = print) -> Results:  # fmt: skip
    results = Results(grid, runner, engine.name, dict(policies))
    started = time.monotonic()
    for policy, task in results.policies.items():
        parameters = tuple(inspect.signature(target.functions[task]).parameters)
        for cell in grid.cells():
            session = RealtimeSearch(target, engine, provider, out / task / _slug(cell),
                                      extra_env=runner_env(runner, cell.pool))  # fmt: skip
            for _ in range(grid.repeats):
                outcome = session.run(schedule_for(task, parameters, cell))
                measure = CellMeasure.of(outcome.history, task, cell.pool)
                results.measured.setdefault((policy, cell), []).append(measure)
                results.violations[(policy, cell)] = results.violations.get((policy, cell), 0) + len(outcome.failures)
            progress(
                f"{policy:18} {cell.label}: makespan {measure.makespan:.2f}s, {measure.completed_calls} calls, "
                f"{measure.drops} dropped, {measure.reroutes_per_completed:.2f} reroutes/call"
            )
    results.seconds = time.monotonic() - started
    return results


def _slug(cell: Cell) -> str:
    return f"a{cell.accounts}-c{cell.calls_per_account}-h{cell.hold:g}-p{cell.pool}"
