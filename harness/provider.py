"""The fake external API of the seed article, served in memory to httpx through respx.

``POST /call/{account_id}/{op}`` counts in-flight calls per account and records a
collision when a call starts while another call for the same account is in
flight, like the article's server.  Every call is recorded with the account as
received, the invocation that sent it, and its start, end and outcome.

How long a call is "in flight" is not the provider's business: a ``hold``
callback decides.  The deterministic driver parks the calling thread there until
the schedule finishes (or aborts) the call; a real-time run would sleep.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote

import httpx
import respx

from harness.provider_client import INVOCATION_HEADER, provider_url


@dataclass
class ProviderCall:
    """One request as the provider saw it."""

    number: int
    account: str
    op: str
    invocation_id: str
    outcome: str = "in_flight"  # ok / aborted
    collided: bool = False


Hold = Callable[[ProviderCall], None]
Listener = Callable[[str, ProviderCall], None]


class CallAborted(BaseException):
    """Raised inside a task body whose worker died mid-call.

    A ``BaseException`` so that pynenc's ``except Exception`` handlers do not see
    it: a killed worker records nothing, exactly like a process killed mid-call.
    """


def _no_hold(call: ProviderCall) -> None:
    del call


class Provider:
    """In-memory provider; ``listener`` is told of every start and end."""

    def __init__(self, hold: Hold = _no_hold, listener: Listener | None = None) -> None:
        self.hold = hold
        self.listener = listener
        self.calls: list[ProviderCall] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.collisions: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        _, _, account, op = request.url.path.split("/", 3)
        with self._lock:
            call = ProviderCall(
                number=len(self.calls),
                account=unquote(account),
                op=unquote(op),
                invocation_id=request.headers.get(INVOCATION_HEADER, ""),
            )
            self.calls.append(call)
            if self.in_flight[call.account] > 0:
                call.collided = True
                self.collisions[call.account] += 1
            self.in_flight[call.account] += 1
        self._notify("start", call)
        try:
            self.hold(call)
            call.outcome = "ok"
        except CallAborted:
            call.outcome = "aborted"
            raise
        finally:
            with self._lock:
                self.in_flight[call.account] -= 1
            self._notify("end", call)
        return httpx.Response(200, json={"account": call.account, "op": call.op, "call": call.number})

    def _notify(self, what: str, call: ProviderCall) -> None:
        if self.listener is not None:
            self.listener(what, call)

    @property
    def total_collisions(self) -> int:
        return sum(self.collisions.values())

    @contextmanager
    def serve(self) -> Iterator[respx.MockRouter]:
        """Serve this provider to every httpx client in the process, in memory."""
        with respx.mock(base_url=provider_url(), assert_all_called=False) as router:
            router.post(path__regex=r"^/call/[^/]+/[^/]+$").mock(side_effect=self.handle)
            yield router
