"""How large a fault a configuration tolerates: the largest size under which every rule still holds.

A fault with a size (a runner's clock this many seconds behind the sweeper's) is
applied to one fixed probe schedule at sizes ``0, step, 2*step, ... limit``; the
search bisects between the largest size seen to hold and the smallest seen to
break, so it takes about ``2 + log2(limit / step)`` runs.  A size *holds* when
its run has no decided violation outside the recorded findings.  The answer is a
:class:`Tolerance`: the two neighbouring sizes and the first violation at the
larger one, which ``pynenc-suite realtime`` prints and writes as JSON, and
``pynenc-suite doctor`` quotes beside the recovery settings it checks.

Real time decides each run, so near the edge a size may hold once and break the
next time; the figure is reported to within one step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pynenc_suite.schedules.realtime import RealtimeSchedule
    from pynenc_suite.tiers.realtime import Outcome

CLOCK_TOLERANCE = "clock-tolerance.json"  # in a real-time session's output folder
PARTITION_TOLERANCE = "partition-tolerance.json"  # likewise


@dataclass(frozen=True)
class Probe:
    """One run at one fault size: did every rule hold, and if not the first decided violation."""

    size: float
    held: bool
    violation: str = ""
    folder: str = ""
    reruns: int = 0  # at-least-once verdicts: work of a runner presumed dead (alive, unheard) run again


@dataclass(frozen=True)
class Tolerance:
    """The largest fault size measured to hold and the smallest measured to break (``None``: held up to ``limit``)."""

    fault: str  # what grew, in words: "a runner's clock behind the sweeper's"
    app: str
    engine: str
    step: float
    limit: float
    held: float | None  # None: the probe schedule broke a rule without the fault
    broke: float | None
    timing: dict[str, float]  # the recovery settings the runs used
    probes: tuple[Probe, ...] = field(default=())
    # The same search for work run again (at-least-once verdicts: the faulted runner presumed dead while alive,
    # as a heartbeat timeout intends, not a broken rule): the largest size without, the smallest with (None: none).
    rerun_free: float | None = None
    reran: float | None = None

    @property
    def first_violation(self) -> str:
        return next((p.violation for p in self.probes if p.size == self.broke), "")

    def reruns(self) -> str:
        """Up to which size no work ran twice, and from which it did; "" if it never did."""
        if self.reran is None:
            return ""
        below = f"no work ran twice up to {self.rerun_free:g} s; " if self.rerun_free is not None else ""
        return f"{below}at {self.reran:g} s the runner, presumed dead while alive, had its work run again " \
               "(at-least-once, as a heartbeat timeout intends)"  # fmt: skip

    def line(self) -> str:
        """The figure in one line, as ``pynenc-suite realtime`` prints it."""
        reruns = self.reruns()
        return self._held_line() + (f"; {reruns}" if reruns else "")

    def _held_line(self) -> str:
        runs = f"{len(self.probes)} runs, dead-after {self.timing['dead_after_seconds']:g} s, heartbeat every " \
               f"{self.timing['heartbeat_seconds']:g} s"  # fmt: skip
        if self.held is None:
            return f"{self.engine}: {self.fault}: a rule breaks even without the fault ({runs}): {self.first_violation}"
        if self.broke is None:
            return f"{self.engine}: every rule holds with {self.fault} up to the {self.limit:g} s searched ({runs})"
        return (
            f"{self.engine}: every rule holds with {self.fault} up to {self.held:g} s; at {self.broke:g} s "
            f"{self.first_violation} ({runs})"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Tolerance:
        data: dict[str, Any] = json.loads(text)
        return cls(**{**data, "probes": tuple(Probe(**p) for p in data.get("probes", ()))})


def search(
    run_at: Callable[[float], Probe], step: float, limit: float, passes: Callable[[Probe], bool] = lambda p: p.held
) -> tuple[float | None, float | None, list[Probe]]:
    """Bisect the sizes ``k * step`` (``0 <= k * step <= limit``) for the largest whose probe ``passes`` (by
    default: every rule held).

    Returns (largest size that passed, smallest size that failed, every probe in the order run).
    A size of 0 that fails ends the search: (None, 0.0).  Assumes a larger fault fails whenever a
    smaller one does; each size is run once (``run_at`` may answer from earlier runs).
    """
    probes: list[Probe] = []

    def holds(k: int) -> bool:
        probes.append(run_at(round(k * step, 9)))
        return passes(probes[-1])

    top = int(round(limit / step))
    if not holds(0):
        return None, 0.0, probes
    if holds(top):
        return top * step, None, probes
    low, high = 0, top  # low held, high broke
    while high - low > 1:
        middle = (low + high) // 2
        if holds(middle):
            low = middle
        else:
            high = middle
    return round(low * step, 9), round(high * step, 9), probes


def measure(
    run: Callable[[RealtimeSchedule], Outcome],
    schedule_at: Callable[[float], RealtimeSchedule],
    *,
    fault: str,
    app: str,
    engine: str,
    step: float,
    limit: float,
    timing: dict[str, float],
) -> Tolerance:
    """The tolerance of ``fault``: :func:`search` over ``schedule_at(size)``, each schedule run by ``run``; then
    the same search, up to the largest size that held, for the size from which work ran twice (sizes already
    run are not run again)."""
    from pynenc_suite.invariants.adjudication import Unknown

    runs: dict[float, Probe] = {}

    def run_at(size: float) -> Probe:
        if size not in runs:
            outcome = run(schedule_at(size))
            first = str(outcome.failures[0].violation) if outcome.failures else ""
            reruns = sum(1 for v in outcome.unknown if v.unknown is Unknown.AT_LEAST_ONCE)
            runs[size] = Probe(size, not outcome.failures, first, str(outcome.folder), reruns)
        return runs[size]

    held, broke, _ = search(run_at, step, limit)
    rerun_free, reran = None, None
    if held is not None and any(p.reruns for p in runs.values()):
        rerun_free, reran, _ = search(run_at, step, held, passes=lambda p: not p.reruns)
        # the second search may run a size the first skipped: a rule broken there is the tolerance's edge
        broken = [size for size, probe in runs.items() if not probe.held]
        if broken:
            low = max(size for size, probe in runs.items() if probe.held and size < min(broken))  # 0 held
            held, broke = _bisect(run_at, low, min(broken), step)
    return Tolerance(fault=fault, app=app, engine=engine, step=step, limit=limit, held=held, broke=broke,
                     timing=timing, probes=tuple(runs.values()), rerun_free=rerun_free, reran=reran)  # fmt: skip


def _bisect(run_at: Callable[[float], Probe], low: float, high: float, step: float) -> tuple[float, float]:
    """Between a size that held and a larger one that broke, the neighbouring pair within one step."""
    while high - low > step + 1e-9:
        middle = round(round((low + high) / 2 / step) * step, 9)
        if middle in (low, high):
            break
        if run_at(middle).held:
            low = middle
        else:
            high = middle
    return low, high


def newest(sessions: Path, app: str, name: str = CLOCK_TOLERANCE) -> Tolerance | None:
    """The most recently written tolerance file ``name`` for ``app`` among the real-time sessions under ``sessions``
    (None if none)."""
    found = []
    for path in sessions.glob(f"*/{name}"):
        try:
            tolerance = Tolerance.from_json(path.read_text())
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if tolerance.app == app:
            found.append((path.stat().st_mtime, tolerance))
    return max(found, key=lambda pair: pair[0])[1] if found else None
