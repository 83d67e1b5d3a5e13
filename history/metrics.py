"""What a policy costs and loses, counted from one task's histories.

Counts leave out the probes the driver enqueues after a schedule drains: they
test a key's lock, not the workload.  Keys are the history's key identities, so
"same key" means same key under the policy the history was judged by.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import combinations

from pynenc_suite.history.model import History, Kind
from pynenc_suite.history.queries import StatusTimeline, invocations, provider_calls


@dataclass(frozen=True)
class Counts:
    """Sums over histories; :meth:`of` counts one, ``+`` adds two."""

    histories: int = 0
    calls: int = 0  # producer calls: new invocations (ENQUEUE) and calls collapsed into one (REUSED)
    dropped: int = 0  # invocations that ended concurrency_controlled_final
    completed: int = 0  # invocations that ended success
    overlaps: int = 0  # pairs of provider calls of the same key in flight at once
    collapsed: int = 0  # REUSED: calls that returned an invocation already registered
    reroutes: int = 0  # concurrency_controlled statuses: an invocation blocked and sent back to the queue
    provider_calls: int = 0  # PROVIDER_START

    @classmethod
    def of(cls, history: History, task: str) -> Counts:
        probes = {inv for inv, info in invocations(history).items() if info.probe}
        events = [e for e in history if e.task == task and e.invocation_id not in probes]
        timeline = StatusTimeline(history)
        created = {e.invocation_id for e in events if e.kind is Kind.ENQUEUE}
        last = {inv: timeline.last(inv) if inv is not None else None for inv in created}
        final = {inv: (ev.status if ev else None) for inv, ev in last.items()}
        calls = [
            (start.seq, end.seq if end else len(history.events), start.key.identity if start.key else None)
            for start, end in provider_calls(history)
            if start.task == task and start.invocation_id not in probes
        ]
        return cls(
            histories=1,
            calls=len(created) + sum(e.kind is Kind.REUSED for e in events),
            dropped=sum(status == "concurrency_controlled_final" for status in final.values()),
            completed=sum(status == "success" for status in final.values()),
            overlaps=sum(a[2] == b[2] and a[0] < b[1] and b[0] < a[1] for a, b in combinations(calls, 2)),
            collapsed=sum(e.kind is Kind.REUSED for e in events),
            reroutes=sum(e.kind is Kind.STATUS and e.status == "concurrency_controlled" for e in events),
            provider_calls=len(calls),
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def dropped_share(self) -> float:
        return self.dropped / self.calls if self.calls else 0.0

    @property
    def reroutes_per_completed(self) -> float:
        return self.reroutes / self.completed if self.completed else 0.0

    @property
    def provider_calls_per_call(self) -> float:
        return self.provider_calls / self.calls if self.calls else 0.0
