"""Recovery's edges: which hard situations a history reached before its drain.

The gate's rules judge whatever a schedule did; these tell whether a schedule reached the
situations where recovery is most likely wrong, so a situation no example reaches shows up
as a blind spot in the run summary instead of passing unnoticed.  Pure functions of the
history and the two recovery thresholds (pynenc's ``max_pending_seconds`` and its
dead-runner timeout, in seconds); only events before the drain count, since the drain's own
recovery always runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynenc_suite.history.model import Event, History, Kind

SITUATIONS: dict[str, str] = {
    "pending-timeout-on-a-live-runner": "a sweep met a PENDING invocation older than max pending seconds, held by a "
    "runner that was still alive",
    "dead-after-while-a-body-runs": "the clock passed the dead-runner timeout while a live runner's body was in the "
    "provider, and a sweep came before it answered",
    "several-runners-died-holding-work": "two or more runners died, each holding PENDING or RUNNING work, before "
    "one sweep",
    "sweep-in-a-group": "a recovery sweep ran as an operation of an interleaved group",
    "two-sweeps-in-a-group": "two recovery sweeps ran in one interleaved group",
    "sweeper-died-in-its-group": "a runner died inside the group in which it was sweeping",
}
HOLDING = ("pending", "running")


@dataclass
class _Walk:
    """What the history showed so far: statuses, live and dead runners, bodies in the provider."""

    max_pending: float
    dead_after: float
    last: dict[str, tuple[str, str | None, float]]  # invocation -> (status, runner, since)
    dead: set[str]
    in_provider: dict[str, str]  # invocation -> runner whose body is waiting for the provider
    overdue_bodies: set[str]  # invocations whose body ran past the dead-runner timeout, not yet swept
    died_holding: set[str]  # runners that died holding work since the last sweep
    clock: float = 0.0

    def holds(self, runner: str | None) -> bool:
        return any(status in HOLDING and owner == runner for status, owner, _ in self.last.values())

    def sweep(self, at: float) -> set[str]:
        found = set()
        if any(status == "pending" and owner not in self.dead and at - since >= self.max_pending
               for status, owner, since in self.last.values()):  # fmt: skip
            found.add("pending-timeout-on-a-live-runner")
        if self.overdue_bodies & set(self.in_provider):
            found.add("dead-after-while-a-body-runs")
        if len(self.died_holding) >= 2:
            found.add("several-runners-died-holding-work")
        self.overdue_bodies.clear()
        self.died_holding.clear()
        return found

    def see(self, e: Event) -> None:
        if e.kind is Kind.STATUS and e.invocation_id:
            self.last[e.invocation_id] = (e.status or "", e.worker, e.time)
        elif e.kind is Kind.PROVIDER_START and e.invocation_id and e.worker:
            self.in_provider[e.invocation_id] = e.worker
        elif e.kind is Kind.PROVIDER_END and e.invocation_id:
            self.in_provider.pop(e.invocation_id, None)
        elif e.kind in (Kind.CRASH, Kind.STOP) and e.worker:
            if e.kind is Kind.CRASH and self.holds(e.worker) and e.worker not in self.dead:
                self.died_holding.add(e.worker)
            self.dead.add(e.worker)
        elif e.kind is Kind.CLOCK:
            if e.time - self.clock >= self.dead_after:
                self.overdue_bodies |= {i for i, runner in self.in_provider.items() if runner not in self.dead}
            self.clock = e.time


def reached(history: History, max_pending_seconds: float, dead_after_seconds: float) -> set[str]:
    """The :data:`SITUATIONS` the history reached before its drain."""
    walk = _Walk(max_pending_seconds, dead_after_seconds, {}, set(), {}, set(), set())
    found: set[str] = set()
    group: list[Event] | None = None
    for e in history:
        if e.kind is Kind.DRAIN:
            break
        if e.kind is Kind.GROUP_BEGIN:
            group = []
            continue
        if e.kind is Kind.GROUP_END and group is not None:
            sweepers = [g.worker for g in group if g.kind is Kind.RECOVER]
            if sweepers:
                found.add("sweep-in-a-group")
            if len(sweepers) >= 2:
                found.add("two-sweeps-in-a-group")
            if any(g.kind is Kind.CRASH and g.worker in sweepers for g in group):
                found.add("sweeper-died-in-its-group")
            group = None
            continue
        if group is not None:
            group.append(e)
        if e.kind is Kind.RECOVER:
            found |= walk.sweep(e.time)
        walk.see(e)
    return found
