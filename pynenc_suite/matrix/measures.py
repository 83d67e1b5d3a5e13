"""What one matrix cell measured, from one real-time history of one task.

Times are the history's seconds.  The makespan runs from the first enqueue to
the last final status of the workload (probes left out); an invocation's latency
from its enqueue to its final status.  Busy threads are the provider-call time
over the runner's thread-seconds of the makespan (idle is the rest).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from pynenc_suite.history.metrics import Counts
from pynenc_suite.history.model import History
from pynenc_suite.history.queries import StatusTimeline, invocations, provider_calls
from pynenc_suite.history.status_graph import FINAL


@dataclass(frozen=True)
class CellMeasure:
    makespan: float
    latency_p50: float
    latency_p95: float
    completed_calls: int  # provider calls answered "ok"
    collisions: int  # pairs of same-key provider calls in flight at once
    drops: int  # CONCURRENCY_CONTROLLED_FINAL
    reroutes_per_completed: float
    collapsed: int  # registrations collapsed into a queued invocation
    busy: float  # share of thread-seconds spent in provider calls

    @classmethod
    def of(cls, history: History, task: str, threads: int) -> CellMeasure:
        counts = Counts.of(history, task)
        infos = {inv: info for inv, info in invocations(history).items() if info.task == task and not info.probe}
        timeline = StatusTimeline(history)
        enqueued = {inv: info.enqueue.time for inv, info in infos.items() if info.enqueue is not None}
        finals = {inv: last.time for inv in enqueued if (last := timeline.last(inv)) and last.status in FINAL}
        latencies = sorted(finals[inv] - enqueued[inv] for inv in finals)
        start = min(enqueued.values(), default=0.0)
        makespan = max(finals.values(), default=start) - start
        calls = [(s, e) for s, e in provider_calls(history) if s.invocation_id in infos]
        in_calls = sum((e.time if e is not None else s.time) - s.time for s, e in calls)
        return cls(
            makespan=makespan,
            latency_p50=_quantile(latencies, 0.5),
            latency_p95=_quantile(latencies, 0.95),
            completed_calls=sum(1 for _, e in calls if e is not None and e.outcome == "ok"),
            collisions=counts.overlaps,
            drops=counts.dropped,
            reroutes_per_completed=counts.reroutes_per_completed,
            collapsed=counts.collapsed,
            busy=in_calls / (threads * makespan) if makespan > 0 else 0.0,
        )


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def spread(values: list[float]) -> tuple[float, float, float]:
    """(mean, min, max) of a cell's repeats."""
    return statistics.fmean(values), min(values), max(values)
