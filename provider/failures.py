"""Provider failures a task body turns into a retriable exception.

The schedule decides when the provider answers a call with an error
(``Finish(fail=True)``); the body then raises :class:`ProviderUnavailable`, which a
task lists in ``retry_for`` to be retried by pynenc (RUNNING -> RETRY -> PENDING ...)
up to ``max_retries`` times, and which fails the invocation otherwise.
"""

from __future__ import annotations

from typing import Any

import httpx

from pynenc_suite.provider.client import call_provider


class ProviderUnavailable(Exception):
    """The provider answered an error: a transient failure, retriable if the task says so."""


def call_provider_or_fail(app_id: str, account_id: object, op: object) -> dict:
    """One provider call; an error answer raises :class:`ProviderUnavailable` (not an httpx error)."""
    try:
        return call_provider(app_id, account_id, op)
    except httpx.HTTPStatusError as error:
        raise ProviderUnavailable(f"provider answered {error.response.status_code} for {account_id}/{op}") from None


def retries_on_provider_failure(task: Any) -> int:
    """How many times pynenc retries an invocation of ``task`` whose body raised ProviderUnavailable."""
    retriable = tuple(task.retriable_exceptions)
    return int(task.conf.max_retries) if issubclass(ProviderUnavailable, retriable) else 0
