"""Read a pynenc task's name and concurrency options into the history model's :class:`TaskPolicy`.

The recorder needs them for every task it records; loading an app (``pynenc_suite.apps``) reads
them too, and checks them there (``apps.policies.validate``).
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.history.model import Mode, TaskPolicy
from pynenc_suite.provider.failures import retries_on_provider_failure


def task_name(task: Any) -> str:
    """The short name the history uses for a task: its function name."""
    return task.func.__name__


def policy_of(task: Any) -> TaskPolicy:
    conf = task.conf
    return TaskPolicy(
        task=task_name(task),
        running=Mode(conf.running_concurrency.value),
        registration=Mode(conf.registration_concurrency.value),
        key_arguments=tuple(conf.key_arguments),
        reroute=bool(conf.reroute_on_concurrency_control),
        retries=retries_on_provider_failure(task),
    )
