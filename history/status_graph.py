"""The suite's own copy of pynenc's invocation status graph (written from the pynenc 0.4 docs).

The oracle is never read from pynenc: a separate test compares this table with the
installed pynenc's graph, so a change there shows up as a difference, not a new spec.
Statuses are lower-case strings; ``None`` is "not yet created".
"""

from __future__ import annotations

ALLOWED: dict[str | None, frozenset[str]] = {
    None: frozenset({"registered"}),
    "registered": frozenset({"pending", "concurrency_controlled", "concurrency_controlled_final"}),
    "concurrency_controlled": frozenset({"rerouted"}),
    "rerouted": frozenset({"pending", "concurrency_controlled"}),
    "pending": frozenset({"running", "killed", "rerouted", "pending_recovery"}),
    "pending_recovery": frozenset({"rerouted"}),
    "running": frozenset({"paused", "killed", "retry", "success", "failed", "running_recovery"}),
    "running_recovery": frozenset({"rerouted"}),
    "paused": frozenset({"running", "killed"}),
    "killed": frozenset({"rerouted"}),
    "retry": frozenset({"pending"}),
    "success": frozenset(),
    "failed": frozenset(),
    "concurrency_controlled_final": frozenset(),
}

FINAL: frozenset[str] = frozenset({"success", "failed", "concurrency_controlled_final"})

# The final status of an invocation pynenc dropped (reroute=False): it never runs and its result raises.
DROPPED: frozenset[str] = frozenset({"concurrency_controlled_final"})

# Statuses in which an invocation is in no queue and no runner's hands: only a poll puts it back.
QUEUED: frozenset[str] = frozenset({"registered", "rerouted", "concurrency_controlled"})

# Statuses recovery writes when it takes an invocation from a runner presumed dead.
RECOVERY: frozenset[str] = frozenset({"pending_recovery", "running_recovery"})

# Statuses in which an invocation holds its running-concurrency key.
HOLDS_KEY: frozenset[str] = frozenset({"pending", "running"})

# Statuses that mean "blocked by running concurrency control".
BLOCKED: frozenset[str] = frozenset({"concurrency_controlled", "concurrency_controlled_final"})


def is_final(status: str | None) -> bool:
    """True if no transition leaves ``status``."""
    return status in FINAL


def is_allowed(before: str | None, after: str) -> bool:
    """True if ``before -> after`` is an edge of the documented graph."""
    return after in ALLOWED.get(before, frozenset())
