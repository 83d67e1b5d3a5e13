"""The decision matrix's grid: which policies, which workloads, which pool sizes.

A cell is a workload (distinct accounts, calls per account, provider hold time)
on a runner with a pool of threads.  Its schedule enqueues every call within the
first tenth of a second, from two producers, with no faults: the cell measures
the policy, not recovery.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pynenc_suite.schedules.realtime import CONFIGURED, RealtimeSchedule, TimedEnqueue

# The seed article's policies, as tasks of the reference app.
POLICIES = {
    "reroute=True": "call_keyed",
    "reroute=False": "call_keyed_drop",
    "registration KEYS": "refresh_once",
}


@dataclass(frozen=True)
class Cell:
    accounts: int
    calls_per_account: int
    hold: float
    pool: int

    @property
    def label(self) -> str:
        return f"{self.accounts} acct x {self.calls_per_account} calls, hold {self.hold:g}s, {self.pool} threads"


@dataclass(frozen=True)
class Grid:
    accounts: tuple[int, ...]
    calls_per_account: tuple[int, ...]
    holds: tuple[float, ...]
    pools: tuple[int, ...]
    repeats: int

    def cells(self) -> list[Cell]:
        return [Cell(a, c, h, p) for c in self.calls_per_account for h in self.holds
                for a in self.accounts for p in self.pools]  # fmt: skip

    def varied(self, calls: tuple[int, ...] | None, holds: tuple[float, ...] | None) -> Grid:
        """The same grid with other calls per account and hold times (each a dimension of its own)."""
        return replace(self, calls_per_account=calls or self.calls_per_account, holds=holds or self.holds)


FULL = Grid(accounts=(1, 4, 16), calls_per_account=(4,), holds=(0.2,), pools=(1, 4, 8, 32), repeats=2)
QUICK = Grid(accounts=(1, 4), calls_per_account=(3,), holds=(0.1,), pools=(1, 4), repeats=1)


def schedule_for(task: str, parameters: tuple[str, ...], cell: Cell) -> RealtimeSchedule:
    """Every call of the cell, accounts interleaved, within the first 0.1 s; the app's runner, as configured."""
    enqueues = []
    total = cell.accounts * cell.calls_per_account
    for i in range(total):
        account, call = i % cell.accounts, i // cell.accounts
        kwargs: dict[str, Any] = {"account_id": f"acct-{account}"}
        kwargs.update({name: f"op-{call}" for name in parameters if name != "account_id"})
        enqueues.append(TimedEnqueue(at=round(0.1 * i / total, 3), producer=i % 2, task=task, kwargs=kwargs,
                                     hold=cell.hold))  # fmt: skip
    return RealtimeSchedule(runners=(CONFIGURED,), enqueues=tuple(enqueues))


def runner_env(runner: str, pool: int) -> dict[str, str]:
    """The pool of the cell, as the runner process reads it: PYNENC__* variables over the app's configuration."""
    if runner == "ThreadRunner":
        return {"PYNENC__RUNNER_CLS": runner, "PYNENC__MIN_THREADS": str(pool), "PYNENC__MAX_THREADS": str(pool)}
    return {"PYNENC__RUNNER_CLS": runner, "PYNENC__MAX_PROCESSES": str(pool), "PYNENC__MAX_THREADS": "1"}
