"""Terse builders for hand-made histories used by the invariant tests."""

from __future__ import annotations

from typing import Any

from pynenc_suite.history.model import History, Mode, TaskPolicy, build

KEYED = TaskPolicy("call_keyed", running=Mode.KEYS, key_arguments=("account_id",), reroute=True)
DROP = TaskPolicy("call_keyed_drop", running=Mode.KEYS, key_arguments=("account_id",), reroute=False)
UNSAFE = TaskPolicy("call_unsafe")
REFRESH = TaskPolicy(
    "refresh_once",
    running=Mode.KEYS,
    registration=Mode.KEYS,
    key_arguments=("account_id",),
    reroute=True,
)
SERIAL = TaskPolicy("call_serial", running=Mode.TASK, reroute=True)
RETRYING = TaskPolicy("call_retrying", running=Mode.KEYS, key_arguments=("account_id",), reroute=True, retries=2)
POLICIES = (KEYED, DROP, UNSAFE, REFRESH, SERIAL, RETRYING)

Ev = dict[str, Any]


def status(inv: str, task: str, st: str, key: str, worker: str = "r1") -> Ev:
    return {
        "kind": "status",
        "invocation_id": inv,
        "task": task,
        "status": st,
        "key": key,
        "worker": worker,
    }


def enqueue(inv: str, task: str, key: str, probe: bool = False) -> list[Ev]:
    """The producer side: ``registered`` then the ENQUEUE event (the id is known on return)."""
    return [
        status(inv, task, "registered", key, worker="p0"),
        {
            "kind": "enqueue",
            "invocation_id": inv,
            "task": task,
            "key": key,
            "reg_key": key,
            "worker": "p0",
            "probe": probe,
        },
    ]


def start(inv: str, task: str, key: str, worker: str = "r1") -> Ev:
    return {
        "kind": "provider_start",
        "invocation_id": inv,
        "task": task,
        "key": key,
        "worker": worker,
    }


def end(inv: str, task: str, key: str, worker: str = "r1", outcome: str = "ok") -> Ev:
    return {
        "kind": "provider_end",
        "invocation_id": inv,
        "task": task,
        "key": key,
        "worker": worker,
        "outcome": outcome,
    }


def runs(inv: str, task: str, key: str, worker: str = "r1") -> list[Ev]:
    """pending, running, provider call ok, success."""
    return [
        status(inv, task, "pending", key, worker),
        status(inv, task, "running", key, worker),
        start(inv, task, key, worker),
        end(inv, task, key, worker),
        status(inv, task, "success", key, worker),
    ]


def full(inv: str, task: str, key: str, worker: str = "r1") -> list[Ev]:
    """One invocation from enqueue to success, alone."""
    return enqueue(inv, task, key) + runs(inv, task, key, worker)


def hist(*events: Ev | list[Ev]) -> History:
    flat: list[Ev] = []
    for e in events:
        flat.extend(e if isinstance(e, list) else [e])
    return build(flat, POLICIES)


def seq_of(history: History, kind: str, inv: str, **match: Any) -> int:
    """Seq of the first event of ``kind`` for ``inv`` with the given field values."""
    for e in history:
        if e.kind == kind and e.invocation_id == inv and all(getattr(e, k) == v for k, v in match.items()):
            return e.seq
    raise LookupError((kind, inv, match))


def attempt_fails(inv: str, task: str, key: str, then: str = "retry", worker: str = "r1") -> list[Ev]:
    """pending, running, provider call answered 'failed', then ``then`` (retry / failed)."""
    return [
        status(inv, task, "pending", key, worker),
        status(inv, task, "running", key, worker),
        start(inv, task, key, worker),
        end(inv, task, key, worker, outcome="failed"),
        status(inv, task, then, key, worker),
    ]
