"""Alert thresholds: the REROUTED and CONCURRENCY_CONTROLLED_FINAL rates the suite's schedules produce.

Each controlled task runs the gate's contention schedules (the same ones a policy
change is measured on) under its own policy.  The measured rates are starting
points: the heuristic suggests alerting at twice the measured rate, since a real
workload with more keys than the schedules' two-value pools reroutes less.
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.consequences import contention_counts
from pynenc_suite.doctor.items import Item, Mark

ALERT_FACTOR = 2.0


def alert_items(target: Any, names: list[str], seed: int = 0) -> list[Item]:
    items = []
    for name in names:
        counts = contention_counts(target, name, seed)
        reroutes, dropped = counts.reroutes_per_completed, counts.dropped_share
        items.append(Item(
            "alerts", name, Mark.PASS,
            f"{counts.histories} contention schedules: {reroutes:.2f} reroutes (CONCURRENCY_CONTROLLED -> REROUTED) "
            f"per completed call, {100 * dropped:.1f}% of calls CONCURRENCY_CONTROLLED_FINAL",
            _suggestion(reroutes, dropped),
        ))  # fmt: skip
    return items


def _suggestion(reroutes: float, dropped: float) -> str:
    reroute = (f"above {ALERT_FACTOR * reroutes:.2f} reroutes per completed call" if reroutes
               else "on any REROUTED by concurrency control")
    drop = f"above {100 * ALERT_FACTOR * dropped:.1f}% dropped calls" if dropped else "on any CONCURRENCY_CONTROLLED_FINAL"
    return f"start alerting {reroute}, and {drop}"
