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
from typing import Any

CLOCK_TOLERANCE = "clock-tolerance.json"  # in a real-time session's output folder


@dataclass(frozen=True)
class Probe:
    """One run at one fault size: did every rule hold, and if not the first decided violation."""

    size: float
    held: bool
    violation: str = ""
    folder: str = ""


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

    @property
    def first_violation(self) -> str:
        return next((p.violation for p in self.probes if p.size == self.broke), "")

    def line(self) -> str:
        """The figure in one line, as ``pynenc-suite realtime`` prints it."""
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
    run_at: Callable[[float], Probe], step: float, limit: float
) -> tuple[float | None, float | None, list[Probe]]:
    """Bisect the sizes ``k * step`` (``0 <= k * step <= limit``) for the largest that holds.

    Returns (largest size that held, smallest size that broke, every probe in the order run).
    A size of 0 that breaks ends the search: (None, 0.0).  Assumes a larger fault breaks at least
    whatever a smaller one does; each size is run once.
    """
    probes: list[Probe] = []

    def holds(k: int) -> bool:
        probes.append(run_at(round(k * step, 9)))
        return probes[-1].held

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


def newest(sessions: Path, app: str) -> Tolerance | None:
    """The most recently written tolerance for ``app`` among the real-time sessions under ``sessions`` (None if none)."""
    found = []
    for path in sessions.glob(f"*/{CLOCK_TOLERANCE}"):
        try:
            tolerance = Tolerance.from_json(path.read_text())
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if tolerance.app == app:
            found.append((path.stat().st_mtime, tolerance))
    return max(found, key=lambda pair: pair[0])[1] if found else None
