"""Pure checkers over a recorded :class:`~invariants.history.History`, one module per rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from invariants import (
    drop_semantics,
    legal_transitions,
    liveness,
    no_overlap,
    no_stale_locks,
    registration_dedup,
    reroute_preserves_work,
)
from invariants.history import History, Violation

Checker = Callable[[History], list[Violation]]

ALL_CHECKERS: dict[str, Checker] = {
    no_overlap.RULE: no_overlap.check,
    drop_semantics.RULE: drop_semantics.check,
    reroute_preserves_work.RULE: reroute_preserves_work.check,
    registration_dedup.RULE: registration_dedup.check,
    no_stale_locks.RULE: no_stale_locks.check,
    legal_transitions.RULE: legal_transitions.check,
    liveness.RULE: liveness.check,
}


def check_all(history: History, rules: Iterable[str] | None = None) -> list[Violation]:
    """Run the named rules (default: all) and return their violations, rule by rule."""
    names = list(ALL_CHECKERS) if rules is None else list(rules)
    unknown = [n for n in names if n not in ALL_CHECKERS]
    if unknown:
        raise KeyError(f"unknown rules {unknown}; known: {sorted(ALL_CHECKERS)}")
    return [v for name in names for v in ALL_CHECKERS[name](history)]
