"""The slow link: every chunk between a runner and its engine held ``delay`` each way, in order; gone with its block."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pynenc_suite.drivers.realtime.delay import delay_relay
from pynenc_suite.drivers.realtime.routes import Route, upstream_of


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@contextmanager
def _echo_server() -> Iterator[tuple[str, int]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()


def _round_trip(address: tuple[str, int], payload: bytes) -> tuple[float, bytes]:
    with socket.create_connection(address, timeout=5) as connection:
        started = time.monotonic()
        connection.sendall(payload)
        received = b""
        while len(received) < len(payload):
            received += connection.recv(65536)
        return time.monotonic() - started, received


def test_a_round_trip_takes_twice_the_delay_more_and_keeps_its_bytes_in_order() -> None:
    payload = bytes(range(256)) * 2000
    with _echo_server() as upstream, delay_relay(upstream) as relay:
        fast, echoed = _round_trip(relay.address, payload)
        assert echoed == payload and fast < 0.2
        relay.delay = 0.15
        slow, echoed = _round_trip(relay.address, payload)
        assert echoed == payload
        assert 0.3 <= slow < 0.3 + 0.25, slow
        relay.delay = 0.0
        again, _ = _round_trip(relay.address, b"x")
        assert again < 0.1


def test_closing_the_relay_closes_its_connections_and_its_thread() -> None:
    with _echo_server() as upstream:
        with delay_relay(upstream) as relay:
            connection = socket.create_connection(relay.address, timeout=5)
            connection.sendall(b"ping")
            assert connection.recv(16) == b"ping"
            threads = {t.name for t in threading.enumerate()}
            assert "delay-relay" in threads
        connection.settimeout(2)
        assert connection.recv(16) == b""  # closed by the relay
        connection.close()
        assert "delay-relay" not in {t.name for t in threading.enumerate()}
        with pytest.raises(OSError):
            socket.create_connection(relay.address, timeout=1)


def test_a_route_names_the_relay_in_the_engines_url_and_nothing_else() -> None:
    with _echo_server() as (host, port), delay_relay((host, port)) as relay:
        route = Route(relay)
        config = {"redis_url": f"redis://{host}:{port}/7", "sqlite_db_path": "/tmp/x", "max_pending_seconds": 2.0}
        routed = route.config(config)
        assert routed["redis_url"] == f"redis://{relay.address[0]}:{relay.address[1]}/7"
        assert {k: v for k, v in routed.items() if k != "redis_url"} == {
            k: v for k, v in config.items() if k != "redis_url"
        }
        assert route.command(["python", "-c", "pass"]) == ["python", "-c", "pass"]


def test_an_engine_url_without_host_and_port_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="network faults need an engine URL with a host and a port"):
        upstream_of("sqlite:///tmp/x.db")
