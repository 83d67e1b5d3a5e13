"""Policy sanity: options pynenc accepts but that do not do what the team likely wants.

Fails: KEYS with no key arguments; key arguments that are not named parameters
(missing, or ``*args`` / ``**kwargs``), reported under key consistency.  Warnings: registration control
without running control; reroute=False on a task whose name or docstring suggests
work that must not be lost (the heuristic: one of :data:`MUST_NOT_LOSE` appears as
a word of either); retries on a task with running control, and running control
combined with reroute=False, each citing the recorded pynenc defect that affects
it; and, for running KEYS/ARGUMENTS without registration control, ``parallelize``
(PYN-008), said to be conditional: the doctor reads policies, not call sites, so
it cannot know whether the app calls ``task.parallelize`` at all.
"""

from __future__ import annotations

import re
from typing import Any

from pynenc_suite.apps.policies import PolicyError, validate
from pynenc_suite.doctor.items import Item, Mark
from pynenc_suite.history.model import Mode, TaskPolicy

MUST_NOT_LOSE = ("pay", "payment", "charge", "refund", "transfer", "invoice", "order", "billing", "send", "email",
                 "notify", "write", "save", "create", "update", "delete", "ledger", "sync")  # fmt: skip


def policy_items(target: Any) -> list[Item]:
    items: list[Item] = []
    for name, task in sorted(target.controlled.items()):
        policy = target.policies[name]
        before = len(items)
        try:
            validate(task)
        except PolicyError as error:
            # KEYS without key arguments is a policy mistake; key arguments that are no named parameter, a key one.
            area = "policy" if "key_arguments is empty" in str(error) else "keys"
            items.append(Item(area, name, Mark.FAIL, str(error),
                              "name one or more of the task's named parameters in key_arguments"))  # fmt: skip
        items += _warnings(name, task, policy)
        if len(items) == before:
            items.append(Item("policy", name, Mark.PASS, _summary(policy)))
    return items


def _warnings(name: str, task: Any, policy: TaskPolicy) -> list[Item]:
    out: list[Item] = []
    if policy.controls_registration and not policy.controls_running:
        out.append(Item("policy", name, Mark.WARN,
                        f"registration {policy.registration.value} without running control: duplicates collapse only "
                        "while one is still queued; once it runs, a new call for the same key runs beside it",
                        f"add running_concurrency={policy.registration.name} if calls must not overlap"))  # fmt: skip
    words = set(re.findall(r"[a-z]+", f"{name.replace('_', ' ')} {task.func.__doc__ or ''}".lower()))
    hits = sorted(words & set(MUST_NOT_LOSE))
    if policy.controls_running and not policy.reroute:
        if hits:
            out.append(Item("policy", name, Mark.WARN,
                            f"reroute=False drops blocked calls (CONCURRENCY_CONTROLLED_FINAL), and the task's name or "
                            f"docstring says {', '.join(hits)}: work that is usually not to be lost (heuristic)",
                            "reroute_on_concurrency_control=True, unless a dropped call is really harmless"))  # fmt: skip
        out.append(Item("policy", name, Mark.WARN,
                        "reroute=False: a rerouted invocation (after a stop or recovery) that meets a held key is "
                        "lost and crashes the polling runner (recorded pynenc defect PYN-001)",
                        "reroute=True, or watch for runner loops that exit with InvocationStatusTransitionError"))  # fmt: skip
    retries = int(task.conf.max_retries)  # any retry, whatever it is retried for
    if policy.controls_running and retries:
        out.append(Item("policy", name, Mark.WARN,
                        f"retries (max_retries={retries}) under running control: a RETRY invocation polled while its key "
                        "is held is lost and the poll raises (recorded pynenc defect PYN-009)",
                        "retry inside the task body, or alert on invocations left in RETRY"))  # fmt: skip
    if policy.running in (Mode.KEYS, Mode.ARGUMENTS) and not policy.controls_registration:
        out.append(Item("policy", name, Mark.WARN,
                        f"if you call {name}.parallelize(...) with more than one call, those calls bypass running "
                        f"{policy.running.name} control and may run beside a held key (recorded pynenc defect PYN-008); "
                        "the doctor cannot see your call sites, so this applies only where you do",
                        f"call {name}(...) once per call, not through {name}.parallelize"))  # fmt: skip
    return out


def _summary(policy: TaskPolicy) -> str:
    keys = f" on ({', '.join(policy.key_arguments)})" if policy.key_arguments else ""
    return (
        f"running {policy.running.value}{keys}, registration {policy.registration.value}, "
        f"reroute {policy.reroute}: nothing to warn about"
    )
