"""One provider call as the provider saw it, and the bookkeeping every front end shares.

A :class:`CallLedger` numbers calls, counts the calls in flight per account and
marks a call that starts while another one for the same account is in flight
as a *collision*, like the article's server.  Times are ``time.time()`` (the
gate's clock is virtual, so there they only order calls; in real time they are
the host clock every process shares).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

IN_FLIGHT, OK, FAILED, ABORTED = "in_flight", "ok", "failed", "aborted"
UNAVAILABLE = 503  # the HTTP status of a call the schedule fails (outcome "failed")


@dataclass
class CallRecord:
    """One request: who made it, when it started and ended, how it ended (ok / failed / aborted)."""

    number: int
    account: str
    op: str
    invocation_id: str
    start: float
    runner_id: str = ""
    pid: int = 0
    pgid: int = 0
    end: float | None = None
    outcome: str = IN_FLIGHT
    collided: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class CallLedger:
    """Every call in order, in-flight counts and collisions per account; safe across handler threads."""

    def __init__(self) -> None:
        self.calls: list[CallRecord] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.collisions: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def begin(self, account: str, op: str, invocation_id: str, **caller: Any) -> CallRecord:
        with self._lock:
            call = CallRecord(len(self.calls), account, op, invocation_id, start=time.time(), **caller)
            self.calls.append(call)
            if self.in_flight[account] > 0:
                call.collided = True
                self.collisions[account] += 1
            self.in_flight[account] += 1
        return call

    def end(self, call: CallRecord, outcome: str) -> None:
        with self._lock:
            call.end = time.time()
            call.outcome = outcome
            self.in_flight[call.account] -= 1

    def reset(self) -> None:
        with self._lock:
            self.calls = []
            self.in_flight.clear()
            self.collisions.clear()
