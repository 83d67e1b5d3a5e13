"""Regressions injected into runner processes (:mod:`.inject`), so the real-time tier shows it can fail."""

from __future__ import annotations


def keys_not_enforced() -> None:
    """Running concurrency control admits every invocation, whatever holds its key."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    BaseOrchestrator._is_authorize_by_concurrency_control = lambda self, invocation, statuses: True  # type: ignore[method-assign]  # the regression replaces pynenc's method
