"""Alert thresholds: the REROUTED and CONCURRENCY_CONTROLLED_FINAL rates the suite's schedules produce.

Each controlled task runs the gate's contention schedules (the same ones a policy
change is measured on) under its own policy.  The measured rates are starting
points: the heuristic suggests alerting at twice the measured rate, since a real
workload with more keys than the schedules' two-value pools reroutes less.  The
dropped share is a share of calls, at most 100%: its threshold is twice the measured
share or halfway from it to 100%, whichever is lower (:func:`drop_threshold`), so a
share above one third, whose double would leave little or no room below 100%, still
gets a threshold an operator can reach.
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.doctor.items import Item, Mark
from pynenc_suite.policy_lock.consequences import contention_counts

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


def drop_threshold(dropped: float) -> float:
    """The dropped share (0..1) to alert above: ``ALERT_FACTOR`` times the measured share, or halfway from the
    measured share to 1, whichever is lower; never above 1, and above the measured share while it is below 1."""
    return min(ALERT_FACTOR * dropped, (1.0 + dropped) / 2)


def _suggestion(reroutes: float, dropped: float) -> str:
    """The starting thresholds: twice the measured reroutes per completed call, and the dropped share
    :func:`drop_threshold` gives (any occurrence when the schedules measured none)."""
    reroute = (
        f"above {ALERT_FACTOR * reroutes:.2f} reroutes per completed call"
        if reroutes
        else "on any REROUTED by concurrency control"
    )
    return f"start alerting {reroute}, and {_drop(dropped)}"


def _drop(dropped: float) -> str:
    share = "the dropped share (CONCURRENCY_CONTROLLED_FINAL)"
    if not dropped:
        return "on any CONCURRENCY_CONTROLLED_FINAL"
    if dropped >= 1:
        return f"on {share} only once the policy is reviewed: the schedules dropped every call, leaving no room above"
    threshold, doubled = drop_threshold(dropped), ALERT_FACTOR * dropped
    if threshold == doubled:
        return f"when {share} exceeds {100 * threshold:.1f}% of calls (twice the measured {100 * dropped:.1f}%)"
    if f"{100 * threshold:.1f}" == f"{100 * dropped:.1f}":  # almost every call dropped: no room left to alert in
        return f"on any rise of {share} above the measured {100 * dropped:.2f}% of calls"
    why = (
        f"since twice it, {100 * doubled:.1f}%, is more than a share can be"
        if doubled > 1
        else f"which for a share above one third is lower than twice it ({100 * doubled:.1f}%)"
    )
    return (f"when {share} exceeds {100 * threshold:.1f}% of calls (measured {100 * dropped:.1f}%; the threshold is "
            f"halfway from the measured share to 100%, {why})")  # fmt: skip
