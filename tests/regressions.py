"""Regressions injected into pynenc by more than one test module (each patched with ``monkeypatch``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pynenc.invocation.status import InvocationStatus
from pynenc.orchestrator.mem_orchestrator import MemOrchestrator


def registered_invocations_unseen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registration dedup broken below ``route_call``: the lookup of a key's REGISTERED invocation finds none, so
    every call registers anew (PYN-006's symptom, without a race)."""
    existing = MemOrchestrator.get_existing_invocations

    def blind_to_registered(self: MemOrchestrator, task: object, key_serialized_arguments: object = None,
                            statuses: list | None = None) -> Iterator[str]:  # fmt: skip
        if statuses == [InvocationStatus.REGISTERED]:
            return iter(())
        return existing(self, task, key_serialized_arguments, statuses)  # type: ignore[arg-type]

    monkeypatch.setattr(MemOrchestrator, "get_existing_invocations", blind_to_registered)


def running_recovery_by_age(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running recovery judges a runner by its invocation's age, not by its heartbeats: an invocation RUNNING for
    longer than the dead-runner timeout is recovered from a live runner (PYN-016's symptom, without a race; it
    shows at the edge ``dead-after-while-a-body-runs``)."""

    def by_age(self: MemOrchestrator, timeout_seconds: float) -> Any:
        cutoff = datetime.now(UTC) - timedelta(seconds=timeout_seconds)
        for invocation_id in list(self.status_index.get(InvocationStatus.RUNNING, set())):
            record = self.invocation_status_record.get(invocation_id)
            if record is not None and record.timestamp < cutoff:
                yield invocation_id

    monkeypatch.setattr(MemOrchestrator, "_get_running_invocations_for_recovery", by_age)
