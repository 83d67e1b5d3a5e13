"""Rebuild a locked policy on the app's own task, for as long as a block runs.

The measured consequences of a policy change (:mod:`pynenc_suite.policy_lock.consequences`)
run the same schedules under the policy in the lock and the policy the app has
now.  The old policy is not a copy of the task: it is the same pynenc Task with
its options set from the lock entry (running and registration concurrency, key
arguments, reroute, ``retry_for``, ``max_retries``) and its cached configuration
dropped, so pynenc reads the old options everywhere it looks (the orchestrator,
the call's key serialization, an invocation serialized to SQLite).  The declared
types of the key arguments cannot be rebuilt: they belong to the function.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pynenc_suite.apps.policies import PolicyError, validate

OPTION_FIELDS = ("running", "registration", "key_arguments", "reroute", "retry_for", "max_retries")


class NotRebuildable(ValueError):
    """The locked policy cannot be set on the task as it is now; ``str()`` says why in one line."""


def options_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when two lock entries differ in an option pynenc enforces (not only in declared types)."""
    return any(old[f] != new[f] for f in OPTION_FIELDS)


def task_options(entry: dict[str, Any]) -> dict[str, Any]:
    """The pynenc task options a lock entry stands for."""
    from pynenc.conf.config_task import ConcurrencyControlType as CC

    return {
        "running_concurrency": CC(entry["running"]),
        "registration_concurrency": CC(entry["registration"]),
        "key_arguments": tuple(entry["key_arguments"]),
        "reroute_on_concurrency_control": bool(entry["reroute"]),
        "retry_for": tuple(_exception(name) for name in entry["retry_for"]),
        "max_retries": int(entry["max_retries"]),
    }


def _exception(name: str) -> type[BaseException]:
    """The exception class a lock names as ``module.Qualname``."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
        break
    raise NotRebuildable(f"retry_for names {name}, which is no longer an importable exception class")


@contextmanager
def configured_as(task: Any, entry: dict[str, Any]) -> Iterator[None]:
    """The block runs with ``task`` configured as the lock ``entry`` says; the task is restored after.

    Raises :class:`NotRebuildable` when the entry cannot apply to the task's function any more
    (a key argument that is no longer a parameter, an exception class that is gone)."""
    saved = task.options
    try:
        task.options = {**saved, **task_options(entry)}
        task.__dict__.pop("conf", None)  # pynenc caches the configuration built from the options
        try:
            validate(task)
        except PolicyError as error:
            raise NotRebuildable(str(error)) from None
        yield
    finally:
        task.options = saved
        task.__dict__.pop("conf", None)
