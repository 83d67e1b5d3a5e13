"""A slow link between one runner and its engine: a TCP relay that holds every chunk ``delay`` seconds each way.

``tc netem`` would do this in the kernel, but the kernels this suite runs on may
lack the ``sch_netem`` module (the machines it was built on do), and it needs
root.  The relay runs in the test process, on one asyncio loop in one daemon
thread: a runner whose engine URL names :attr:`DelayRelay.address` reaches the
engine through it.  Each chunk read from one side is written to the other once
it has been held :attr:`DelayRelay.delay` seconds (set at any time; 0 passes
chunks on at once), in the order read, so a request-response round trip takes
twice the delay more.  Nothing outside the test process is touched: it listens on
one address of this machine and ends with the block (or the process).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

CHUNK = 65536


class DelayRelay:
    """Relays every connection to ``upstream`` (host, port), each chunk held ``delay`` seconds."""

    def __init__(self, upstream: tuple[str, int], listen: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.listen = listen
        self.delay = 0.0
        self.address: tuple[str, int] = (listen, 0)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="delay-relay", daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._accept, self.listen, 0), self._loop
        ).result(timeout=10)
        self.address = self._server.sockets[0].getsockname()[:2]

    def close(self) -> None:
        """Stop listening, close every relayed connection, end the loop's thread."""

        async def shut() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._writers):
                writer.close()  # each pipe's read ends, its delivery ends after it
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            _, pending = await asyncio.wait(tasks, timeout=2) if tasks else (set(), set())
            for task in pending:
                task.cancel()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def url(self, url: str) -> str:
        """``url`` (which names the upstream's host and port) naming this relay instead."""
        host, port = self.upstream
        return url.replace(f"{host}:{port}", f"{self.address[0]}:{self.address[1]}")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, upstream_writer))
        try:
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
        except asyncio.CancelledError:
            pass  # the relay is closing: the connection goes with it
        finally:
            for end in (writer, upstream_writer):
                self._writers.discard(end)
                end.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy ``reader`` to ``writer``, each chunk written ``delay`` seconds after it was read, in order."""
        loop = asyncio.get_running_loop()
        held: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

        async def deliver() -> None:
            while (item := await held.get()) is not None:
                due, data = item
                await asyncio.sleep(max(0.0, due - loop.time()))
                writer.write(data)
                await writer.drain()
            with suppress(OSError):
                writer.write_eof()

        delivering = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(CHUNK):
                held.put_nowait((loop.time() + self.delay, data))
        except OSError:
            pass
        finally:
            held.put_nowait(None)
            with suppress(OSError):
                await delivering


@contextmanager
def delay_relay(upstream: tuple[str, int], listen: str = "127.0.0.1") -> Iterator[DelayRelay]:
    relay = DelayRelay(upstream, listen)
    relay.start()
    try:
        yield relay
    finally:
        relay.close()
