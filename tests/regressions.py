"""Regressions injected into pynenc by the tests (each patched with ``monkeypatch``, never in site-packages).

:data:`DETECTION_ROWS` names the regressions of the detection-power table: each with the (task, rule)
properties that must catch it, in the order the test tries them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pynenc.conf.config_task import ConfigTask
from pynenc.exceptions import InvocationStatusTransitionError
from pynenc.invocation.status import InvocationStatus
from pynenc.orchestrator.base_orchestrator import BaseOrchestrator
from pynenc.orchestrator.mem_orchestrator import MemOrchestrator
from pynenc.runner.base_runner import BaseRunner


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


def keys_not_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the poll's candidate check nor the start's authorisation looks at the key."""
    monkeypatch.setattr(BaseOrchestrator, "_is_authorize_by_concurrency_control", lambda self, inv, statuses: True)


def admission_check_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The poll admits every invocation; only the start-time check is left."""
    monkeypatch.setattr(BaseOrchestrator, "is_candidate_to_run_by_concurrency_control", lambda self, inv: True)


def reroute_flag_inverted(monkeypatch: pytest.MonkeyPatch) -> None:
    """pynenc reads every task's reroute_on_concurrency_control as its opposite."""
    declared = ConfigTask.__dict__["reroute_on_concurrency_control"]
    monkeypatch.setattr(
        ConfigTask, "reroute_on_concurrency_control", property(lambda conf: not declared.__get__(conf, ConfigTask))
    )


def _never(*args: object, **kwargs: object) -> Iterator[str]:
    return iter(())


def recovery_never_reroutes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both recovery queries return nothing."""
    monkeypatch.setattr(BaseOrchestrator, "get_running_invocations_for_recovery", _never)
    monkeypatch.setattr(MemOrchestrator, "get_pending_invocations_for_recovery", _never)


def stop_without_reroute(monkeypatch: pytest.MonkeyPatch) -> None:
    """pynenc's ``_kill_and_reroute`` without its reroute: the kill, with the same tolerance of a status that can
    no longer be killed (an invocation that finished or was rerouted meanwhile)."""

    def kill_without_reroute(self: BaseRunner, invocation_id: object, runner_ctx: object = None) -> None:
        try:
            self.app.orchestrator.set_invocation_status(
                invocation_id,
                InvocationStatus.KILLED,
                runner_ctx or self.runner_context,  # type: ignore[arg-type]
            )
        except InvocationStatusTransitionError:
            pass

    monkeypatch.setattr(BaseRunner, "_kill_and_reroute", kill_without_reroute)


@dataclass(frozen=True)
class DetectionRow:
    """One row of the detection-power table: a regression and the properties that must catch it."""

    name: str
    inject: Callable[[pytest.MonkeyPatch], None]
    properties: tuple[tuple[str, str], ...]  # (task, rule), each judged on its own


DETECTION_ROWS = (
    DetectionRow(
        "KEYS not enforced", keys_not_enforced, (("call_keyed", "no-overlap"), ("call_keyed_drop", "no-overlap"))
    ),
    DetectionRow(
        "admission check skipped",
        admission_check_skipped,
        (("call_keyed", "exclusive-admission"), ("sync_all", "exclusive-admission")),
    ),  # fmt: skip
    DetectionRow(
        "reroute flag inverted",
        reroute_flag_inverted,
        (
            ("call_keyed", "drop-semantics"),
            ("call_keyed_drop", "drop-semantics"),
            ("call_keyed", "reroute-preserves-work"),
        ),
    ),  # fmt: skip
    DetectionRow(
        "registration dedup disabled", registered_invocations_unseen, (("refresh_once", "registration-dedup"),)
    ),
    DetectionRow(
        "recovery never reroutes",
        recovery_never_reroutes,
        (("call_keyed", "no-stale-locks"), ("call_keyed", "liveness")),
    ),  # fmt: skip
    DetectionRow(
        "stopping runner does not reroute",
        stop_without_reroute,
        (("call_keyed", "no-stale-locks"), ("call_keyed", "reroute-preserves-work")),
    ),  # fmt: skip
)


def finished_keeps_key_on_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """On pynenc's SQLite orchestrator a finished invocation keeps blocking its key: the lookup of the key's
    RUNNING invocations also finds the ones that reached a final status, as if finishing never released it."""
    from pynenc.orchestrator.sqlite_orchestrator import SQLiteOrchestrator

    existing = SQLiteOrchestrator.get_existing_invocations
    finals = list(InvocationStatus.get_final_statuses())

    def key_still_held(self: SQLiteOrchestrator, task: object, key_serialized_arguments: object = None,
                       statuses: list | None = None) -> Iterator[str]:  # fmt: skip
        if statuses and InvocationStatus.RUNNING in statuses:
            statuses = [*statuses, *finals]
        return existing(self, task, key_serialized_arguments, statuses)  # type: ignore[arg-type]

    monkeypatch.setattr(SQLiteOrchestrator, "get_existing_invocations", key_still_held)


KEY_INDEX_PAGE = 8  # the invocations of one key the paged index keeps (see key_index_paged)


def key_index_paged(monkeypatch: pytest.MonkeyPatch, page: int = KEY_INDEX_PAGE) -> None:
    """pynenc's in-memory key index answers with one page: a key lookup finds only the first ``page``
    invocations ever registered with that key, so from the ``page + 1``-th invocation of a key on, the admission
    check and registration dedup no longer see it.  Reached only by schedules with many invocations of one key
    (the ``ci`` gate's 100 examples a property do not reach it; fuzzing does)."""
    by_key = MemOrchestrator.filter_by_key_arguments

    def first_page(self: MemOrchestrator, key_arguments: dict[str, str]) -> set[str]:
        found = by_key(self, key_arguments)
        return set([i for i in self.inv_id_to_call_id if i in found][:page])

    monkeypatch.setattr(MemOrchestrator, "filter_by_key_arguments", first_page)


HEARTBEAT_RETENTION_SECONDS = 1200.0  # how long the regression below keeps a runner's heartbeat


def heartbeats_expire(monkeypatch: pytest.MonkeyPatch, retention: float = HEARTBEAT_RETENTION_SECONDS) -> None:
    """Running recovery reads runners from a heartbeat index that keeps each heartbeat for ``retention`` seconds (a
    key with a time to live): a runner that died and was not swept before its heartbeat expired is unknown, not
    dead, so its RUNNING work is never recovered.  Reached only when two dead-runner timeouts pass between a
    runner's death and the next sweep: no example of the ``ci`` gate does; random search does in about one
    example in 150."""

    def recent_heartbeats_only(self: MemOrchestrator, timeout_seconds: float) -> Iterator[str]:
        now = time.time()
        known = {r: beat for r, beat in self.runner_last_heartbeat.items() if now - beat < retention}
        for invocation_id in list(self.status_index.get(InvocationStatus.RUNNING, set())):
            record = self.invocation_status_record.get(invocation_id)
            if record is None or not record.runner_id or record.runner_id not in known:
                continue  # an expired runner: unknown, so never recovered
            if known[record.runner_id] < now - timeout_seconds:
                yield invocation_id

    monkeypatch.setattr(MemOrchestrator, "_get_running_invocations_for_recovery", recent_heartbeats_only)
