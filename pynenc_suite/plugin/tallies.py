"""How many examples each gate property judged, and how many it discarded because they showed a known finding.

A discarded example is one the gate did not judge: a new defect whose symptom
looks like a recorded finding would hide in it.  The run summary shows the
counts per property and per finding, so the blind area is measured, not guessed.
It also counts the judged examples that reached each of recovery's hard situations
(:mod:`~pynenc_suite.history.situations`): one that none reaches is a blind spot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

EXAMPLES = "pynenc_examples"  # the user property that carries one item's tally to the controlling process


@dataclass
class Tally:
    judged: int = 0
    discarded: Counter[str] = field(default_factory=Counter)  # finding id -> examples
    situations: Counter[str] = field(default_factory=Counter)  # situation -> judged examples that reached it

    def as_property(self, item: str) -> dict:
        return {
            "item": item,
            "judged": self.judged,
            "discarded": dict(sorted(self.discarded.items())),
            "situations": dict(sorted(self.situations.items())),
        }


_tallies: dict[str, Tally] = {}


def judged(test_id: str, situations: Iterable[str] = ()) -> None:
    tally = _tallies.setdefault(test_id, Tally())
    tally.judged += 1
    tally.situations.update(situations)


def discarded(test_id: str, finding: str) -> None:
    _tallies.setdefault(test_id, Tally()).discarded[finding] += 1


def take(test_id: str) -> dict | None:
    """The tally of the item ``test_id`` as a user property value, forgotten here; None if it ran no example."""
    tally = _tallies.pop(test_id, None)
    return tally.as_property(test_id) if tally else None
