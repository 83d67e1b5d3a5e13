"""``pynenc-suite doctor APP``: the pre-deployment checklist, run against the team's app.

Each area is a module with one function that returns :class:`~.items.Item` s:
key consistency (:mod:`.keys`), policy sanity (:mod:`.policies`), runner sizing
and recovery settings (:mod:`.runners`), alert thresholds (:mod:`.alerts`).
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.apps.policies import PolicyError, validate
from pynenc_suite.doctor.alerts import alert_items
from pynenc_suite.doctor.items import Item
from pynenc_suite.doctor.keys import key_items
from pynenc_suite.doctor.policies import policy_items
from pynenc_suite.doctor.runners import clock_item, partition_item, recovery_items, runner_items
from pynenc_suite.tiers.tolerance import Tolerance


def examine(
    target: Any,
    expected_keys: int | None = None,
    max_body_seconds: float | None = None,
    measured_skew: Tolerance | None = None,
    measured_partition: Tolerance | None = None,
) -> list[Item]:
    """Every checklist item for ``target``, area by area.  Keys are audited and schedules run only for the
    tasks whose policy pynenc can enforce (the others fail under policy sanity).  ``measured_skew``,
    ``measured_partition``: the clock skew and partition tolerances real-time runs measured for this app, quoted
    beside the recovery settings."""
    usable = [name for name, task in sorted(target.controlled.items()) if _enforceable(task)]
    return [
        *key_items(target, usable),
        *policy_items(target),
        *runner_items(target, expected_keys),
        *recovery_items(target, max_body_seconds),
        clock_item(target, measured_skew),
        partition_item(target, measured_partition),
        *alert_items(target, usable),
    ]


def _enforceable(task: Any) -> bool:
    try:
        validate(task)
    except PolicyError:
        return False
    return True
