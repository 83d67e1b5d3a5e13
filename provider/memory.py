"""The provider served in memory to every httpx client of the process, through respx (the gate).

How long a call is in flight is not the provider's business: a ``hold`` callback
decides.  The deterministic driver parks the calling thread there until the
schedule finishes (or aborts) the call.  ``fails`` says, once the call is
released, whether it is answered with an error (HTTP 503, outcome "failed").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import unquote

import httpx
import respx

from pynenc_suite.provider.calls import ABORTED, FAILED, OK, UNAVAILABLE, CallLedger, CallRecord
from pynenc_suite.provider.client import INVOCATION_HEADER, provider_url

Hold = Callable[[CallRecord], None]
Listener = Callable[[str, CallRecord], None]


class CallAborted(BaseException):
    """Raised inside a task body whose worker died mid-call.

    A ``BaseException`` so that pynenc's ``except Exception`` handlers do not see
    it: a killed worker records nothing, exactly like a process killed mid-call.
    """


def _no_hold(call: CallRecord) -> None:
    del call


def _never_fails(call: CallRecord) -> bool:
    del call
    return False


class Provider(CallLedger):
    """In-memory provider; ``listener`` is told of every call's "start" and "end"."""

    def __init__(
        self,
        hold: Hold = _no_hold,
        listener: Listener | None = None,
        fails: Callable[[CallRecord], bool] = _never_fails,
    ) -> None:
        super().__init__()
        self.hold = hold
        self.listener = listener
        self.fails = fails

    def handle(self, request: httpx.Request) -> httpx.Response:
        _, _, account, op = request.url.path.split("/", 3)
        call = self.begin(unquote(account), unquote(op), request.headers.get(INVOCATION_HEADER, ""))
        self._notify("start", call)
        outcome = ABORTED
        try:
            self.hold(call)
            outcome = FAILED if self.fails(call) else OK
        finally:
            self.end(call, outcome)
            self._notify("end", call)
        status = UNAVAILABLE if outcome == FAILED else 200
        return httpx.Response(status, json={"account": call.account, "op": call.op, "call": call.number})

    def _notify(self, what: str, call: CallRecord) -> None:
        if self.listener is not None:
            self.listener(what, call)

    @contextmanager
    def serve(self) -> Iterator[respx.MockRouter]:
        """Serve this provider to every httpx client in the process, in memory."""
        with respx.mock(base_url=provider_url(), assert_all_called=False) as router:
            router.post(path__regex=r"^/call/[^/]+/[^/]+$").mock(side_effect=self.handle)
            yield router
