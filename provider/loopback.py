"""The provider served on a loopback HTTP port, for runs whose task bodies live in other processes.

Same API as the in-memory provider (``POST /call/{account_id}/{op}``), same
bookkeeping (in-flight calls and collisions per account), but every call also
records wall-clock start and end (``time.time()``, the clock every process on
the host shares) and who called: the invocation, the pynenc runner, the OS
process and its process group.  One server in the test process therefore
records one history for all the worker processes of a run.

How long a call stays in flight is set per invocation by the driver
(``hold_for``), else ``default_hold``; an invocation in ``fail_next`` gets its next
call answered 503 (outcome ``failed``), which the reference app's bodies turn
into a retriable ``ProviderUnavailable``.  While it holds, the server watches the
connection: a caller that dies (SIGKILL, or an exception that tears down the
request) closes its socket, and the call ends there with outcome ``aborted``;
its interval then ends when its caller stopped existing, not when the hold
would have ended.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from pynenc_suite.provider.calls import ABORTED, FAILED, OK, UNAVAILABLE, CallLedger, CallRecord
from pynenc_suite.provider.client import INVOCATION_HEADER, PGID_HEADER, PID_HEADER, RUNNER_HEADER

POLL_SECONDS = 0.01


class LoopbackProvider(CallLedger):
    """A threaded HTTP server on 127.0.0.1 that records every call."""

    def __init__(self, default_hold: float = 0.2) -> None:
        super().__init__()
        self.default_hold = default_hold
        self.hold_for: dict[str, float] = {}
        self.fail_next: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._also: list[ThreadingHTTPServer] = []

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the loopback provider is not serving")
        return _url_of(self._server)

    def listen_on(self, address: str) -> str:
        """Serve the same calls on ``address`` too (a runner namespace's link, which reaches this machine only
        there) until :meth:`serving` ends; the URL to give the runners behind it."""
        if self._server is None:
            raise RuntimeError("the loopback provider is not serving")
        served = next((s for s in self._also if s.server_address[0] == address), None)
        if served is None:  # else a link made again on the same address: the socket bound to it still serves
            served = self._start(address)
            self._also.append(served)
        return _url_of(served)

    def _start(self, address: str) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((address, 0), self._handler())
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"provider-{address}", daemon=True).start()
        return server

    def reset(self) -> None:
        """Forget every call (between runs sharing one server)."""
        super().reset()
        self.hold_for = {}
        self.fail_next = set()

    # -- request handling (called on the server's handler threads) -----------
    def _take_failure(self, call: CallRecord) -> bool:
        with self._lock:
            if call.invocation_id in self.fail_next:
                self.fail_next.discard(call.invocation_id)
                return True
            return False

    def _hold(self, call: CallRecord, connection: socket.socket) -> bool:
        """Hold the call; False if the caller went away meanwhile."""
        deadline = time.monotonic() + self.hold_for.get(call.invocation_id, self.default_hold)
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([connection], [], [], min(left, POLL_SECONDS))
            if readable and _closed(connection):
                return False
        return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                parts = self.path.split("/", 3)
                length = int(self.headers.get("content-length", 0) or 0)
                if length:
                    self.rfile.read(length)
                if len(parts) != 4 or parts[1] != "call":
                    self.send_error(404)
                    return
                headers = self.headers
                call = provider.begin(
                    unquote(parts[2]), unquote(parts[3]), headers.get(INVOCATION_HEADER, ""),
                    runner_id=headers.get(RUNNER_HEADER, ""), pid=int(headers.get(PID_HEADER, 0) or 0),
                    pgid=int(headers.get(PGID_HEADER, 0) or 0),
                )  # fmt: skip
                if not provider._hold(call, self.connection):
                    provider.end(call, ABORTED)
                    self.close_connection = True
                    return
                failed = provider._take_failure(call)
                provider.end(call, FAILED if failed else OK)
                body = json.dumps({"account": call.account, "op": call.op, "call": call.number}).encode()
                self.send_response(UNAVAILABLE if failed else 200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence access logs
                del format, args

        return Handler

    @contextmanager
    def serving(self) -> Iterator[LoopbackProvider]:
        """Serve on a free loopback port while the block runs."""
        self._server = self._start("127.0.0.1")
        try:
            yield self
        finally:
            for server in [self._server, *self._also]:
                server.shutdown()
                server.server_close()
            self._server, self._also = None, []


def _url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _closed(connection: socket.socket) -> bool:
    """True if the peer closed the connection (readable with nothing to read)."""
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
