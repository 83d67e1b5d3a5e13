"""Regressions injected into pynenc by more than one test module (each patched with ``monkeypatch``)."""

from __future__ import annotations

from collections.abc import Iterator

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
