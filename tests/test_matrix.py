"""The decision matrix: a cell's figures come from its history as stated, the grid's schedules are the
workloads they name, and each claim's verdict follows the measured numbers."""

from __future__ import annotations

import pytest

from pynenc_suite.history.model import build
from pynenc_suite.matrix.grid import POLICIES, Cell, Grid, schedule_for
from pynenc_suite.matrix.measures import CellMeasure
from pynenc_suite.matrix.report import claims
from pynenc_suite.matrix.sweep import Results
from tests.histories import POLICIES as HISTORY_POLICIES

K = "call_keyed"


def _ev(t: float, kind: str, inv: str, **fields: object) -> dict:
    return {"time": t, "kind": kind, "invocation_id": inv, "task": K, "key": "a", **fields}


def test_a_cells_figures_from_a_timed_history() -> None:
    history = build([
        _ev(0.0, "status", "i1", status="registered"), _ev(0.0, "enqueue", "i1"),
        _ev(0.0, "status", "i2", status="registered"), _ev(0.1, "enqueue", "i2"),
        _ev(0.2, "status", "i1", status="pending"), _ev(0.2, "status", "i1", status="running"),
        _ev(0.3, "provider_start", "i1", worker="r0"),
        _ev(0.4, "status", "i2", status="concurrency_controlled"), _ev(0.4, "status", "i2", status="rerouted"),
        _ev(1.3, "provider_end", "i1", worker="r0", outcome="ok"), _ev(1.4, "status", "i1", status="success"),
        _ev(1.5, "status", "i2", status="pending"), _ev(1.5, "status", "i2", status="running"),
        _ev(1.6, "provider_start", "i2", worker="r0"), _ev(2.6, "provider_end", "i2", worker="r0", outcome="ok"),
        _ev(2.6, "status", "i2", status="success"),
    ], HISTORY_POLICIES)  # fmt: skip
    measure = CellMeasure.of(history, K, threads=2)
    assert measure.makespan == pytest.approx(2.6)
    assert (measure.latency_p50, measure.latency_p95) == (
        pytest.approx(1.95),
        pytest.approx(2.445),
    )  # latencies 1.4 and 2.5, interpolated
    assert (measure.completed_calls, measure.collisions, measure.drops, measure.collapsed) == (2, 0, 0, 0)
    assert measure.reroutes_per_completed == pytest.approx(0.5)
    assert measure.busy == pytest.approx(2.0 / (2 * 2.6))


def test_a_cells_schedule_is_its_workload() -> None:
    schedule = schedule_for("call_keyed", ("account_id", "op"), Cell(accounts=4, calls_per_account=3, hold=0.2, pool=8))
    assert len(schedule.enqueues) == 12 and {e.hold for e in schedule.enqueues} == {0.2}
    assert {e.kwargs["account_id"] for e in schedule.enqueues} == {f"acct-{i}" for i in range(4)}
    assert max(e.at for e in schedule.enqueues) < 0.1 and schedule.runners == ("configured",)


def _results(makespan: dict[str, float], busy: float = 0.5) -> Results:
    grid = Grid(accounts=(1,), calls_per_account=(2,), holds=(0.1,), pools=(1,), repeats=1)
    cell = grid.cells()[0]
    results = Results(grid, "ThreadRunner", "sqlite", dict(POLICIES))
    for policy in POLICIES:
        results.measured[(policy, cell)] = [CellMeasure(makespan[policy], 0.5, 1.0, 2, 0, 0, 1.0, 0, busy)]
        results.violations[(policy, cell)] = 0
    return results


def test_the_fifty_percent_claim_follows_the_measured_ratio() -> None:
    text = "\n".join(claims(_results({"reroute=True": 1.5, "reroute=False": 1.0, "registration KEYS": 1.0})))
    assert 'costs ~50% more time (queue cycling)"**: confirmed' in text and "+50%" in text
    text = "\n".join(claims(_results({"reroute=True": 1.1, "reroute=False": 1.0, "registration KEYS": 1.0})))
    assert "**: refuted" in text.splitlines()[2] and "+10%" in text


def test_calls_per_account_and_hold_are_dimensions_of_the_grid() -> None:
    grid = Grid(accounts=(1, 4), calls_per_account=(2,), holds=(0.1,), pools=(1,), repeats=1).varied(
        (2, 8), (0.05, 0.2)
    )
    cells = grid.cells()
    assert len(cells) == 2 * 2 * 2
    assert {(c.calls_per_account, c.hold) for c in cells} == {(2, 0.05), (2, 0.2), (8, 0.05), (8, 0.2)}
